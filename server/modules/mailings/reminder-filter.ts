/**
 * Who of a mailing has not responded yet, asked when the reminder resolves (its start time) and
 * again when the drain claims each reminder mail (reminder-guard.ts), so a person who opened or
 * clicked in between is skipped. The first mailing's recipients are this module's rows; whether
 * their mail left and was opened or clicked is asked through the port.
 */
import type { Queryable } from '../../infra/db/db.js';
import type { ResponseReads, Response } from './delivery.port.js';
import type { MailingRow, ReminderRule } from './mailings.repository.js';

const RESPONSE: Record<ReminderRule['condition'], (r: ReminderRule) => Response> = {
  not_opened: () => ({ kind: 'opened' }),
  not_clicked: () => ({ kind: 'clicked' }),
  not_clicked_link: (r) => ({ kind: 'clicked_link', linkId: r.linkId ?? 0 }),
};

/** The addresses (lower-case) among `emails` that got the first mailing's mail and have not responded. */
export async function reminderFilter(db: Queryable, reads: ResponseReads, m: Pick<MailingRow, 'parent_mailing_id' | 'reminder'>, emails: string[]): Promise<Set<string>> {
  if (!m.parent_mailing_id || !m.reminder || emails.length === 0) return new Set();
  const first = await db.query<{ email: string; email_id: string }>(
    'SELECT email, email_id FROM mailing_recipients WHERE mailing_id = $1 AND email = ANY($2::text[]) AND email_id IS NOT NULL',
    [m.parent_mailing_id, emails],
  );
  const ids = first.rows.map((r) => r.email_id);
  // One after the other: `reads` may be bound to one transaction's connection (reminder-guard.ts).
  const sent = await reads.sentAmong(ids);
  const responded = await reads.respondedAmong(ids, RESPONSE[m.reminder.condition](m.reminder));
  return new Set(first.rows.filter((r) => sent.has(r.email_id) && !responded.has(r.email_id)).map((r) => r.email));
}
