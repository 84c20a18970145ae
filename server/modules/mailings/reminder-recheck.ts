/**
 * A reminder's mails are planned at the mailbox's pace, so some wait minutes or hours after the
 * reminder resolved. This sweep (every minute, and callable) takes back the still-waiting mails
 * of recipients who responded meanwhile, and records them as skipped with the reason.
 */
import type { Db } from '../../infra/db/db.js';
import type { MailingDelivery } from './delivery.port.js';
import type { MailingRow } from './mailings.repository.js';
import { reminderFilter } from './reminder-filter.js';

export const RECHECK_JOB = 'mailing.reminder-recheck';
const RESPONDED = 'responded to the first mailing';

export async function recheckReminders(db: Db, delivery: MailingDelivery): Promise<number> {
  // Reminders with mails that have not left yet (queued, or held by a pause).
  const waiting = await db.query<Pick<MailingRow, 'id' | 'account_id' | 'parent_mailing_id' | 'reminder'> & { emails: string[] }>(
    `SELECT m.id, m.account_id, m.parent_mailing_id, m.reminder, array_agg(r.email) AS emails
     FROM mailings m JOIN mailing_recipients r ON r.mailing_id = m.id AND r.status = 'queued'
     JOIN emails e ON e.id = r.email_id AND (e.status = 'queued' OR (e.status = 'cancelled' AND e.error_code = 'MAILING_PAUSED'))
     WHERE m.reminder IS NOT NULL AND m.status IN ('resolving', 'queued', 'paused')
     GROUP BY m.id`,
  );
  let taken = 0;
  for (const m of waiting.rows) {
    const still = await reminderFilter(db, m, m.emails);
    const responded = m.emails.filter((e) => !still.has(e));
    if (responded.length === 0) continue;
    const rows = await db.query<{ email_id: string }>(
      `UPDATE mailing_recipients SET status = 'skipped', reason = $3
       WHERE mailing_id = $1 AND status = 'queued' AND email = ANY($2::text[]) RETURNING email_id`,
      [m.id, responded, RESPONDED],
    );
    taken += await delivery.hold(m.account_id, rows.rows.map((r) => r.email_id), 'RESPONDED');
  }
  return taken;
}
