/** The mailings, newest first, a page at a time; each row keeps itself up to date while it can change. */
import * as shared from '../../../api/mailings.js';
import { listMailings } from '../../../api/admin-mailings.js';
import { useCtx } from '../../../ui/context.js';
import { Pager } from '../../../ui/pager.js';
import { useLoad } from '../../../ui/use-load.js';
import { useMe } from '../me.js';
import { MailingRow } from './MailingRow.js';
import { RetryAlert } from '../../../ui/retry-alert.js';

export const PAGE_SIZE = 20;

export function MailingList({ page, onPage, onOpen }: { page: number; onPage(page: number): void; onOpen(id: string): void }) {
  const { t, api } = useCtx();
  const me = useMe();
  const rq = api.request;
  const list = useLoad(() => listMailings(rq, page, PAGE_SIZE), [rq, page]);
  // Names for the template column; the list still shows without them.
  const templates = useLoad(() => shared.templates(rq).catch(() => []), [rq]);
  const names = new Map((templates.value ?? []).map((x) => [x.id, x.name]));
  const v = list.value;

  return (
    <section class="leadmail-admin-mailings__list" data-total={v?.total ?? ''}>
      <div class="leadmail-admin-mailings__bar">
        <h2 class="leadmail-h2">{t('admin_mailings.title')}</h2>
        <span class="leadmail-muted leadmail-admin-mailings__scope">{t(me.isAdmin ? 'admin_mailings.scope_admin' : 'admin_mailings.scope_user')}</span>
        <span class="leadmail-admin-mailings__spacer" />
        <button type="button" class="leadmail-btn leadmail-admin-mailings__refresh" disabled={list.loading} onClick={() => void list.reload()}>
          {t('common.refresh')}
        </button>
      </div>
      {list.error !== null && (
        <RetryAlert class="leadmail-admin-mailings__error" onRetry={list.reload}>{list.error}</RetryAlert>
      )}
      {!v && list.error === null && <p class="leadmail-muted">{t('common.loading')}</p>}
      {v && v.items.length === 0 && <p class="leadmail-muted leadmail-admin-mailings__empty">{t('admin_mailings.empty')}</p>}
      {v && v.items.length > 0 && (
        <table class="leadmail-admin-mailings__table">
          <thead>
            <tr>
              <th>{t('admin_mailings.col.started')}</th>
              <th>{t('admin_mailings.col.mailing')}</th>
              <th>{t('admin_mailings.col.status')}</th>
              <th class="leadmail-admin-mailings__col-progress">{t('admin_mailings.col.progress')}</th>
              <th>{t('admin_mailings.col.rate')}</th>
              <th>{t('admin_mailings.col.eta')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {v.items.map((item) => (
              <MailingRow key={item.id} item={item} templateName={item.templateId ? (names.get(item.templateId) ?? null) : null} onOpen={onOpen} />
            ))}
          </tbody>
        </table>
      )}
      {v && <Pager info={v} onPage={onPage} />}
    </section>
  );
}
