/** The history view of emails: status, events, attachments, tracking counts and trigger runs. */
import type { EmailView } from '../../../shared/schemas/email.js';
import type { Queryable } from '../../infra/db/db.js';
import { NO_TRACKING, trackingFor } from '../tracking/tracking-views.js';
import { listEvents, type EmailRow } from './emails.repository.js';
import type { EmailSources } from './sources.port.js';

export async function emailViews(db: Queryable, sources: Pick<EmailSources, 'triggerRunsOf'>, rows: EmailRow[], withEvents: boolean): Promise<EmailView[]> {
  const ids = rows.map((r) => r.id);
  const events = withEvents ? await listEvents(db, ids) : [];
  const files = await db.query<{ email_id: string; id: string; filename: string; size: number; content_type: string }>(
    'SELECT email_id, id, filename, size, content_type FROM attachments WHERE email_id = ANY($1::uuid[]) ORDER BY created_at, id',
    [ids],
  );
  const tracking = await trackingFor(db, ids);
  const triggerRuns = await sources.triggerRunsOf(ids);
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    entityType: r.entity_type,
    entityId: r.entity_id,
    mailboxId: r.mailbox_id,
    templateId: r.template_id,
    userId: r.user_id,
    messageId: r.message_id,
    to: r.to_addresses,
    cc: r.cc_addresses,
    bcc: r.bcc_addresses,
    subject: r.subject,
    attempts: r.attempts,
    scheduledAt: r.not_before.toISOString(),
    sentAt: r.sent_at?.toISOString() ?? null,
    error: r.error_code || r.error_text ? { code: r.error_code, text: r.error_text } : null,
    sentFolder: r.sent_folder,
    opens: r.opens_count,
    firstOpenedAt: r.first_opened_at?.toISOString() ?? null,
    tracking: tracking.get(r.id) ?? NO_TRACKING,
    createdAt: r.created_at.toISOString(),
    attachments: files.rows
      .filter((f) => f.email_id === r.id)
      .map((f) => ({ id: f.id, filename: f.filename, size: f.size, contentType: f.content_type })),
    events: withEvents
      ? events.filter((e) => e.email_id === r.id).map((e) => ({ type: e.type, at: e.at.toISOString(), data: e.data }))
      : undefined,
    triggerRuns: triggerRuns.get(r.id) ?? [],
  }));
}
