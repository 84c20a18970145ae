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
 */
import { withTransaction, type Db } from '../../infra/db/db.js';
import type { Logger } from '../../infra/log/logger.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import { ServerInstance } from '../../infra/queue/instance.js';
import type { MailboxRow } from '../mailboxes/mailboxes.repository.js';
import { addEvent } from './emails.repository.js';
import { afterOutcome, lockMailbox } from './send-outcome.js';
import type { SendDeps } from './send-email.job.js';
import { scheduleDrain } from './send-schedule.js';

export const UNKNOWN_TEXT =
  'The server stopped while sending this email; it may or may not have been delivered. It was not resent automatically.';

export type RecoveryDeps = Pick<SendDeps, 'db' | 'log' | 'queue' | 'triggers' | 'instanceId' | 'deadAfterMs' | 'inFlight' | 'findInSent'>;

interface TakenOver {
  id: string;
  account_id: number;
  mailbox_id: string;
  message_id: string;
}

export async function recoverInterruptedSends(deps: RecoveryDeps): Promise<number> {
  const taken = await deps.db.query<TakenOver>(
    `UPDATE emails e SET owner_instance = $1, updated_at = now()
     WHERE e.status = 'sending' AND (
       e.owner_instance IS NULL
       OR (e.owner_instance <> $1 AND NOT ${ServerInstance.aliveSql('e.owner_instance', '$2')})
       OR (e.owner_instance = $1 AND NOT (e.id = ANY($3::uuid[]))
           AND e.updated_at < now() - make_interval(secs => $2::double precision / 1000)))
     RETURNING e.id, e.account_id, e.mailbox_id, e.message_id`,
    [deps.instanceId, deps.deadAfterMs, [...deps.inFlight]],
  );
  for (const t of taken.rows) {
    try {
      await settle(deps, t);
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

async function settle(deps: RecoveryDeps, t: TakenOver): Promise<void> {
  const mailbox = (await deps.db.query<MailboxRow>('SELECT * FROM mailboxes WHERE id = $1', [t.mailbox_id])).rows[0];
  let found: { found: boolean; folder: string } | null = null;
  let imapError: string | undefined;
  if (mailbox?.imap_enabled) {
    try {
      found = await deps.findInSent(mailbox, t.message_id);
    } catch (err) {
      imapError = (err as Error).message;
    }
  }
  const sent = found?.found === true;
  const done = await withTransaction(deps.db, async (tx) => {
    await lockMailbox(tx, t.mailbox_id);
    const r = sent
      ? await tx.query(
          `UPDATE emails SET status = 'sent', sent_at = now(), owner_instance = NULL, lease_until = NULL, sent_folder = $3,
             error_code = NULL, error_text = NULL, updated_at = now()
           WHERE id = $1 AND status = 'sending' AND owner_instance = $2`,
          [t.id, deps.instanceId, found!.folder],
        )
      : await tx.query(
          `UPDATE emails SET status = 'unknown', owner_instance = NULL, lease_until = NULL, error_code = 'INTERRUPTED',
             error_text = $3, updated_at = now()
           WHERE id = $1 AND status = 'sending' AND owner_instance = $2`,
          [t.id, deps.instanceId, UNKNOWN_TEXT],
        );
    if (!r.rowCount) return false;
    // It may have reached the server just now: the mailbox's spacing counts from here.
    await tx.query('UPDATE mailboxes SET last_send_at = now() WHERE id = $1', [t.mailbox_id]);
    await addEvent(
      tx,
      t.id,
      t.account_id,
      sent ? 'sent' : 'unknown',
      sent
        ? { recovered: true, reason: `the server stopped while sending; the message was found in ${found!.folder}` }
        : { reason: UNKNOWN_TEXT, ...(imapError ? { sentFolderCheck: imapError } : {}) },
    );
    return true;
  });
  if (!done) return;
  if (sent) await afterOutcome(deps, t.id, 'sent');
  await wakeMailbox(deps.db, deps.queue, t.mailbox_id);
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
