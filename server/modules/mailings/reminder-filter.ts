/**
 * Who of a mailing has not responded yet, asked when the reminder resolves (its start time), so
 * a person who opened or clicked in between is skipped. Reads the tracking counters of the first
 * mailing's mails (read-only: the emails and tracking modules own those rows).
 */
import type { Queryable } from '../../infra/db/db.js';
import type { MailingRow } from './mailings.repository.js';

const RESPONDED = {
  not_opened: 'e.human_opens > 0',
  not_clicked: 'e.human_clicks > 0',
  not_clicked_link: `EXISTS (SELECT 1 FROM tracking_hits h WHERE h.email_id = e.id AND h.kind = 'click' AND h.human AND h.link_id = $3)`,
} as const;

/** The addresses (lower-case) among `emails` that got the first mailing's mail and have not responded. */
export async function reminderFilter(db: Queryable, m: Pick<MailingRow, 'parent_mailing_id' | 'reminder'>, emails: string[]): Promise<Set<string>> {
  if (!m.parent_mailing_id || !m.reminder || emails.length === 0) return new Set();
  const r = await db.query<{ email: string }>(
    `SELECT r.email FROM mailing_recipients r JOIN emails e ON e.id = r.email_id
     WHERE r.mailing_id = $1 AND r.email = ANY($2::text[]) AND e.status = 'sent' AND NOT (${RESPONDED[m.reminder.condition]})`,
    m.reminder.condition === 'not_clicked_link' ? [m.parent_mailing_id, emails, m.reminder.linkId ?? 0] : [m.parent_mailing_id, emails],
  );
  return new Set(r.rows.map((x) => x.email));
}
