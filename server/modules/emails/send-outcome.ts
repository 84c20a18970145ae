/**
 * Recording what became of one claimed send: sent, failed, retried later, or held back because
 * the mailbox's login broke — plus what follows a recorded outcome (the Sent copy, trigger points).
 *
 * Rules every recorder keeps (issue 6 §3):
 *  - Only the claim that is still in flight may be finished: `status = 'sending'` AND this
 *    process's instance AND this attempt. A send that was taken over (its process looked dead and
 *    a peer resolved it as `unknown` or `sent`) is never flipped again, so a mail cannot end both
 *    failed and sent, nor fire both trigger sets. Recorders answer whether they won.
 *  - Lock order everywhere: the mailbox row first, then the email row. (Taking the email first and
 *    the mailbox second, as the "sent" update once did, deadlocks against a claim that holds the
 *    mailbox and waits for that email; PostgreSQL then aborts one of them — see send-email.job.ts.)
 *  - Times are the database's (`now()`), so pacing compares like with like across processes.
 *  - A `sent` of a mailbox without a pace limit is group-committed with the others of its drain
 *    (sent-log.ts) under the same per-row rule; the send counts as done (its place in flight is
 *    free again) only once that write has committed.
 */
import { withTransaction } from '../../infra/db/db.js';
import type { SendResult } from '../../infra/smtp/mail-transport.js';
import type { MailboxRow } from '../mailboxes/mailboxes.repository.js';
import { addEvent, type EmailRow } from './emails.repository.js';
import { fireEmailPoint, scheduleNotOpened } from './email-automation.js';
import type { SendDeps } from './send-email.job.js';
import { scheduleDrain } from './send-schedule.js';
import { deliveryDetails, finishPartlyDelivered } from './recipient-outcome.js';
import { isUnpaced } from './pacing.js';
import type { SentLog } from './sent-log.js';

/** The claim being finished: which email, which attempt, which process. */
export interface Claimed {
  /** `has_*`: known from the claim (send-email.job.ts); unknown ones are read when needed. */
  email: EmailRow & { has_triggers?: boolean; has_files?: boolean };
  mailbox: MailboxRow;
}

/** What the claim already told about an email, so the steps after its outcome skip their reads. */
export interface KnownAfterOutcome {
  hasTriggers?: boolean;
  /** The not-opened timer's delay (null: none), and the sent time with the database's now. */
  notOpened?: { afterSeconds: number | null; sentAt: Date; now: Date };
}

/** `$1` email id, `$2` owner instance, `$3` attempt. */
export const STILL_OURS = "id = $1 AND status = 'sending' AND owner_instance = $2 AND attempts = $3";
export const ours = (deps: Pick<SendDeps, 'instanceId'>, c: Claimed): unknown[] => [c.email.id, deps.instanceId, c.email.attempts];

import { lockMailbox } from './mailbox-lock.js';

export { lockMailbox };

export async function recordSent(deps: SendDeps & { sentLog?: SentLog }, c: Claimed, result: SendResult): Promise<boolean | KnownAfterOutcome> {
  if (isUnpaced(c.mailbox)) return recordSentUnpaced(deps, c, result);
  const won = await withTransaction(deps.db, async (tx) => {
    await lockMailbox(tx, c.mailbox.id);
    const r = await tx.query(
      `UPDATE emails SET status = 'sent', sent_at = now(), owner_instance = NULL, lease_until = NULL, smtp_response = $4,
         error_code = NULL, error_text = NULL, updated_at = now() WHERE ${STILL_OURS}`,
      [...ours(deps, c), result.response],
    );
    if (!r.rowCount) return false;
    await tx.query('UPDATE mailboxes SET last_send_at = now() WHERE id = $1', [c.mailbox.id]);
    // Full addresses: this is the owner's own history (logs mask them).
    await addEvent(tx, c.email.id, c.email.account_id, 'sent', { response: result.response, ...deliveryDetails(result) });
    return true;
  });
  if (!won) await lostClaim(deps, c, 'sent', { response: result.response });
  return won;
}

/**
 * A mailbox without a pace limit has no spacing to measure from its last send, so its row is
 * not written (nor locked) per mail — the claim stamps `last_send_at` (send-email.job.ts). With
 * no mailbox write there is no lock-order question. Within a drain the outcome goes to the
 * drain's group commit (sent-log.ts: the 250s of a few ms share one statement, and this resolves
 * only once it committed); otherwise the email and its history line are one statement. The sent
 * time comes back for the not-opened timer.
 */
async function recordSentUnpaced(deps: SendDeps & { sentLog?: SentLog }, c: Claimed, result: SendResult): Promise<boolean | KnownAfterOutcome> {
  const data = JSON.stringify({ response: result.response, ...deliveryDetails(result) });
  let row: { sentAt: Date; now: Date } | undefined;
  if (deps.sentLog) {
    const r = await deps.sentLog.add({ id: c.email.id, attempt: c.email.attempts, response: result.response, data });
    // Left `sending`: the heartbeat sweep settles it as for any send in flight.
    if (r instanceof Error) throw r;
    row = r ?? undefined;
  } else {
    const r = await deps.db.query<{ sent_at: Date; now: Date }>(
      `WITH u AS (
         UPDATE emails SET status = 'sent', sent_at = now(), owner_instance = NULL, lease_until = NULL, smtp_response = $4,
           error_code = NULL, error_text = NULL, updated_at = now() WHERE ${STILL_OURS}
         RETURNING id, account_id, sent_at),
       ev AS (INSERT INTO email_events (email_id, account_id, type, data) SELECT id, account_id, 'sent', $5::jsonb FROM u)
       SELECT sent_at, now() AS now FROM u`,
      [...ours(deps, c), result.response, data],
    );
    row = r.rows[0] && { sentAt: r.rows[0].sent_at, now: r.rows[0].now };
  }
  if (!row) {
    await lostClaim(deps, c, 'sent', { response: result.response });
    return false;
  }
  return {
    hasTriggers: c.email.has_triggers,
    notOpened: c.email.not_opened_after_seconds === undefined ? undefined : { afterSeconds: c.email.not_opened_after_seconds, sentAt: row.sentAt, now: row.now },
  };
}

/**
 * A failure that ends the mail. One that some recipients already have (the retry for deferred
 * ones failed for good, or its link attachment could not be fetched) ends `sent` instead, naming
 * whom it did not reach and why (recipient-outcome.ts): never both delivered and failed.
 */
export async function recordFailed(deps: SendDeps, c: Claimed, code: string, text: string, hint?: string): Promise<boolean> {
  const won = await withTransaction(deps.db, async (tx) => {
    await lockMailbox(tx, c.mailbox.id);
    const partly = await finishPartlyDelivered(tx, { sql: STILL_OURS, params: ours(deps, c) }, { code, why: text, data: { attempt: c.email.attempts } });
    const r = partly.length
      ? partly
      : (await tx.query(
          `UPDATE emails SET status = 'failed', owner_instance = NULL, lease_until = NULL, error_code = $4, error_text = $5, updated_at = now()
           WHERE ${STILL_OURS} RETURNING id`,
          [...ours(deps, c), code, text],
        )).rows;
    if (!r.length) return null;
    await tx.query('UPDATE mailboxes SET last_send_at = now() WHERE id = $1', [c.mailbox.id]);
    if (partly.length) return 'sent' as const;
    await addEvent(tx, c.email.id, c.email.account_id, 'failed', { code, error: text, ...(hint ? { hint } : {}) });
    return 'failed' as const;
  });
  if (won === 'sent') await afterOutcome(deps, c.email.id, 'sent');
  else if (won === 'failed') await afterOutcome(deps, c.email.id, 'failed', { error: text, error_code: code });
  else await lostClaim(deps, c, 'failed', { code, error: text });
  return won !== null;
}

/** A temporary failure: back to `queued` after an exponential backoff with full jitter (capped at 1 h). */
export async function retryLater(deps: SendDeps, c: Claimed, k: { serverText: string; retryAfterMs?: number; responseCode?: number }): Promise<void> {
  // The server's "try again in N s" wins when longer.
  const exp = Math.min(deps.retry.baseMs * 2 ** (c.email.attempts - 1), 60 * 60_000);
  const delayMs = Math.max(k.retryAfterMs ?? 0, exp / 2 + Math.random() * (exp / 2));
  const slot = await withTransaction(deps.db, async (tx) => {
    await lockMailbox(tx, c.mailbox.id);
    // Not a reservation in the mailbox's sequence (pacing.ts): later mail need not wait for it.
    const at = await tx.query<{ at: Date; now: Date }>(
      'SELECT now() + make_interval(secs => $1::double precision / 1000) AS at, now() AS now',
      [delayMs],
    );
    const s = { at: at.rows[0]!.at, inMs: at.rows[0]!.at.getTime() - at.rows[0]!.now.getTime() };
    const r = await tx.query(
      `UPDATE emails SET status = 'queued', owner_instance = NULL, lease_until = NULL, not_before = $4, error_code = $5, error_text = $6,
         updated_at = now() WHERE ${STILL_OURS}`,
      [...ours(deps, c), s.at, k.responseCode ? String(k.responseCode) : 'TRANSIENT', k.serverText],
    );
    if (!r.rowCount) return null;
    await tx.query('UPDATE mailboxes SET last_send_at = now() WHERE id = $1', [c.mailbox.id]);
    await addEvent(tx, c.email.id, c.email.account_id, 'retry_scheduled', { attempt: c.email.attempts, at: s.at.toISOString(), error: k.serverText });
    return s;
  });
  if (slot) await scheduleDrain(deps.db, deps.queue, c.mailbox.id, slot.inMs);
  else await lostClaim(deps, c, 'retry', { error: k.serverText });
}

/** The login broke: the mailbox, not the message, is at fault — pause it and keep the mail queued. */
export async function pauseForAuth(deps: SendDeps, c: Claimed, serverText: string, hint: string): Promise<void> {
  await withTransaction(deps.db, async (tx) => {
    await lockMailbox(tx, c.mailbox.id);
    // The attempt does not count against the email.
    const r = await tx.query(
      `UPDATE emails SET status = 'queued', attempts = attempts - 1, owner_instance = NULL, lease_until = NULL, error_code = 'AUTH',
         error_text = $4, updated_at = now() WHERE ${STILL_OURS}`,
      [...ours(deps, c), serverText],
    );
    if (!r.rowCount) return;
    await deps.pauseMailbox(tx, c.mailbox.id, `SMTP authentication failed: ${serverText}`, {
      status: 'red',
      checkedAt: new Date().toISOString(),
      smtp: { ok: false, kind: 'auth', serverText, hint },
      imap: { ok: false, skipped: true },
    });
    await addEvent(tx, c.email.id, c.email.account_id, 'mailbox_paused', { error: serverText });
  });
}

/**
 * The claim was taken over while this process was sending (it looked dead to its peers): the
 * recorded outcome stands; what this process learned is only added to the history.
 */
async function lostClaim(deps: SendDeps, c: Claimed, outcome: string, data: Record<string, unknown>): Promise<void> {
  deps.log.warn({ emailId: c.email.id, outcome }, 'send outcome arrived after the send was taken over; not recorded');
  await addEvent(deps.db, c.email.id, c.email.account_id, 'late_outcome', { outcome, ...data });
}

/** Trigger points of the outcome; a failure here never changes the email's status. */
export async function afterOutcome(
  deps: Pick<SendDeps, 'db' | 'log' | 'queue' | 'triggers'>,
  emailId: string,
  point: 'sent' | 'failed',
  vars?: Record<string, string>,
  known: KnownAfterOutcome = {},
): Promise<void> {
  // Each step on its own: a failure of one must not lose the other, and never changes the
  // email's status. The recovery sweep repeats whatever did not happen (email-automation.ts).
  try {
    if (known.hasTriggers !== false) await fireEmailPoint(deps.db, deps.triggers, emailId, point, vars);
  } catch (err) {
    deps.log.error({ err, emailId, point }, 'firing trigger point failed');
  }
  if (point !== 'sent') return;
  try {
    const e =
      known.notOpened
        ? { id: emailId, not_opened_after_seconds: known.notOpened.afterSeconds, sent_at: known.notOpened.sentAt, now: known.notOpened.now }
        : (await deps.db.query<{ id: string; not_opened_after_seconds: number | null; sent_at: Date; now: Date }>(
            'SELECT id, not_opened_after_seconds, sent_at, now() AS now FROM emails WHERE id = $1',
            [emailId],
          )).rows[0];
    // The timer runs by this process's clock: sent_at is the database's, so translate it.
    if (e?.not_opened_after_seconds) await scheduleNotOpened(deps.queue, e, new Date(Date.now() - (e.now.getTime() - e.sent_at.getTime())));
  } catch (err) {
    deps.log.error({ err, emailId }, 'scheduling the not-opened timer failed');
  }
}

/** Whether a copy of what the mailbox sends goes into its IMAP Sent folder (the send keeps the bytes for it). */
export function filesInSent(mailbox: MailboxRow): boolean {
  return mailbox.save_to_sent && mailbox.imap_enabled;
}

export async function fileInSent(deps: SendDeps, c: Claimed, raw: Buffer | null): Promise<void> {
  const { email, mailbox } = c;
  if (!raw || !filesInSent(mailbox)) return;
  try {
    const r = await deps.saveToSent(mailbox, raw, email.message_id);
    if (!r) return;
    await deps.db.query('UPDATE emails SET sent_folder = $2 WHERE id = $1', [email.id, r.folder]);
    await addEvent(deps.db, email.id, email.account_id, r.appended ? 'saved_to_sent' : 'already_in_sent', { folder: r.folder });
  } catch (err) {
    // The mail is delivered; a Sent copy failing must not turn it into a failure.
    await addEvent(deps.db, email.id, email.account_id, 'save_to_sent_failed', { error: (err as Error).message });
  }
}
