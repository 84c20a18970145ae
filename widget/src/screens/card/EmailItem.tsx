/** One mail in the card panel. Every server text and User-Agent is rendered as text (Preact escapes). */
import { useState } from 'preact/hooks';
import type { EmailView } from '../../api/client.js';
import { useCtx } from '../../ui/context.js';
import { errorText } from '../../ui/errors.js';
import { formatTime } from '../../ui/format.js';
import { EmailDetails } from './EmailDetails.js';
import { Resend } from './Resend.js';
import { MAIL_STATUS } from './status.js';

/** The plain-language hint the sender recorded with the failure, if any. */
function failureHint(e: EmailView): string | null {
  const failed = [...(e.events ?? [])].reverse().find((ev) => ev.type === 'failed');
  const hint = failed?.data.hint;
  return typeof hint === 'string' && hint ? hint : null;
}

export function EmailItem({ email: e, onChanged }: { email: EmailView; onChanged: () => void }) {
  const { t, api, lang, notify, notifyError } = useCtx();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const hint = e.status === 'failed' ? failureHint(e) : null;
  const when = e.sentAt ?? e.createdAt;

  const cancel = async () => {
    setBusy(true);
    try {
      await api.cancelEmail(e.id);
      notify(t('card.cancelled_toast'));
      onChanged();
    } catch (err) {
      notifyError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <li class={`leadmail-email leadmail-email--${e.status}`} data-email-id={e.id}>
      <div class="leadmail-email__head">
        <span class={`leadmail-status leadmail-status--${e.status}`}>{t(MAIL_STATUS[e.status])}</span>
        <span class="leadmail-email__time">{formatTime(lang, when)}</span>
      </div>
      <div class="leadmail-email__subject">{e.subject || t('card.no_subject')}</div>
      <div class="leadmail-email__to leadmail-muted">{t('card.to', { list: [...e.to, ...e.cc].join(', ') })}</div>
      {e.status === 'queued' && Date.parse(e.scheduledAt) > Date.now() && (
        <div class="leadmail-muted">{t('card.scheduled_for', { time: formatTime(lang, e.scheduledAt) })}</div>
      )}
      {e.status === 'sent' && (
        <div class="leadmail-email__stats">
          <div class="leadmail-email__opens">{t('card.opens', { human: e.tracking.humanOpens, machine: e.tracking.machineOpens })}</div>
          <div class="leadmail-email__clicks">{t('card.clicks', { human: e.tracking.humanClicks, machine: e.tracking.machineClicks })}</div>
        </div>
      )}
      {e.error?.text && (e.status === 'failed' || e.status === 'queued') && (
        <div class="leadmail-email__error">
          <div>{t('card.error', { text: e.error.text })}</div>
          {hint && <div class="leadmail-email__hint">{t('card.hint', { text: hint })}</div>}
          {e.attempts > 1 && <div class="leadmail-muted">{t('card.attempts', { n: e.attempts })}</div>}
        </div>
      )}
      <div class="leadmail-email__actions">
        <button type="button" class="leadmail-btn leadmail-btn--link leadmail-email__toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? t('card.hide_details') : t('card.details')}
        </button>
        {e.status === 'queued' && (
          <button type="button" class="leadmail-btn leadmail-btn--link leadmail-email__cancel" disabled={busy} onClick={() => void cancel()}>
            {t('card.cancel')}
          </button>
        )}
        {(e.status === 'failed' || e.status === 'unknown') && <Resend email={e} onDone={onChanged} />}
      </div>
      {open && <EmailDetails email={e} />}
    </li>
  );
}
