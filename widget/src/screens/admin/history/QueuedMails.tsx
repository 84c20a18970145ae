/**
 * Single mails waiting to be sent (status queued, not part of a mailing: a mailing's mails are
 * paused or cancelled with their mailing), of the account for an administrator or the user's own,
 * soonest first, each with its planned time and Cancel. Mounted by the mailings page and on top of
 * the history page (`hideWhenEmpty`). `refreshKey` reloads it when the host page changed a mail.
 */
import { useState } from 'preact/hooks';
import { cancelEmail, searchEmails } from '../../../api/admin-history.js';
import { useCtx } from '../../../ui/context.js';
import { errorText } from '../../../ui/errors.js';
import { formatTime } from '../../../ui/format.js';
import { Pager } from '../../../ui/pager.js';
import { useLoad } from '../../../ui/use-load.js';
import { recipientOf } from './labels.js';
import { RetryAlert } from '../../../ui/retry-alert.js';

const LIMIT = 10;

export interface QueuedMailsProps {
  /** Draw nothing while no single mail waits (the history page); the mailings page shows the empty state. */
  hideWhenEmpty?: boolean;
  /** After a cancel here: the host page reloads what it shows. */
  onChanged?: () => void;
  refreshKey?: number;
}

export function QueuedMails({ hideWhenEmpty = false, onChanged, refreshKey = 0 }: QueuedMailsProps) {
  const { t, api, lang, notify } = useCtx();
  const [page, setPage] = useState(1);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<{ id: string; text: string } | null>(null);
  const list = useLoad(() => searchEmails(api.request, { status: 'queued', single: 'true', order: 'planned', page, limit: LIMIT }), [page, refreshKey]);
  const v = list.value;

  const cancel = async (id: string) => {
    setBusy(id);
    setError(null);
    try {
      await cancelEmail(api.request, id);
      notify(t('card.cancelled_toast'));
      // The last mail of a page gone: the page before it.
      if (v && v.items.length === 1 && page > 1) setPage(page - 1);
      else await list.reload();
      onChanged?.();
    } catch (err) {
      setError({ id, text: errorText(t, err) });
    } finally {
      setBusy(null);
    }
  };

  if (hideWhenEmpty && (!v || v.total === 0) && !list.error) return null;
  return (
    <section class="leadmail-queued" aria-label={t('admin_history.queued.title')}>
      <div class="leadmail-queued__head">
        <h3 class="leadmail-h leadmail-queued__title">{t('admin_history.queued.title')}</h3>
        {v && <span class="leadmail-queued__count leadmail-muted">{t('admin_history.queued.count', { n: v.total })}</span>}
        <span class="leadmail-muted leadmail-queued__note">{t('admin_history.queued.note')}</span>
      </div>
      {list.error && (
        <RetryAlert onRetry={list.reload} button="small">{list.error}</RetryAlert>
      )}
      {!v && !list.error && <p class="leadmail-muted">{t('common.loading')}</p>}
      {v && v.total === 0 && <p class="leadmail-muted leadmail-queued__empty">{t('admin_history.queued.empty')}</p>}
      {v && v.items.length > 0 && (
        <ul class="leadmail-queued__list">
          {v.items.map((m) => {
            const r = recipientOf(m);
            return (
              <li key={m.id} class="leadmail-queued__item" data-email-id={m.id}>
                <span class="leadmail-queued__when">{t('admin_history.queued.planned', { time: formatTime(lang, m.scheduledAt) })}</span>
                <span class="leadmail-queued__to">{r.more ? t('admin_history.row.to_more', { first: r.first, n: r.more }) : r.first}</span>
                <span class="leadmail-queued__subject">{m.subject || t('card.no_subject')}</span>
                <span class="leadmail-queued__mailbox leadmail-muted" title={m.mailboxAddress}>
                  {m.mailboxName} · {m.mailboxAddress}
                </span>
                <button type="button" class="leadmail-btn leadmail-btn--small leadmail-queued__cancel" disabled={busy === m.id} onClick={() => void cancel(m.id)}>
                  {t('admin_history.queued.cancel')}
                </button>
                {error?.id === m.id && (
                  <div class="leadmail-email__error leadmail-queued__error" role="alert">
                    {error.text}
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {v && <Pager info={v} onPage={setPage} />}
    </section>
  );
}
