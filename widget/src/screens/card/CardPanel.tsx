/**
 * The right panel of a lead, contact or company card: "New email" and the entity's recent mails.
 * Polls while a mail is still on its way so its status changes without a reload.
 */
import { useEffect, useState } from 'preact/hooks';
import type { EmailView } from '../../api/client.js';
import { listMailboxes, type CheckResult } from '../../api/setup.js';
import { CheckView } from '../setup/CheckView.js';
import { QuickSetup } from '../setup/QuickSetup.js';
import { useCtx, type Entity } from '../../ui/context.js';
import { errorText } from '../../ui/errors.js';
import { EmailItem } from './EmailItem.js';
import { RetryAlert } from '../../ui/retry-alert.js';
import { useLoad } from '../../ui/use-load.js';
import { usePollAgain } from '../../ui/use-poll.js';

const POLL_MS = 3000;
const MAX_POLL_MS = 60_000;

/**
 * When to look again: soon while a mail is being sent or due, at its planned time when it waits
 * for later (a paced queue can hold mail for hours), never when nothing is on its way.
 */
function nextPollMs(emails: EmailView[] | null, now: number): number | null {
  let next: number | null = null;
  for (const e of emails ?? []) {
    if (e.status !== 'queued' && e.status !== 'sending') continue;
    const due = e.status === 'sending' ? POLL_MS : Math.min(MAX_POLL_MS, Math.max(POLL_MS, Date.parse(e.scheduledAt) - now));
    next = next === null ? due : Math.min(next, due);
  }
  return next;
}

export function CardPanel({ entity }: { entity: Entity }) {
  const { t, api, openCompose } = useCtx();
  // Nothing to send from (no own mailbox, no global one): the quick set-up replaces "New email".
  const [hasMailbox, setHasMailbox] = useState<boolean | null>(null);
  const [connected, setConnected] = useState<CheckResult | null>(null);
  const [mailboxError, setMailboxError] = useState<string | null>(null);

  useEffect(() => {
    let alive = true;
    listMailboxes(api.request)
      .then((list) => alive && setHasMailbox(list.length > 0))
      .catch((err: unknown) => {
        if (!alive) return;
        // Unknown: offer "New email" (compose says what is missing) and show why.
        setHasMailbox(true);
        setMailboxError(errorText(t, err));
      });
    return () => {
      alive = false;
    };
  }, [api, t]);

  const { value: emails, error, loading, reload: load } = useLoad(() => api.emailsOf(entity.entityType, entity.entityId), [api, entity.entityType, entity.entityId]);
  usePollAgain(() => nextPollMs(emails, Date.now()), load, [emails]);

  return (
    <div class="leadmail-card" data-entity-type={entity.entityType} data-entity-id={entity.entityId}>
      {hasMailbox === false && (
        <QuickSetup
          onReady={(r) => {
            setConnected(r);
            setHasMailbox(true);
          }}
        />
      )}
      {connected && <CheckView result={connected} />}
      {hasMailbox && (
        <div class="leadmail-card__actions">
          <button type="button" class="leadmail-btn leadmail-btn--primary leadmail-card__new" onClick={() => openCompose(entity, () => void load())}>
            {t('card.new_email')}
          </button>
          <button type="button" class="leadmail-btn leadmail-btn--link leadmail-card__refresh" disabled={loading} onClick={() => void load()} title={t('common.refresh')}>
            ↻
          </button>
        </div>
      )}
      <div class="leadmail-card__title">{t('card.recent')}</div>
      {mailboxError && !error && (
        <div class="leadmail-alert leadmail-alert--error" role="alert">
          {mailboxError}
        </div>
      )}
      {error && (
        <RetryAlert onRetry={load}>{error}</RetryAlert>
      )}
      {emails === null && !error && <div class="leadmail-muted">{t('common.loading')}</div>}
      {emails && emails.length === 0 && (
        // Without a mailbox there is no "New email" to point at: point at the set-up above instead.
        <div class="leadmail-muted leadmail-card__empty">{t(hasMailbox === false ? 'card.empty_no_mailbox' : 'card.empty')}</div>
      )}
      {emails && emails.length > 0 && (
        <ul class="leadmail-emails">
          {emails.map((e) => (
            <EmailItem key={e.id} email={e} onChanged={() => void load()} />
          ))}
        </ul>
      )}
    </div>
  );
}
