/**
 * Advanced settings → History (issue 9): every mail of the account (administrators) or the user's
 * own (sent by them or from their mailboxes), filtered by status, mailbox, template and dates,
 * paged by the server; a row opens the mail's events, trigger runs and opens. Single mails still
 * waiting are listed on top with Cancel (QueuedMails).
 */
import { useState } from 'preact/hooks';
import { filterMailboxes, filterTemplates, searchEmails } from '../../../api/admin-history.js';
import { ApiError } from '../../../host/transport.js';
import { useCtx } from '../../../ui/context.js';
import { formError } from '../../../ui/labelled-field.js';
import { Pager } from '../../../ui/pager.js';
import { useLoad } from '../../../ui/use-load.js';
import { useMe } from '../me.js';
import { Filters, NO_FILTERS, toQuery, type FilterState } from './Filters.js';
import { MailTable } from './MailTable.js';
import { QueuedMails } from './QueuedMails.js';
import { RetryAlert } from '../../../ui/retry-alert.js';

const LIMIT = 25;
const FILTER_FIELDS = ['status', 'mailboxId', 'templateId', 'since', 'until'];

export function HistoryPage() {
  const { t, api, lang } = useCtx();
  const me = useMe();
  const [filters, setFilters] = useState<FilterState>(NO_FILTERS);
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<string | null>(null);
  const [refreshKey, setRefreshKey] = useState(0);
  // The error as thrown, so a refused filter can be shown under its own input.
  const [failure, setFailure] = useState<unknown>(null);
  const list = useLoad(async () => {
    try {
      const v = await searchEmails(api.request, { ...toQuery(filters), page, limit: LIMIT });
      setFailure(null);
      return v;
    } catch (err) {
      setFailure(err);
      throw err;
    }
  }, [filters, page, refreshKey]);
  const choices = useLoad(() => Promise.all([filterMailboxes(api.request, me.isAdmin), filterTemplates(api.request)]), [me.isAdmin]);
  const fieldError = failure instanceof ApiError && failure.field ? formError(t, failure, FILTER_FIELDS) : null;
  const v = list.value;
  const filtered = Object.values(filters).some(Boolean);

  const changeFilters = (next: FilterState) => {
    setFilters(next);
    setPage(1);
    setOpen(null);
  };
  /** A mail was cancelled or resent: the list and the queue both show it. */
  const changed = () => setRefreshKey((k) => k + 1);

  return (
    <div class="leadmail-admin-page__body leadmail-history">
      <p class="leadmail-muted leadmail-history__intro">{t(me.isAdmin ? 'admin_history.intro_admin' : 'admin_history.intro_user')}</p>
      <QueuedMails hideWhenEmpty refreshKey={refreshKey} onChanged={() => setRefreshKey((k) => k + 1)} />
      <Filters value={filters} onChange={changeFilters} mailboxes={choices.value?.[0] ?? []} templates={choices.value?.[1] ?? []} error={fieldError?.field ? fieldError : null} />
      {choices.error && <div class="leadmail-alert leadmail-alert--warn">{t('admin_history.choices_failed', { text: choices.error })}</div>}
      {list.error && !fieldError?.field && (
        <RetryAlert class="leadmail-history__error" onRetry={list.reload} button="small">{list.error}</RetryAlert>
      )}
      {list.loading && <div class="leadmail-muted leadmail-history__loading">{t('common.loading')}</div>}
      {v && !list.error && (
        <>
          {v.items.length === 0 ? (
            <p class="leadmail-muted leadmail-history__empty">{t(filtered ? 'admin_history.empty_filtered' : 'admin_history.empty')}</p>
          ) : (
            <MailTable items={v.items} open={open} onOpen={setOpen} onChanged={changed} />
          )}
          {!v.totalExact && <p class="leadmail-muted leadmail-history__capped">{t('admin_history.capped', { n: v.total.toLocaleString(lang) })}</p>}
          <Pager info={v} onPage={(p) => {
              setPage(p);
              setOpen(null);
            }} />
        </>
      )}
    </div>
  );
}
