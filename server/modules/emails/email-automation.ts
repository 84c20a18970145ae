/**
 * Trigger points of the send pipeline: 'sent' and 'failed' when the outcome is recorded, and
 * 'not_opened' from a timer set at sending time. The timer checks for a human open when it
 * runs, so an open before then cancels it without anything to unschedule.
 */
import type { Db, Queryable } from '../../infra/db/db.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { TriggerRunner } from '../automation/automation.port.js';
import { emailTriggerIds, type Point } from './email-triggers.js';
import type { EmailRow } from './emails.repository.js';

export const NOT_OPENED_JOB = 'email.not-opened';

export async function fireEmailPoint(db: Queryable, runner: TriggerRunner, emailId: string, point: Point, vars?: Record<string, string>): Promise<void> {
  const triggerIds = await emailTriggerIds(db, emailId, point);
  if (triggerIds.length === 0) return;
  const e = (await db.query<EmailRow & { contact_ids: number[] }>('SELECT * FROM emails WHERE id = $1', [emailId])).rows[0];
  if (!e) return;
  await runner.fire({
    accountId: e.account_id,
    point,
    // One event per email and point: re-firing (recovery, a duplicated job) runs nothing twice.
    eventKey: `${point}:${emailId}`,
    triggerIds,
    entity: { type: e.entity_type, id: e.entity_id },
    email: {
      id: e.id,
      subject: e.subject,
      // A failed mail was never sent; its "date sent" in notes (seed 004 FAQ) is the failed attempt.
      sentAt: e.sent_at ?? (e.status === 'failed' ? e.updated_at : null),
      templateId: e.template_id,
      mailboxId: e.mailbox_id,
      userId: e.user_id,
      contactIds: e.contact_ids ?? [],
    },
    vars,
  });
}

export async function scheduleNotOpened(queue: JobQueue, email: Pick<EmailRow, 'id'> & { not_opened_after_seconds: number | null }, sentAt: Date): Promise<void> {
  if (!email.not_opened_after_seconds) return;
  await queue.schedule(NOT_OPENED_JOB, { emailId: email.id }, new Date(sentAt.getTime() + email.not_opened_after_seconds * 1000));
}

export async function runNotOpenedJob(db: Db, runner: TriggerRunner, data: { emailId: string }): Promise<void> {
  const r = await db.query<{ status: string; first_human_open_at: Date | null }>('SELECT status, first_human_open_at FROM emails WHERE id = $1', [data.emailId]);
  const e = r.rows[0];
  // Only a human open counts: a privacy proxy fetching the pixel does not cancel the timer.
  if (!e || e.status !== 'sent' || e.first_human_open_at) return;
  await fireEmailPoint(db, runner, data.emailId, 'not_opened');
}

/**
 * A crash between recording the outcome and firing its triggers, or before the not-opened timer
 * was queued, would lose them; the recovery sweep fires again whatever has no execution yet (the
 * unique event key makes this safe).
 */
export async function refireMissedPoints(db: Db, runner: TriggerRunner): Promise<void> {
  const missed = await db.query<{ id: string; point: Point }>(
    // Only points with an active trigger (firing the others records nothing, so they would be
    // found again every minute and crowd out the rest), oldest first.
    `SELECT e.id, t.point FROM emails e JOIN email_triggers t ON t.email_id = e.id JOIN triggers tr ON tr.id = t.trigger_id AND tr.active
     WHERE ((e.status = 'sent' AND t.point = 'sent') OR (e.status = 'failed' AND t.point = 'failed'))
       AND e.updated_at < now() - interval '1 minute' AND e.updated_at > now() - interval '1 day'
       AND NOT EXISTS (SELECT 1 FROM trigger_executions x WHERE x.event_key = t.point || ':' || e.id::text)
     GROUP BY e.id, t.point ORDER BY min(e.updated_at), e.id LIMIT 500`,
  );
  for (const m of missed.rows) await fireEmailPoint(db, runner, m.id, m.point);

  // Not-opened timers whose job was lost (a crash right after sending): due, unopened, never fired.
  const due = await db.query<{ id: string }>(
    `SELECT e.id FROM emails e
     WHERE e.status = 'sent' AND e.not_opened_after_seconds IS NOT NULL AND e.first_human_open_at IS NULL
       AND e.sent_at + make_interval(secs => e.not_opened_after_seconds) < now() - interval '1 minute'
       AND e.sent_at > now() - interval '30 days'
       AND EXISTS (SELECT 1 FROM email_triggers t JOIN triggers tr ON tr.id = t.trigger_id AND tr.active WHERE t.email_id = e.id AND t.point = 'not_opened')
       AND NOT EXISTS (SELECT 1 FROM trigger_executions x WHERE x.event_key = 'not_opened:' || e.id::text)
     ORDER BY e.sent_at + make_interval(secs => e.not_opened_after_seconds), e.id LIMIT 500`,
  );
  for (const d of due.rows) await runNotOpenedJob(db, runner, { emailId: d.id });
}
