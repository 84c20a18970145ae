/**
 * Putting emails on the queue (persist first, then enqueue the id), resuming a paused mailbox,
 * and the periodic recovery sweep that makes the queue self-healing across crashes.
 */
import { withTransaction, type Db } from '../../infra/db/db.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { Logger } from '../../infra/log/logger.js';
import type { MailboxRow } from '../mailboxes/mailboxes.repository.js';
import { reserveSlot, type Slot } from './pacing.js';
import { scheduleSend } from './send-email.job.js';
import { wakeStalledMailboxes } from './interrupted-sends.js';

export const RECOVER_JOB = 'email.recover';

/** Give every queued email of a mailbox a fresh slot and a job (after a pause, or on demand). */
export async function rescheduleMailbox(db: Db, queue: JobQueue, mailboxId: string): Promise<number> {
  const planned = await withTransaction(db, async (tx) => {
    const mb = (await tx.query<MailboxRow>('SELECT * FROM mailboxes WHERE id = $1 FOR UPDATE', [mailboxId])).rows[0];
    if (!mb || mb.paused) return [];
    // A mail planned for later (a mailing's start time, a reminder, a retry's backoff) keeps its
    // time; only what was already due is packed from now. Database clock on both sides.
    const queued = await tx.query<{ id: string; not_before: Date; ahead_ms: number }>(
      `SELECT id, not_before, greatest(0, extract(epoch FROM (not_before - now())) * 1000)::float8 AS ahead_ms
       FROM emails WHERE mailbox_id = $1 AND status = 'queued' ORDER BY not_before, created_at FOR UPDATE`,
      [mailboxId],
    );
    // Slots are handed out afresh from now, not after the old (possibly cancelled) reservations.
    await tx.query('UPDATE mailboxes SET next_slot_at = NULL WHERE id = $1', [mailboxId]);
    const out: { id: string; slot: Slot }[] = [];
    for (const e of queued.rows) {
      if (e.ahead_ms > 0) {
        // No place in the sequence: spacing and the daily cap are checked again at its claim.
        out.push({ id: e.id, slot: { at: e.not_before, inMs: e.ahead_ms } });
        continue;
      }
      const slot = await reserveSlot(tx, mb);
      await tx.query('UPDATE emails SET not_before = $2 WHERE id = $1', [e.id, slot.at]);
      out.push({ id: e.id, slot });
    }
    return out;
  });
  for (const p of planned) await scheduleSend(queue, p.id, p.slot);
  return planned.length;
}

/**
 * Runs every minute on whichever instance gets it, a backstop to the heartbeat's own sweep: a
 * mailbox with mail overdue by more than a minute and nothing in flight lost its chain of jobs
 * (a crash between commit and enqueue, a job lost with its process): wake it. Only indexed email
 * columns are read (emails_dispatch, emails_sending), no scan of the job table.
 */
export async function recoverQueue(db: Db, queue: JobQueue, log: Logger): Promise<void> {
  const woken = await wakeStalledMailboxes(db, queue, 60_000);
  if (woken.length) log.warn({ mailboxes: woken }, 'mailboxes with overdue mail woken');
  await queue.purgeFinished();
}
