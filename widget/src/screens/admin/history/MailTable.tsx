/** The history's rows: time, recipient, subject, status, mailbox, template; a click opens the mail below its row. */
import type { EmailListItem } from '../../../api/admin-history.js';
import { useCtx } from '../../../ui/context.js';
import { formatTime } from '../../../ui/format.js';
import { MailDetail } from './MailDetail.js';
import { recipientOf, STATUS } from './labels.js';

export interface MailTableProps {
  items: EmailListItem[];
  open: string | null;
  onOpen(id: string | null): void;
  onChanged(): void;
}

export function MailTable({ items, open, onOpen, onChanged }: MailTableProps) {
  const { t, lang } = useCtx();
  return (
    <table class="leadmail-history-table">
      <thead>
        <tr>
          <th>{t('admin_history.col.time')}</th>
          <th>{t('admin_history.col.to')}</th>
          <th>{t('admin_history.col.subject')}</th>
          <th>{t('admin_history.col.status')}</th>
          <th>{t('admin_history.col.mailbox')}</th>
          <th>{t('admin_history.col.template')}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((m) => {
          const r = recipientOf(m);
          const isOpen = open === m.id;
          return [
            <tr
              key={m.id}
              class={`leadmail-history-row${isOpen ? ' leadmail-history-row--open' : ''}`}
              data-email-id={m.id}
              tabIndex={0}
              aria-expanded={isOpen}
              onClick={() => onOpen(isOpen ? null : m.id)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  onOpen(isOpen ? null : m.id);
                }
              }}
            >
              <td class="leadmail-history-row__time">
                {formatTime(lang, m.sentAt ?? m.createdAt)}
                {m.status === 'queued' && <div class="leadmail-muted">{t('admin_history.row.planned', { time: formatTime(lang, m.scheduledAt) })}</div>}
              </td>
              <td class="leadmail-history-row__to">{r.more ? t('admin_history.row.to_more', { first: r.first, n: r.more }) : r.first}</td>
              <td class="leadmail-history-row__subject">
                {m.subject || t('card.no_subject')}
                {m.fromMailing && <span class="leadmail-history-row__mailing">{t('admin_history.row.mailing')}</span>}
              </td>
              <td>
                <span class={`leadmail-status leadmail-status--${m.status} leadmail-history-row__status`}>{t(STATUS[m.status])}</span>
              </td>
              <td class="leadmail-history-row__mailbox">
                {m.mailboxName}
                <span class="leadmail-history-row__address leadmail-muted">{m.mailboxAddress}</span>
              </td>
              <td class="leadmail-history-row__template">{m.templateName ?? <span class="leadmail-muted">{t('admin_history.row.no_template')}</span>}</td>
            </tr>,
            isOpen && (
              <tr key={`${m.id}-detail`} class="leadmail-history-row__detail">
                <td colSpan={6}>
                  <MailDetail id={m.id} onChanged={onChanged} />
                </td>
              </tr>
            ),
          ];
        })}
      </tbody>
    </table>
  );
}
