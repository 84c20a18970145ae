/**
 * Composing and sending from a lead, contact or company: resolve the mailbox (the account's
 * global one wins), recipients and content, persist the email as `queued`, then enqueue its id.
 */
import crypto from 'node:crypto';
import type { EmailView, SendEmailRequest } from '../../../shared/schemas/email.js';
import { MAX_EMAIL_ATTACHMENTS_BYTES, NO_TRIGGERS } from '../../../shared/schemas/template.js';
import { assertTriggersExist, loadTriggerPoints, saveTriggerPoints } from '../templates/trigger-points.repository.js';
import type { EntityType } from '../../../shared/schemas/common.js';
import { withTransaction, type Db } from '../../infra/db/db.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { CrmClient } from '../../infra/crm/crm-client.js';
import { AppError, ErrorCode, invalid, notFound } from '../../errors.js';
import type { AuthContext } from '../../http/auth.js';
import { getAccount } from '../accounts/accounts.repository.js';
import * as attachments from '../attachments.repository.js';
import type { AttachmentFile } from '../attachments.repository.js';
import type { MailboxesService } from '../mailboxes/mailboxes.service.js';
import type { MailboxRow } from '../mailboxes/mailboxes.repository.js';
import type { TemplatesService } from '../templates/templates.service.js';
import { composeMessage } from '../templates/compose.js';
import { contactEmails, loadEntityData } from '../templates/entity-data.js';
import * as repo from './emails.repository.js';
import { reserveSlot } from './pacing.js';
import { scheduleSend } from './send-email.job.js';

export class EmailsService {
  constructor(
    private readonly db: Db,
    private readonly queue: JobQueue,
    private readonly crmFor: (accountId: number) => Promise<CrmClient>,
    private readonly mailboxes: MailboxesService,
    private readonly templates: TemplatesService,
    private readonly messageIdDomain: string,
  ) {}

  async send(auth: AuthContext, req: SendEmailRequest, files: AttachmentFile[]): Promise<EmailView> {
    const mailbox = await this.resolveMailbox(auth, req.mailboxId);
    const template = req.templateId ? await this.templates.getUsable(auth, req.templateId) : null;
    const crm = await this.crmFor(auth.accountId);
    const data = await loadEntityData(crm, req.entityType, req.entityId);

    const to = new Set(req.to.map((a) => a.toLowerCase()));
    const contactIds: number[] = [];
    for (const [i, contactId] of req.contactIds.entries()) {
      const c = data.contacts.find((x) => x.id === contactId);
      if (!c) throw invalid(`contactIds.${i}`, `contact ${contactId} is not linked to this ${singular(req.entityType)}`);
      const emails = contactEmails(c);
      if (emails.length === 0) throw invalid(`contactIds.${i}`, `contact ${contactId} (${c.name}) has no email address`);
      emails.forEach((e) => to.add(e.toLowerCase()));
      contactIds.push(contactId);
    }
    if (to.size === 0) throw invalid('to', 'at least one recipient is required (contactIds or to)');

    const composed = await composeMessage(this.db, auth, data, {
      subject: req.subject ?? template?.subject ?? '',
      html: req.html ?? template?.body_html ?? '',
      disableSignature: req.disableSignature ?? template?.disable_signature ?? false,
    });
    const templateFiles = template ? await attachments.loadAttachmentFiles(this.db, { templateId: template.id }) : [];
    const allFiles = [...templateFiles, ...files];
    const total = allFiles.reduce((n, f) => n + f.content.length, 0);
    if (total > MAX_EMAIL_ATTACHMENTS_BYTES) {
      throw new AppError(ErrorCode.PAYLOAD_TOO_LARGE, `files: an email's attachments may total at most 100 MB (would be ${(total / 1048576).toFixed(1)} MB)`);
    }

    const id = crypto.randomUUID();
    const slot = await withTransaction(this.db, async (tx) => {
      const mb = (await tx.query<MailboxRow>('SELECT * FROM mailboxes WHERE id = $1 FOR UPDATE', [mailbox.id])).rows[0] ?? mailbox;
      const s = await reserveSlot(tx, mb);
      await repo.insertEmail(tx, {
        id,
        accountId: auth.accountId,
        userId: auth.userId,
        mailboxId: mailbox.id,
        entityType: req.entityType,
        entityId: req.entityId,
        templateId: template?.id ?? null,
        messageId: `<${id}@${this.messageIdDomain}>`,
        to: [...to],
        cc: req.cc,
        bcc: req.bcc,
        subject: composed.subject,
        html: composed.html,
        linkAttachments: template?.link_attachments ?? [],
        notBefore: s,
      });
      await attachments.insertAttachments(tx, auth.accountId, { emailId: id }, allFiles);
      const points = req.triggers ?? (template ? await loadTriggerPoints(tx, { templateId: template.id }) : NO_TRIGGERS);
      await assertTriggersExist(tx, auth.accountId, points);
      await saveTriggerPoints(tx, { emailId: id }, points);
      if (contactIds.length) await tx.query('UPDATE emails SET contact_ids = $2 WHERE id = $1', [id, contactIds]);
      await repo.addEvent(tx, id, auth.accountId, 'queued', { scheduledAt: s.toISOString(), mailboxPaused: mb.paused });
      return s;
    });
    // Enqueue after commit: the job only ever points at a row that exists. A crash in between
    // is healed by the recovery sweep (email-queue.ts).
    if (!mailbox.paused) await scheduleSend(this.queue, id, slot);
    return this.get(auth, id);
  }

  async get(auth: AuthContext, id: string): Promise<EmailView> {
    const row = await repo.findEmail(this.db, auth.accountId, id);
    if (!row) throw notFound('email');
    const [view] = await this.views([row], true);
    return view!;
  }

  async history(auth: AuthContext, entityType: EntityType, entityId: number, limit: number): Promise<EmailView[]> {
    const rows = await repo.listForEntity(this.db, auth.accountId, entityType, entityId, limit);
    return this.views(rows, true);
  }

  async cancel(auth: AuthContext, id: string): Promise<EmailView> {
    await withTransaction(this.db, async (tx) => {
      const e = await repo.findEmail(tx, auth.accountId, id);
      if (!e) throw notFound('email');
      const r = await tx.query("UPDATE emails SET status = 'cancelled', updated_at = now() WHERE id = $1 AND status = 'queued'", [id]);
      if (!r.rowCount) throw new AppError(ErrorCode.CONFLICT, `status: an email that is ${e.status} cannot be cancelled`);
      await repo.addEvent(tx, id, auth.accountId, 'cancelled', { by: auth.userId });
    });
    return this.get(auth, id);
  }

  private async resolveMailbox(auth: AuthContext, requested: string | undefined): Promise<MailboxRow> {
    const account = await getAccount(this.db, auth.accountId);
    if (account?.global_mailbox_id) return this.mailboxes.getVisibleRow(auth, account.global_mailbox_id);
    if (!requested) throw invalid('mailboxId', 'is required (the account has no global mailbox)');
    const mb = await this.mailboxes.getVisibleRow(auth, requested);
    if (mb.owner_user_id !== auth.userId && !auth.isAdmin) throw notFound('mailbox');
    return mb;
  }

  private async views(rows: repo.EmailRow[], withEvents: boolean): Promise<EmailView[]> {
    const ids = rows.map((r) => r.id);
    const events = withEvents ? await repo.listEvents(this.db, ids) : [];
    const files = await this.db.query<{ email_id: string; id: string; filename: string; size: number; content_type: string }>(
      'SELECT email_id, id, filename, size, content_type FROM attachments WHERE email_id = ANY($1::uuid[]) ORDER BY created_at, id',
      [ids],
    );
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
      createdAt: r.created_at.toISOString(),
      attachments: files.rows
        .filter((f) => f.email_id === r.id)
        .map((f) => ({ id: f.id, filename: f.filename, size: f.size, contentType: f.content_type })),
      events: withEvents
        ? events.filter((e) => e.email_id === r.id).map((e) => ({ type: e.type, at: e.at.toISOString(), data: e.data }))
        : undefined,
    }));
  }
}

const singular = (t: EntityType): string => ({ leads: 'lead', contacts: 'contact', companies: 'company' })[t];
