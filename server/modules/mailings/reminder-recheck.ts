/**
 * A reminder's mails are planned at the mailbox's pace, so some wait minutes or hours after the
 * reminder resolved. This sweep (every minute, and callable) takes back the still-waiting mails
 * of recipients who responded meanwhile, and records them as skipped with the reason.
 */
import type { Db } from '../../infra/db/db.js';
import type { MailingDelivery, MailingReads } from './delivery.port.js';
import type { MailingRow } from './mailings.repository.js';
import { reminderFilter } from './reminder-filter.js';

export const RECHECK_JOB = 'mailing.reminder-recheck';
const RESPONDED = 'responded to the first mailing';

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
    const waiting = await reads.waitingAmong(m.email_ids);
    const emails = m.emails.filter((_, i) => waiting.has(m.email_ids[i]!));
    if (emails.length === 0) continue;
    const still = await reminderFilter(db, reads, m, emails);
    const responded = emails.filter((e) => !still.has(e));
    if (responded.length === 0) continue;
    const rows = await db.query<{ email_id: string }>(
      `UPDATE mailing_recipients SET status = 'skipped', reason = $3
       WHERE mailing_id = $1 AND status = 'queued' AND email = ANY($2::text[]) AND email_id = ANY($4::uuid[]) RETURNING email_id`,
      [m.id, responded, RESPONDED, [...waiting]],
    );
    taken += await delivery.hold(m.account_id, rows.rows.map((r) => r.email_id), 'RESPONDED');
  }
  return taken;
}
