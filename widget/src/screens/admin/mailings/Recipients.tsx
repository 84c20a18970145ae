/**
 * A mailing's recipients a page at a time, filtered by status (with how many each status has),
 * each with its entity, address, status, reason and send time; "Export CSV" saves every recipient.
 */
import { useState } from 'preact/hooks';
import { recipients, type RecipientStatus, type RecipientView } from '../../../api/admin-mailings.js';
import type { MailingView } from '../../../api/mailings.js';
import type { I18nKey } from '../../../host/i18n.js';
import { useCtx } from '../../../ui/context.js';
import { formatTime } from '../../../ui/format.js';
import { Pager } from '../../../ui/pager.js';
import { useLoad } from '../../../ui/use-load.js';
import { CsvExport } from './CsvExport.js';
import { RetryAlert } from '../../../ui/retry-alert.js';

const LIMIT = 50;

export const RECIPIENT_STATUS: Record<RecipientStatus, I18nKey> = {
  skipped: 'admin_mailings.rstatus.skipped',
  pending: 'admin_mailings.rstatus.pending',
  queued: 'admin_mailings.rstatus.queued',
  sending: 'admin_mailings.rstatus.sending',
  sent: 'admin_mailings.rstatus.sent',
  failed: 'admin_mailings.rstatus.failed',
  unknown: 'admin_mailings.rstatus.unknown',
  paused: 'admin_mailings.rstatus.paused',
  cancelled: 'admin_mailings.rstatus.cancelled',
};

const ENTITY: Record<RecipientView['entityType'], I18nKey> = {
  leads: 'admin_mailings.entity.leads',
  contacts: 'admin_mailings.entity.contacts',
  companies: 'admin_mailings.entity.companies',
};

export function Recipients({ id, version, counts }: { id: string; version: string; counts: MailingView['counts'] | null }) {
  const { t, lang, api } = useCtx();
  const rq = api.request;
  const [status, setStatus] = useState<RecipientStatus | ''>('');
  const [page, setPage] = useState(1);
  const list = useLoad(() => recipients(rq, id, { ...(status ? { status } : {}), page, limit: LIMIT }), [rq, id, status, page, version]);
  const v = list.value;
  const statuses = Object.keys(RECIPIENT_STATUS) as RecipientStatus[];

  return (
    <section class="leadmail-admin-mailings__recipients" data-total={v?.total ?? ''}>
      <div class="leadmail-admin-mailings__bar">
        <h3 class="leadmail-h2">{t('admin_mailings.recipients_title')}</h3>
        <select
          class="leadmail-select leadmail-admin-mailings__filter"
          aria-label={t('admin_mailings.filter_label')}
          value={status}
          onChange={(e) => {
            setStatus(e.currentTarget.value as RecipientStatus | '');
            setPage(1);
          }}
        >
          <option value="">{t('admin_mailings.filter_all')}</option>
          {statuses.map((s) => (
            <option key={s} value={s}>
              {counts ? t('admin_mailings.filter_option', { status: t(RECIPIENT_STATUS[s]), n: counts[s] }) : t(RECIPIENT_STATUS[s])}
            </option>
          ))}
        </select>
        <span class="leadmail-admin-mailings__spacer" />
        <CsvExport id={id} />
      </div>
      {list.error !== null && (
        <RetryAlert class="leadmail-admin-mailings__error" onRetry={list.reload}>{list.error}</RetryAlert>
      )}
      {!v && list.error === null && <p class="leadmail-muted">{t('common.loading')}</p>}
      {v && v.items.length === 0 && <p class="leadmail-muted leadmail-admin-mailings__empty">{t(status ? 'admin_mailings.no_recipients_status' : 'admin_mailings.no_recipients')}</p>}
      {v && v.items.length > 0 && (
        <table class="leadmail-admin-mailings__table leadmail-admin-mailings__rtable">
          <thead>
            <tr>
              <th>{t('admin_mailings.col.entity')}</th>
              <th>{t('admin_mailings.col.email')}</th>
              <th>{t('admin_mailings.col.status')}</th>
              <th>{t('admin_mailings.col.reason')}</th>
              <th>{t('admin_mailings.col.sent_at')}</th>
            </tr>
          </thead>
          <tbody>
            {v.items.map((r, i) => (
              <tr key={`${r.entityType}:${r.entityId}:${r.email ?? ''}:${i}`} class="leadmail-admin-mailings__recipient" data-status={r.status} data-email={r.email ?? ''}>
                <td>
                  <a class="leadmail-admin-mailings__entity" href={`/${r.entityType}/detail/${r.entityId}`} target="_blank" rel="noopener noreferrer">
                    {t(ENTITY[r.entityType], { id: r.entityId })}
                  </a>
                  {r.contactId !== null && r.entityType !== 'contacts' && (
                    <div class="leadmail-admin-mailings__sub">
                      <a class="leadmail-admin-mailings__contact" href={`/contacts/detail/${r.contactId}`} target="_blank" rel="noopener noreferrer">
                        {t('admin_mailings.contact_n', { id: r.contactId })}
                      </a>
                    </div>
                  )}
                </td>
                <td class="leadmail-admin-mailings__email">{r.email ?? '—'}</td>
                <td>
                  <span class={`leadmail-status leadmail-status--${r.status}`}>{t(RECIPIENT_STATUS[r.status])}</span>
                </td>
                <td class="leadmail-admin-mailings__reason">{r.reason ?? ''}</td>
                <td class="leadmail-admin-mailings__when">{formatTime(lang, r.sentAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {v && <Pager info={v} onPage={setPage} />}
    </section>
  );
}
