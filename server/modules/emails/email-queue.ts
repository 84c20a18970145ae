/**
 * Resuming a paused mailbox, and the periodic recovery sweep that makes the queue self-healing across crashes.
 */
import { withTransaction, type Db } from '../../infra/db/db.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { Logger } from '../../infra/log/logger.js';
import { planBatch } from './pacing.js';
import { wakeMailbox, wakeStalledMailboxes } from './interrupted-sends.js';
import { lockMailbox } from './mailbox-lock.js';

export const RECOVER_JOB = 'email.recover';

/**
 * After a pause (or on demand): the mailbox's queued mail is planned afresh from now, not after
 * the old (possibly cancelled) plan, and the mailbox gets a drain. Single sends keep their plan;
 * the mailing mails are re-planned in one pass and one statement (pacing.ts), however many wait.
 */
export async function rescheduleMailbox(db: Db, queue: JobQueue, mailboxId: string): Promise<number> {
  const planned = await withTransaction(db, async (tx) => {
    const mb = (await lockMailbox(tx, mailboxId));
    if (!mb || mb.paused) return 0;
    const queued = await tx.query<{ id: string }>(
      "SELECT id FROM emails WHERE mailbox_id = $1 AND status = 'queued' AND priority = 1 AND attempts = 0 ORDER BY not_before, created_at",
      [mailboxId],
    );
    await tx.query('UPDATE mailboxes SET next_slot_at = NULL WHERE id = $1', [mailboxId]);
    const slots = await planBatch(tx, mb, queued.rowCount ?? 0);
    await tx.query(
      `UPDATE emails e SET not_before = x.s FROM unnest($1::uuid[], $2::timestamptz[]) AS x(id, s) WHERE e.id = x.id AND e.status = 'queued'`,
      [queued.rows.map((r) => r.id), slots.map((s) => s.at)],
    );
    const all = await tx.query<{ n: number }>("SELECT count(*)::int AS n FROM emails WHERE mailbox_id = $1 AND status = 'queued'", [mailboxId]);
    return all.rows[0]!.n;
  });
  if (planned) await wakeMailbox(db, queue, mailboxId);
  return planned;
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
