/**
 * A reminder's mails are planned at the mailbox's pace, so some wait minutes or hours after the
 * reminder resolved. Whether a mail still goes is decided when the drain claims it
 * (reminder-guard.ts): that is the check that matters, and it does not need this sweep. The
 * sweep (every MAILING_REMINDER_SWEEP_MS, 0 = off, and callable) is kept for the hours in
 * between: a recipient who responded is shown `skipped` then, not when their slot comes, so the
 * mailing's counts are honest meanwhile, and the taken-back mails give their slots back, so the
 * mailbox's next mailing is not planned behind mails that will not leave.
 */
import type { Db } from '../../infra/db/db.js';
import type { MailingDelivery, MailingReads } from './delivery.port.js';
import type { MailingRow } from './mailings.repository.js';
import { reminderFilter } from './reminder-filter.js';
import { RESPONDED_REASON } from './reminder-guard.js';

export const RECHECK_JOB = 'mailing.reminder-recheck';

export async function recheckReminders(db: Db, delivery: MailingDelivery, reads: MailingReads): Promise<number> {
  // Active reminders and their recipients with a mail; which mails still wait is asked below.
  const active = await db.query<Pick<MailingRow, 'id' | 'account_id' | 'parent_mailing_id' | 'reminder'> & { emails: string[]; email_ids: string[] }>(
    `SELECT m.id, m.account_id, m.parent_mailing_id, m.reminder, array_agg(r.email) AS emails, array_agg(r.email_id) AS email_ids
     FROM mailings m JOIN mailing_recipients r ON r.mailing_id = m.id AND r.status = 'queued' AND r.email_id IS NOT NULL
     WHERE m.reminder IS NOT NULL AND m.status IN ('resolving', 'queued', 'paused')
     GROUP BY m.id`,
  );
  let taken = 0;
  for (const m of active.rows) {
    const waiting = await reads.waitingOf({ accountId: m.account_id, mailingId: m.id });
    const emails = m.emails.filter((_, i) => waiting.has(m.email_ids[i]!));
    if (emails.length === 0) continue;
    const still = await reminderFilter(db, reads, m, emails);
    const responded = m.email_ids.filter((id, i) => waiting.has(id) && !still.has(m.emails[i]!));
    if (responded.length === 0) continue;
    // The recipient rows follow exactly the mails the hold took off, in its transaction (lock
    // order as in a claim: mailbox, mail, recipient): a mail the drain claimed meanwhile is left
    // to the claim's own check, and its recipient is never shown skipped while it is sent.
    taken += await delivery.hold(m.account_id, responded, 'RESPONDED', async (tx, held) => {
      await tx.query(
        `UPDATE mailing_recipients SET status = 'skipped', reason = $3
         WHERE id IN (SELECT id FROM mailing_recipients WHERE mailing_id = $1 AND status = 'queued' AND email_id = ANY($2::uuid[]) ORDER BY id FOR UPDATE)`,
        [m.id, held, RESPONDED_REASON],
      );
    });
  }
  return taken;
}
