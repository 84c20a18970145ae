/**
 * Settling sends whose process died in the middle (issue 6 §3), run after every heartbeat of
 * every process (infra/queue/instance.ts), so a crash stalls a mailbox for seconds, not for a
 * lease of minutes.
 *
 * A `sending` email is taken over when its owner's heartbeat is older than the dead-after limit
 * (database clock on both sides), when it has no owner (a graceful stop that left it running),
 * or when it is ours but no job of ours is working on it (a job that threw half-way). Whether
 * the SMTP server accepted it cannot be known from here: with IMAP on, the Sent folder is
 * searched for its Message-ID (providers like Gmail file their own copy) → `sent`; otherwise it
 * is marked `unknown` with a history line that says so. It is never resent automatically — a
 * duplicate is worse than a question the user can answer. Then the mailbox's queue is woken.
 * A send that lost the server's reply after its final dot is settled the same way (settleLostReply),
 * and a mail some recipients had already ends `sent` (recipient-outcome.ts).
 */
import { withTransaction, type Db } from '../../infra/db/db.js';
import type { Logger } from '../../infra/log/logger.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import { ServerInstance } from '../../infra/queue/instance.js';
import type { MailboxRow } from '../mailboxes/mailboxes.repository.js';
import { addEvent } from './emails.repository.js';
import { afterOutcome, lockMailbox, ours, STILL_OURS, type Claimed } from './send-outcome.js';
import { finishPartlyDelivered } from './recipient-outcome.js';
import type { SendDeps } from './send-email.job.js';
import { scheduleDrain } from './send-schedule.js';

export const UNKNOWN_TEXT =
  'The server stopped while sending this email; it may or may not have been delivered. It was not resent automatically.';

export type RecoveryDeps = Pick<SendDeps, 'db' | 'log' | 'queue' | 'triggers' | 'instanceId' | 'deadAfterMs' | 'inFlight' | 'findInSent'>;

/** Why the partly delivered mail's pending recipients are in doubt (finishPartlyDelivered's `why`). */
const UNKNOWN_WHY = 'outcome unknown: the server stopped while sending to them; not resent automatically';

interface TakenOver {
  id: string;
  account_id: number;
  mailbox_id: string;
  message_id: string;
  /** Some recipients had it before this attempt (recipient-outcome.ts). */
  partly: boolean;
}

export async function recoverInterruptedSends(deps: RecoveryDeps): Promise<number> {
  const taken = await deps.db.query<TakenOver>(
    `UPDATE emails e SET owner_instance = $1, updated_at = now()
     WHERE e.status = 'sending' AND (
       e.owner_instance IS NULL
       OR (e.owner_instance <> $1 AND NOT ${ServerInstance.aliveSql('e.owner_instance', '$2')})
       OR (e.owner_instance = $1 AND NOT (e.id = ANY($3::uuid[]))
           AND e.updated_at < now() - make_interval(secs => $2::double precision / 1000)))
     RETURNING e.id, e.account_id, e.mailbox_id, e.message_id, jsonb_array_length(e.delivered_recipients) > 0 AS partly`,
    [deps.instanceId, deps.deadAfterMs, [...deps.inFlight]],
  );
  for (const t of taken.rows) {
    try {
      await settleUnknownOutcome(deps, {
        ...t,
        match: { sql: "id = $1 AND status = 'sending' AND owner_instance = $2", params: [t.id, deps.instanceId] },
        unknown: { code: 'INTERRUPTED', text: UNKNOWN_TEXT, why: UNKNOWN_WHY, what: 'the server stopped while sending' },
        wake: true,
      });
    } catch (err) {
      // Still ours and still `sending`: the next sweep tries again once this attempt looks stale.
      deps.log.error({ err, emailId: t.id }, 'settling an interrupted send failed');
    }
  }
  if (taken.rowCount) deps.log.warn({ count: taken.rowCount }, 'interrupted sends settled');
  // Rows of processes long gone with nothing left to settle.
  await deps.db.query(
    `DELETE FROM server_instances si WHERE si.heartbeat_at < now() - interval '1 hour'
       AND NOT EXISTS (SELECT 1 FROM emails e WHERE e.status = 'sending' AND e.owner_instance = si.id)`,
  );
  return taken.rowCount ?? 0;
}

/** A `sending` mail whose outcome this process cannot know, and how to say so. */
export interface UnknownOutcome extends TakenOver {
  /** The claim this process holds on it (an SQL condition on the row, `$1…` its params). */
  match: { sql: string; params: unknown[] };
  /**
   * The error and history words: `text` for the whole mail, `why` for a partly delivered one's
   * pending recipients, `what` happened (before "; the message was found in Sent").
   */
  unknown: { code: string; text: string; why: string; what: string };
  /** Wake the mailbox's queue afterwards (a crash left nobody draining it). */
  wake: boolean;
}

/**
 * Settles a send that may or may not have reached the server — its process died (the sweep
 * above), or the connection was lost after the whole message was handed over (send-email.job.ts)
 * — and never resends it; false when the claim was no longer this process's. With IMAP on, a Sent copy with its Message-ID (providers like Gmail
 * file their own) means `sent`; otherwise `unknown`, with a history line that says so. A mail
 * that some recipients had already is `sent` either way (its Sent copy was filed at that first
 * delivery, so the folder cannot tell about this attempt), naming the pending ones as unknown.
 */
export async function settleUnknownOutcome(deps: Omit<RecoveryDeps, 'inFlight' | 'deadAfterMs'>, t: UnknownOutcome): Promise<boolean> {
  const mailbox = t.partly ? undefined : (await deps.db.query<MailboxRow>('SELECT * FROM mailboxes WHERE id = $1', [t.mailbox_id])).rows[0];
  let found: { found: boolean; folder: string } | null = null;
  let imapError: string | undefined;
  if (mailbox?.imap_enabled) {
    try {
      found = await deps.findInSent(mailbox, t.message_id);
    } catch (err) {
      imapError = (err as Error).message;
    }
  }
  const inSent = found?.found === true;
  const n = t.match.params.length;
  const ended = await withTransaction(deps.db, async (tx): Promise<'sent' | 'unknown' | null> => {
    await lockMailbox(tx, t.mailbox_id);
    const partly = await finishPartlyDelivered(tx, t.match, { code: t.unknown.code, why: t.unknown.why });
    const r = partly.length
      ? partly
      : inSent
        ? (await tx.query(
            `UPDATE emails SET status = 'sent', sent_at = now(), owner_instance = NULL, lease_until = NULL, sent_folder = $${n + 1},
               error_code = NULL, error_text = NULL, updated_at = now()
             WHERE ${t.match.sql} RETURNING id`,
            [...t.match.params, found!.folder],
          )).rows
        : (await tx.query(
            `UPDATE emails SET status = 'unknown', owner_instance = NULL, lease_until = NULL, error_code = $${n + 1},
               error_text = $${n + 2}, updated_at = now()
             WHERE ${t.match.sql} RETURNING id`,
            [...t.match.params, t.unknown.code, t.unknown.text],
          )).rows;
    if (!r.length) return null;
    // It may have reached the server just now: the mailbox's spacing counts from here.
    await tx.query('UPDATE mailboxes SET last_send_at = now() WHERE id = $1', [t.mailbox_id]);
    if (partly.length) return 'sent';
    await addEvent(
      tx,
      t.id,
      t.account_id,
      inSent ? 'sent' : 'unknown',
      inSent
        ? { recovered: true, reason: `${t.unknown.what}; the message was found in ${found!.folder}` }
        : { reason: t.unknown.text, ...(imapError ? { sentFolderCheck: imapError } : {}) },
    );
    return inSent ? 'sent' : 'unknown';
  });
  if (!ended) return false;
  if (ended === 'sent') await afterOutcome(deps, t.id, 'sent');
  if (t.wake) await wakeMailbox(deps.db, deps.queue, t.mailbox_id);
  return true;
}

/**
 * A send of this process that went out through the final dot and lost the server's reply (a
 * timeout, the deadline, a dropped connection): settled like a crashed one, never resent.
 */
export async function settleLostReply(deps: SendDeps, c: Claimed, serverText: string): Promise<void> {
  const { email } = c;
  const delivered = (email as { delivered_recipients?: string[] }).delivered_recipients ?? [];
  const recorded = await settleUnknownOutcome(deps, {
    id: email.id,
    account_id: email.account_id,
    mailbox_id: email.mailbox_id,
    message_id: email.message_id,
    partly: delivered.length > 0,
    match: { sql: STILL_OURS, params: ours(deps, c) },
    unknown: {
      code: 'OUTCOME_UNKNOWN',
      text: `The whole message was sent, but the connection to the SMTP server ended before the server confirmed it (${serverText}); it may or may not have been delivered. It was not resent automatically.`,
      why: `outcome unknown: the connection ended before the server confirmed the message (${serverText}); not resent automatically`,
      what: 'the connection ended before the server confirmed the message',
    },
    wake: false,
  });
  // Taken over meanwhile (this process looked dead): that outcome stands, this one is only told.
  if (!recorded) await addEvent(deps.db, email.id, email.account_id, 'late_outcome', { outcome: 'unknown', error: serverText });
}

/** A drain of the mailbox due at its earliest queued mail; the drain sends everything else that is due. */
export async function wakeMailbox(db: Db, queue: JobQueue, mailboxId: string): Promise<void> {
  const r = await db.query<{ in_ms: number }>(
    `SELECT greatest(0, extract(epoch FROM (min(not_before) - now())) * 1000)::float8 AS in_ms FROM emails
     WHERE mailbox_id = $1 AND status = 'queued' HAVING count(*) > 0`,
    [mailboxId],
  );
  const e = r.rows[0];
  if (e) await scheduleDrain(db, queue, mailboxId, e.in_ms);
}

/**
 * Mailboxes whose due mail waits longer than `overdueMs` with nothing in flight: their chain of
 * drains was lost — e.g. a process killed *between* two sends, holding Agenda locks on the due jobs
 * for the lock lifetime (minutes). Woken from the heartbeat, such a mailbox resumes in seconds.
 * A mailbox that is merely draining a backlog has a send in flight and is left alone.
 */
export async function wakeStalledMailboxes(db: Db, queue: JobQueue, overdueMs: number): Promise<string[]> {
  const r = await db.query<{ mailbox_id: string }>(
    `SELECT DISTINCT e.mailbox_id FROM emails e JOIN mailboxes m ON m.id = e.mailbox_id
     WHERE e.status = 'queued' AND e.not_before < now() - make_interval(secs => $1::double precision / 1000) AND NOT m.paused
       AND NOT EXISTS (SELECT 1 FROM emails s WHERE s.mailbox_id = e.mailbox_id AND s.status = 'sending')`,
    [overdueMs],
  );
  for (const o of r.rows) await wakeMailbox(db, queue, o.mailbox_id);
  return r.rows.map((o) => o.mailbox_id);
}

/**
 * At start: every mailbox with queued mail gets a drain (a pending one is reused), as every
 * mailing left resolving gets its job again (mailings/resolve.job.ts). A process killed between
 * two claims of a drain leaves due mail and no job: Agenda clears a one-off job's next run when
 * it starts it, the drain's own "next" was never written, and with nothing `sending` neither the
 * takeover above nor the overdue sweep (which waits `deadAfterMs`, a minute for the periodic one)
 * would notice it soon. A mailbox whose drain is in fact alive elsewhere is unharmed: a second
 * drain finds it busy and leaves.
 */
export async function wakeQueuedMailboxes(db: Db, queue: JobQueue): Promise<number> {
  const r = await db.query<{ id: string }>(
    `SELECT m.id FROM mailboxes m WHERE NOT m.paused
       AND EXISTS (SELECT 1 FROM emails e WHERE e.mailbox_id = m.id AND e.status = 'queued')`,
  );
  for (const m of r.rows) await wakeMailbox(db, queue, m.id);
  return r.rows.length;
}

/** Registers both sweeps on this process's heartbeat. */
export function settleInterruptedSendsOnHeartbeat(deps: RecoveryDeps, log: Logger): void {
  deps.queue.instance.onTick(async () => {
    try {
      await recoverInterruptedSends(deps);
      const woken = await wakeStalledMailboxes(deps.db, deps.queue, deps.deadAfterMs);
      if (woken.length) log.info({ mailboxes: woken.length }, 'stalled mailboxes woken');
    } catch (err) {
      log.error({ err }, 'interrupted-send sweep failed');
    }
  });
}
