/**
 * Send-time conditions (issue 7 §1: a reminder "re-checks at send time, so a person who responds
 * in between is skipped"). A mail queued with `sendCheck` (bulk-enqueue.ts) is put to the
 * PreSendGuard when the drain claims it: in the claim's own transaction, under the mailbox row
 * lock and with the mail's row already taken, before any SMTP traffic. This module does not
 * know what the condition is: the module that queued the mail answers through the port
 * (mailings/reminder-guard.ts, wired in container.ts), so emails never imports mailings.
 *
 * A refused mail ends `cancelled` with its hold code's text (as a hold by the reminder sweep
 * would end it), its attempt not counted, its slot given back; nothing of it leaves. A claim
 * without flagged mails — every ordinary mail — asks nothing and costs no statement more.
 */
import type { Queryable } from '../../infra/db/db.js';
import type { MailboxRow } from '../mailboxes/mailboxes.repository.js';
import { HOLD_TEXT, type HoldCode } from './bulk-enqueue.js';
import { releaseSlots } from './pacing.js';

export interface PreSendGuard {
  /**
   * Of the claimed mails, those that must not go, and why. Runs in the claim's transaction
   * (`tx`; lock order: mailbox, email, then the guard's own rows) so the guard records its side
   * of the outcome (a reminder's recipient `skipped`) in the same commit as the mail's.
   */
  refuse(tx: Queryable, mails: { id: string; accountId: number }[]): Promise<Map<string, HoldCode>>;
}

/** What the claim knows of a mail that decides whether it is asked about. */
export interface CheckedRow {
  id: string;
  account_id: number;
  attempts: number;
  send_check: boolean;
  delivered_recipients?: unknown[] | null;
}

/**
 * The claimed rows that may go. The claim wrote no `sending` history line for flagged mails
 * (send-email.job.ts): it is written here for those that go, and a `cancelled` one (with
 * `checkedAtSend`) for those that do not, in one statement.
 */
export async function applySendChecks<R extends CheckedRow>(
  tx: Queryable,
  guard: PreSendGuard | undefined,
  rows: R[],
  mailbox: MailboxRow,
  instanceId: string,
): Promise<R[]> {
  const checked = rows.filter((r) => r.send_check);
  if (checked.length === 0) return rows;
  // A mail some recipients already have is not taken back half-way (a reminder has one recipient).
  const asked = checked.filter((r) => !r.delivered_recipients?.length);
  const refused = guard && asked.length ? await guard.refuse(tx, asked.map((r) => ({ id: r.id, accountId: r.account_id }))) : new Map<string, HoldCode>();
  const stop = asked.filter((r) => refused.has(r.id));
  const stopped = new Set(stop.map((r) => r.id));
  const go = checked.filter((r) => !stopped.has(r.id));
  await tx.query(
    `WITH stop AS (
       UPDATE emails e SET status = 'cancelled', attempts = e.attempts - 1, owner_instance = NULL, error_code = x.code, error_text = x.text, updated_at = now()
       FROM unnest($1::uuid[], $2::text[], $3::text[]) AS x(id, code, text) WHERE e.id = x.id AND e.status = 'sending'
       RETURNING e.id, e.account_id, x.text)
     INSERT INTO email_events (email_id, account_id, type, data)
     SELECT id, account_id, 'cancelled', jsonb_build_object('reason', text, 'checkedAtSend', true) FROM stop
     UNION ALL
     SELECT e, a, 'sending', jsonb_build_object('attempt', n, 'instance', $7::text) FROM unnest($4::uuid[], $5::bigint[], $6::int[]) AS g(e, a, n)`,
    [
      stop.map((r) => r.id),
      stop.map((r) => refused.get(r.id)!),
      stop.map((r) => HOLD_TEXT[refused.get(r.id)!]),
      go.map((r) => r.id),
      go.map((r) => r.account_id),
      go.map((r) => r.attempts),
      instanceId,
    ],
  );
  if (stop.length === 0) return rows;
  // The planned slot of a mail that will not leave is free again (as a hold gives it back).
  await releaseSlots(tx, mailbox);
  return rows.filter((r) => !stopped.has(r.id));
}
