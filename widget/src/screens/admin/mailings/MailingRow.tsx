/**
 * One mailing in the list. A mailing that can still change (resolving, queued, sending, paused)
 * polls its own GET /api/mailings/:id through the list action's useMailing, which also gives the
 * rate and ETA a list item lacks and stops when the row is gone; a finished one is drawn as listed.
 */
import type { MailingView } from '../../../api/mailings.js';
import type { MailingListItem } from '../../../api/admin-mailings.js';
import type { I18nKey } from '../../../host/i18n.js';
import { useCtx } from '../../../ui/context.js';
import { formatTime } from '../../../ui/format.js';
import { ACTIVE, fromNow, progressOf, ratePerMinute } from '../../list-action/progress-math.js';
import { canCancel, canPause, canResume, STATUS, useMailing, type LiveMailing } from '../../list-action/use-mailing.js';

interface RowProps {
  item: MailingListItem;
  templateName: string | null;
  onOpen(id: string): void;
}

export function MailingRow(props: RowProps) {
  return canCancel(props.item.status) ? <LiveRow {...props} /> : <Row {...props} m={props.item} live={null} />;
}

function LiveRow(props: RowProps) {
  const live = useMailing(props.item.id);
  return <Row {...props} m={live.m ?? props.item} live={live} />;
}

const ENTITY: Record<MailingListItem['entityType'], I18nKey> = {
  leads: 'admin_mailings.selected.leads',
  contacts: 'admin_mailings.selected.contacts',
  companies: 'admin_mailings.selected.companies',
};

function Row({ m, live, templateName, onOpen }: RowProps & { m: MailingListItem | MailingView; live: LiveMailing | null }) {
  const { t, lang } = useCtx();
  const now = Date.now();
  const p = progressOf(m);
  const pace = live?.m && ACTIVE.includes(live.m.status) ? live.m : null;
  const what = templateName ?? t(m.templateId ? 'admin_mailings.template_gone' : 'admin_mailings.no_template');
  const busy = live?.busy ?? false;
  return (
    <tr class="leadmail-admin-mailings__row" data-mailing-id={m.id} data-status={m.status} data-sent={m.counts.sent} data-percent={p.percent}>
      <td class="leadmail-admin-mailings__when">{formatTime(lang, m.createdAt)}</td>
      <td>
        <button type="button" class="leadmail-btn leadmail-btn--link leadmail-admin-mailings__name" onClick={() => onOpen(m.id)}>
          {m.parentMailingId ? t('admin_mailings.reminder_name', { name: what }) : what}
        </button>
        <div class="leadmail-muted leadmail-admin-mailings__sub">{t(ENTITY[m.entityType], { n: m.selected })}</div>
      </td>
      <td>
        <span class={`leadmail-status leadmail-status--${m.status} leadmail-admin-mailings__status`}>{t(STATUS[m.status])}</span>
        {m.statusReason && <div class="leadmail-admin-mailings__why">{m.statusReason}</div>}
      </td>
      <td class="leadmail-admin-mailings__col-progress">
        <div class="leadmail-bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={p.percent}>
          <div class="leadmail-bar__fill" style={{ width: `${p.percent}%` }} />
        </div>
        <div class="leadmail-admin-mailings__counts">
          <span class="leadmail-admin-mailings__percent">{t('list.percent', { p: p.percent })}</span>
          {' · '}
          {t('admin_mailings.progress_counts', { sent: m.counts.sent, total: p.total })}
          {m.counts.failed > 0 && <span class="leadmail-admin-mailings__failed">{' · '}{t('admin_mailings.failed_n', { n: m.counts.failed })}</span>}
        </div>
      </td>
      <td class="leadmail-admin-mailings__rate">{pace && pace.ratePerMinute > 0 ? t('admin_mailings.per_minute', { n: ratePerMinute(pace, now) }) : '—'}</td>
      <td class="leadmail-admin-mailings__eta" title={pace?.eta ? formatTime(lang, pace.eta) : undefined}>
        {pace?.eta ? fromNow(lang, pace.eta, now) : '—'}
      </td>
      <td class="leadmail-admin-mailings__actions">
        {live && canPause(m.status) && (
          <button type="button" class="leadmail-btn leadmail-admin-mailings__pause" disabled={busy} onClick={() => void live.act('pause')}>
            {t('list.pause')}
          </button>
        )}
        {live && canResume(m.status) && (
          <button type="button" class="leadmail-btn leadmail-btn--primary leadmail-admin-mailings__resume" disabled={busy} onClick={() => void live.act('resume')}>
            {t('list.resume')}
          </button>
        )}
        {live && canCancel(m.status) && (
          <button type="button" class="leadmail-btn leadmail-btn--danger leadmail-admin-mailings__cancel" disabled={busy} onClick={() => void live.act('cancel')}>
            {t('admin_mailings.cancel')}
          </button>
        )}
        <button type="button" class="leadmail-btn leadmail-admin-mailings__open" onClick={() => onOpen(m.id)}>
          {t('admin_mailings.details')}
        </button>
        {live?.error && (
          <div class="leadmail-admin-mailings__row-error" role="alert">
            {live.error}
          </div>
        )}
      </td>
    </tr>
  );
}
