/**
 * One mail opened in the history: loaded whole (GET /api/emails/:id), its events in order, its
 * trigger runs with Kommo's answers and its human and machine opens (the card's EmailDetails),
 * and Cancel for a queued mail, Resend for a failed or unknown one (the card's Resend).
 */
import { useState } from 'preact/hooks';
import { cancelEmail, emailById, type EmailView } from '../../../api/admin-history.js';
import type { I18nKey } from '../../../host/i18n.js';
import { useCtx } from '../../../ui/context.js';
import { errorText } from '../../../ui/errors.js';
import { formatTime } from '../../../ui/format.js';
import { useLoad } from '../../../ui/use-load.js';
import { EmailDetails, REASON } from '../../card/EmailDetails.js';
import { Resend } from '../../card/Resend.js';
import { EVENT } from './labels.js';
import { RunCalls } from './RunCalls.js';
import { RetryAlert } from '../../../ui/retry-alert.js';

type Event = NonNullable<EmailView['events']>[number];

/** What an event says in words (the server's reply, the error, the reason, the hint, the folder); ids and flags stay out. */
const SAID = ['response', 'error', 'text', 'reason', 'hint', 'folder'];
function eventFacts(e: Event, t: (k: I18nKey) => string): string {
  return SAID.flatMap((k) => {
    const v = e.data[k];
    if (typeof v !== 'string' || v === '') return [];
    // An open's or a click's verdict in the card's words ("a person", "a security scanner").
    return [k === 'reason' && v in REASON ? t(REASON[v as keyof typeof REASON]) : v];
  }).join(' · ');
}

export function MailDetail({ id, onChanged }: { id: string; onChanged: () => void }) {
  const { t, api, lang, notify } = useCtx();
  const mail = useLoad(() => emailById(api.request, id), [id]);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const e = mail.value;

  const changed = () => {
    void mail.reload();
    onChanged();
  };
  const cancel = async () => {
    setBusy(true);
    setActionError(null);
    try {
      await cancelEmail(api.request, id);
      notify(t('card.cancelled_toast'));
      changed();
    } catch (err) {
      setActionError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  if (!e) {
    return (
      <div class="leadmail-history-detail">
        {mail.error ? (
          <RetryAlert onRetry={mail.reload} button="small">{mail.error}</RetryAlert>
        ) : (
          <span class="leadmail-muted">{t('common.loading')}</span>
        )}
      </div>
    );
  }
  return (
    <div class="leadmail-history-detail" data-email-id={e.id}>
      <div class="leadmail-history-detail__facts">
        <div>{t('card.to', { list: [...e.to, ...e.cc].join(', ') })}</div>
        {e.bcc.length > 0 && <div class="leadmail-muted">{t('admin_history.detail.bcc', { list: e.bcc.join(', ') })}</div>}
        <div>
          {/* Kommo's own card of the lead, contact or company (a relative path: the page is Kommo's). */}
          <a class="leadmail-history-detail__entity" href={`/${e.entityType}/detail/${e.entityId}`} target="_blank" rel="noopener noreferrer">
            {t(`admin_history.detail.entity.${e.entityType}`, { id: e.entityId })}
          </a>
        </div>
        {e.status === 'queued' && <div class="leadmail-history-detail__planned">{t('card.scheduled_for', { time: formatTime(lang, e.scheduledAt) })}</div>}
        {e.status === 'sent' && (
          <div class="leadmail-history-detail__opens">
            {t('card.opens', { human: e.tracking.humanOpens, machine: e.tracking.machineOpens })} ·{' '}
            {t('card.clicks', { human: e.tracking.humanClicks, machine: e.tracking.machineClicks })}
          </div>
        )}
        {e.error?.text && <div class="leadmail-email__error">{t('card.error', { text: e.error.text })}</div>}
      </div>
      <div class="leadmail-history-detail__actions">
        {e.status === 'queued' && (
          <button type="button" class="leadmail-btn leadmail-btn--small leadmail-history-detail__cancel" disabled={busy} onClick={() => void cancel()}>
            {t('card.cancel')}
          </button>
        )}
        {(e.status === 'failed' || e.status === 'unknown') && <Resend email={e} onDone={changed} />}
        {actionError && (
          <div class="leadmail-email__error" role="alert">
            {actionError}
          </div>
        )}
      </div>
      <div class="leadmail-details__section leadmail-history-events">
        <div class="leadmail-details__title">{t('admin_history.detail.events')}</div>
        <ol class="leadmail-history-events__list">
          {(e.events ?? []).map((ev, i) => (
            <li key={i} class={`leadmail-history-event leadmail-history-event--${ev.type}`} data-type={ev.type}>
              <span class="leadmail-history-event__time">{formatTime(lang, ev.at)}</span>{' '}
              <b class="leadmail-history-event__type">{EVENT[ev.type] ? t(EVENT[ev.type]!) : ev.type}</b>
              {eventFacts(ev, t) && <div class="leadmail-history-event__facts leadmail-muted">{eventFacts(ev, t)}</div>}
            </li>
          ))}
        </ol>
      </div>
      <EmailDetails email={e} runExtra={(r) => <RunCalls run={r} />} />
    </div>
  );
}
