/**
 * Putting emails on the queue (persist first, then enqueue the id), resuming a paused mailbox,
 * and the periodic recovery sweep that makes the queue self-healing across crashes.
 */
import { withTransaction, type Db } from '../../infra/db/db.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { Logger } from '../../infra/log/logger.js';
import type { MailboxRow } from '../mailboxes/mailboxes.repository.js';
import { addEvent } from './emails.repository.js';
import { reserveSlot } from './pacing.js';
import { scheduleSend } from './send-email.job.js';

export const RECOVER_JOB = 'email.recover';

/** Give every queued email of a mailbox a fresh slot and a job (after a pause, or on demand). */
export async function rescheduleMailbox(db: Db, queue: JobQueue, mailboxId: string): Promise<number> {
  const planned = await withTransaction(db, async (tx) => {
    const mb = (await tx.query<MailboxRow>('SELECT * FROM mailboxes WHERE id = $1 FOR UPDATE', [mailboxId])).rows[0];
    if (!mb || mb.paused) return [];
    const queued = await tx.query<{ id: string }>(
      "SELECT id FROM emails WHERE mailbox_id = $1 AND status = 'queued' ORDER BY not_before, created_at FOR UPDATE",
      [mailboxId],
    );
    const out: { id: string; slot: Date }[] = [];
    for (const e of queued.rows) {
      const slot = await reserveSlot(tx, mb);
      await tx.query('UPDATE emails SET not_before = $2 WHERE id = $1', [e.id, slot]);
      out.push({ id: e.id, slot });
    }
    return out;
  });
  for (const p of planned) await scheduleSend(queue, p.id, p.slot);
  return planned.length;
}

/**
 * Runs every minute on whichever instance gets it.
 * 1. `sending` with an expired lease: the process died during the SMTP transaction. Whether the
 *    server accepted the message is unknown; resending could deliver it twice, so it is marked
 *    failed with an explanation (the user can resend it knowingly).
 * 2. `queued` with no pending job (a crash between commit and enqueue): give it a job again.
 */
export async function recoverQueue(db: Db, queue: JobQueue, log: Logger): Promise<void> {
  const stale = await db.query<{ id: string; account_id: number }>(
    `UPDATE emails SET status = 'failed', error_code = 'INTERRUPTED',
       error_text = 'The server stopped while handing this email to SMTP; it was not resent to avoid a duplicate.',
       lease_until = NULL, updated_at = now()
     WHERE status = 'sending' AND lease_until < now() RETURNING id, account_id`,
  );
  for (const e of stale.rows) await addEvent(db, e.id, e.account_id, 'failed', { code: 'INTERRUPTED' });
  if (stale.rowCount) log.warn({ count: stale.rowCount }, 'interrupted sends marked failed');

  const orphans = await db.query<{ mailbox_id: string }>(
    `SELECT DISTINCT e.mailbox_id FROM emails e JOIN mailboxes m ON m.id = e.mailbox_id
     WHERE e.status = 'queued' AND NOT m.paused AND e.not_before < now() - interval '1 minute'
       AND NOT EXISTS (SELECT 1 FROM agenda_jobs j WHERE j.name = 'email.send' AND j.data->>'emailId' = e.id::text
                       AND j.next_run_at IS NOT NULL)`,
  );
  for (const o of orphans.rows) {
    const n = await rescheduleMailbox(db, queue, o.mailbox_id);
    log.warn({ mailboxId: o.mailbox_id, count: n }, 'queued emails without a job rescheduled');
  }
  await queue.purgeFinished();
}
