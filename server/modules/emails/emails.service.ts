/**
 * Composing and sending from a lead, contact or company: resolve the mailbox (the account's
 * global one wins), recipients and content, persist the email as `queued`, then enqueue its id.
 */
import crypto from 'node:crypto';
import type { EmailSearchQuery, EmailSearchView, EmailView, SendEmailRequest } from '../../../shared/schemas/email.js';
import { MAX_EMAIL_ATTACHMENTS_BYTES, NO_TRIGGERS } from '../../../shared/schemas/template.js';
import { loadTriggerPoints, saveTriggerPoints } from './email-triggers.js';
import type { EntityType } from '../../../shared/schemas/common.js';
import { withTransaction, type Db, type Queryable } from '../../infra/db/db.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { CrmClient } from '../../infra/crm/crm-client.js';
import { AppError, ErrorCode, invalid, notFound } from '../../errors.js';
import type { AuthContext } from '../../http/auth.js';
import { copyEmailFiles, insertEmailFiles, type AttachmentFile } from './email-files.js';
import type { MailboxesService } from '../mailboxes/mailboxes.service.js';
import type { MailboxRow } from '../mailboxes/mailboxes.repository.js';
import type { TemplatesService } from '../templates/templates.service.js';
import { composeMessage } from '../templates/compose.js';
import { contactEmails, loadEntityData } from '../templates/entity-data.js';
import * as repo from './emails.repository.js';
import type { ComposedMessage, TriggerLinkResolvers } from '../templates/compose.js';
import type { TriggerPoints } from '../../../shared/schemas/template.js';
import type { EmailSources, SendTemplate } from './sources.port.js';
import { automaticRecipients, type SystemSendRequest, type SystemSendResult } from './system-send.js';
import { emailViews } from './email-views.js';
import { releaseSlots, reserveSlot } from './pacing.js';
import { scheduleDrain } from './send-schedule.js';
import { finishPartlyDelivered } from './recipient-outcome.js';
import { assertCanViewEntity } from '../accounts/entity-access.js';
import { lockMailbox } from './mailbox-lock.js';
import { searchEmails, type SearchScope } from './email-search.js';

export class EmailsService {
  constructor(
    private readonly db: Db,
    private readonly queue: JobQueue,
    private readonly crmFor: (accountId: number) => Promise<CrmClient>,
    private readonly mailboxes: MailboxesService,
    private readonly templates: TemplatesService,
    private readonly messageIdDomain: string,
    /** Templates, triggers, the account and the automation cap, through their owners (container.ts). */
    private readonly sources: EmailSources,
    /** Resolves `{{triggerlink N}}` per email (trigger-links.service.ts); without it such templates fail. */
    private readonly links?: TriggerLinkResolvers,
  ) {}

  async send(auth: AuthContext, req: SendEmailRequest, files: AttachmentFile[]): Promise<EmailView> {
    const mailbox = await this.resolveMailbox(auth, req.mailboxId);
    const template = req.templateId ? await this.templates.getUsable(auth, req.templateId) : null;
    const crm = await this.crmFor(auth.accountId);
    await assertCanViewEntity(crm, auth, req.entityType, req.entityId);
    const data = await loadEntityData(crm, req.entityType, req.entityId);

    const to = new Set(req.to.map((a) => a.toLowerCase()));
    const contactIds: number[] = [];
    for (const [i, contactId] of req.contactIds.entries()) {
      const c = data.contacts.find((x) => x.id === contactId);
      if (!c) throw invalid(`contactIds.${i}`, `contact ${contactId} is not linked to this ${singular(req.entityType)}`);
      const emails = contactEmails(c);
      if (emails.length === 0) throw invalid(`contactIds.${i}`, `contact ${contactId} (${c.name}) has no valid email address`);
      emails.forEach((e) => to.add(e.toLowerCase()));
      contactIds.push(contactId);
    }
    if (to.size === 0) throw invalid('to', 'at least one recipient is required (contactIds or to)');

    // The id exists before rendering: trigger-link URLs are signed for this very email.
    const id = crypto.randomUUID();
    const composed = await composeMessage(
      this.db,
      auth,
      data,
      {
        subject: req.subject ?? template?.subject ?? '',
        html: req.html ?? template?.body_html ?? '',
        disableSignature: req.disableSignature ?? template?.disable_signature ?? false,
      },
      await this.links?.forEmail(auth.accountId, id),
    );
    const templateFiles = template ? await this.sources.templateFiles(template.id) : [];
    const allFiles = [...templateFiles, ...files];
    const total = allFiles.reduce((n, f) => n + f.content.length, 0);
    if (total > MAX_EMAIL_ATTACHMENTS_BYTES) {
      throw new AppError(ErrorCode.PAYLOAD_TOO_LARGE, `files: an email's attachments may total at most 100 MB (would be ${(total / 1048576).toFixed(1)} MB)`);
    }

    const queued = await this.persistAndEnqueue({
      id,
      accountId: auth.accountId,
      userId: auth.userId,
      mailbox,
      entityType: req.entityType,
      entityId: req.entityId,
      template,
      to: [...to],
      cc: req.cc,
      bcc: req.bcc,
      composed,
      files: allFiles,
      points: req.triggers ?? null,
      contactIds,
      source: 'manual',
      parentEmailId: null,
    });
    return this.get(auth, queued.emailId!);
  }

  /**
   * A send nobody clicked: the digital pipeline or a send_email trigger. Same compose and queue
   * path as a manual send, plus the runtime cap (send-cap.ts). Never throws for a reason that
   * is the configuration's, not the code's: it answers `skipped` with a sentence to record.
   */
  async sendSystem(req: SystemSendRequest): Promise<SystemSendResult> {
    const template = await this.sources.findTemplate(req.accountId, req.templateId);
    if (!template) return { status: 'skipped', code: 'no_template', reason: `template ${req.templateId} no longer exists` };
    const crm = await this.crmFor(req.accountId);
    const data = req.data ?? (await loadEntityData(crm, req.entity.type, req.entity.id));
    const { to, contactIds } = automaticRecipients(data);
    const word = singular(req.entity.type);
    if (to.length === 0) return { status: 'skipped', code: 'no_recipients', reason: `no contact of this ${word} has an email address` };
    const responsible = (data.lead ?? data.contact ?? data.company)?.responsible_user_id ?? null;
    const mailbox = await this.mailboxes.pickForSend(req.accountId, { chosenId: req.mailboxId, responsibleUserId: responsible, templateOwnerId: template.owner_user_id });
    if (!mailbox) {
      return {
        status: 'skipped',
        code: 'no_mailbox',
        reason: `no mailbox to send from: set the account's global mailbox, or add a mailbox for the ${word}'s responsible user or the template's owner`,
      };
    }
    const id = crypto.randomUUID();
    const composed = await composeMessage(
      this.db,
      { accountId: req.accountId, userId: mailbox.owner_user_id },
      data,
      { subject: template.subject, html: template.body_html, disableSignature: template.disable_signature },
      await this.links?.forEmail(req.accountId, id),
    );
    const files = await this.sources.templateFiles(template.id);
    const subject = { accountId: req.accountId, templateId: template.id, entityType: req.entity.type, entityId: req.entity.id };
    const queued = await this.persistAndEnqueue({
      id,
      accountId: req.accountId,
      userId: mailbox.owner_user_id,
      mailbox,
      entityType: req.entity.type,
      entityId: req.entity.id,
      template,
      to,
      cc: [],
      bcc: [],
      composed,
      files,
      points: null,
      contactIds,
      source: req.source,
      parentEmailId: req.parentEmailId ?? null,
      guard: async (tx) => {
        const v = await this.sources.checkSendCap(tx, subject, template.name);
        return v.ok ? null : { code: v.rule, reason: v.reason };
      },
      onQueued: req.onQueued,
    });
    if (queued.skipped) {
      // Said in the CRM where the manager looks; a note that cannot be written must not turn a
      // deliberate skip into an error.
      const noteAdded = await crm
        .addNote(req.entity.type, req.entity.id, `leadmail: ${queued.skipped.reason}.`)
        .then(() => true)
        .catch(() => false);
      return { status: 'skipped', ...queued.skipped, noteAdded };
    }
    return { status: 'queued', emailId: queued.emailId!, mailboxId: mailbox.id, to };
  }

  /** The one insert path: persist as `queued` with trigger points, then enqueue the id. */
  private async persistAndEnqueue(p: PersistInput): Promise<{ emailId?: string; skipped?: { code: 'per_day' | 'repeat_limit'; reason: string } }> {
    const id = p.id ?? crypto.randomUUID();
    // Read and checked through their owners before the transaction (a second connection inside it could starve the pool).
    const points = p.points ?? (p.template ? await this.sources.templateTriggerPoints(p.template.id) : NO_TRIGGERS);
    await this.sources.assertTriggersExist(p.accountId, points);
    const outcome = await withTransaction(this.db, async (tx) => {
      const mb = (await lockMailbox(tx, p.mailbox.id)) ?? p.mailbox;
      const refused = p.guard ? await p.guard(tx) : null;
      if (refused) return { refused };
      const s = await reserveSlot(tx, mb);
      await repo.insertEmail(tx, {
        id,
        accountId: p.accountId,
        userId: p.userId,
        mailboxId: p.mailbox.id,
        entityType: p.entityType,
        entityId: p.entityId,
        templateId: p.templateId !== undefined ? p.templateId : (p.template?.id ?? null),
        messageId: `<${id}@${this.messageIdDomain}>`,
        to: p.to,
        cc: p.cc,
        bcc: p.bcc,
        subject: p.composed.subject,
        html: p.composed.html,
        linkAttachments: p.linkAttachments ?? p.template?.link_attachments ?? [],
        notBefore: s.at,
        source: p.source,
        parentEmailId: p.parentEmailId,
        contactIds: p.contactIds,
      });
      await insertEmailFiles(tx, p.accountId, id, p.files);
      if (p.copyFilesFrom) await copyEmailFiles(tx, p.accountId, p.copyFilesFrom, id);
      await saveTriggerPoints(tx, p.accountId, id, points);
      await repo.addEvent(tx, id, p.accountId, 'queued', { scheduledAt: s.at.toISOString(), mailboxPaused: mb.paused, source: p.source });
      await p.onQueued?.(tx, id);
      return { slot: s, paused: mb.paused };
    });
    if ('refused' in outcome) return { skipped: outcome.refused! };
    // The mailbox's drain after commit: it only ever finds rows that exist. A crash in between
    // is healed by the recovery sweep (email-queue.ts).
    if (!outcome.paused) await scheduleDrain(this.db, this.queue, p.mailbox.id, outcome.slot.inMs);
    return { emailId: id };
  }

  async get(auth: AuthContext, id: string): Promise<EmailView> {
    const row = await repo.findEmail(this.db, auth.accountId, id);
    if (!row) throw notFound('email');
    await this.assertCanSee(auth, row);
    const [view] = await this.views([row], true);
    return view!;
  }

  /**
   * A mail is part of its entity's history: someone Kommo would not show the entity cannot read or
   * cancel it by id either. The sender always may (it is their own mail), which also spares the
   * widget's status polling a Kommo read; users with full rights cost no Kommo read at all.
   */
  private async assertCanSee(auth: AuthContext, row: { user_id: number; mailbox_id: string; entity_type: EntityType; entity_id: number }): Promise<void> {
    if (row.user_id === auth.userId) return;
    // So may the owner of the mailbox it left from: the history page lists such mails too (search).
    if ((await this.ownMailboxIds(auth)).includes(row.mailbox_id)) return;
    await assertCanViewEntity(await this.crmFor(auth.accountId), auth, row.entity_type, row.entity_id);
  }

  /** The history page: every mail of the account for an admin; for a user, the mails they may see by right (assertCanSee's first two). */
  async search(auth: AuthContext, q: EmailSearchQuery): Promise<EmailSearchView> {
    const scope: SearchScope = auth.isAdmin ? { all: true } : { all: false, userId: auth.userId, mailboxIds: await this.ownMailboxIds(auth) };
    return { page: q.page, limit: q.limit, ...(await searchEmails(this.db, auth.accountId, scope, q)) };
  }

  /** The caller's own mailboxes (not the account's global one, which sends everybody's mail). */
  private async ownMailboxIds(auth: AuthContext): Promise<string[]> {
    return (await this.mailboxes.list(auth, false)).filter((m) => m.ownerUserId === auth.userId).map((m) => m.id);
  }

  async history(auth: AuthContext, entityType: EntityType, entityId: number, limit: number): Promise<EmailView[]> {
    await assertCanViewEntity(await this.crmFor(auth.accountId), auth, entityType, entityId);
    const rows = await repo.listForEntity(this.db, auth.accountId, entityType, entityId, limit);
    return this.views(rows, true);
  }

  async cancel(auth: AuthContext, id: string): Promise<EmailView> {
    const found = await repo.findEmail(this.db, auth.accountId, id);
    if (!found) throw notFound('email');
    await this.assertCanSee(auth, found);
    let ended = false;
    await withTransaction(this.db, async (tx) => {
      const e = await repo.findEmail(tx, auth.accountId, id);
      if (!e) throw notFound('email');
      // Lock order: mailbox, then email. The mailbox lock also guards its slot reservations.
      const mb = (await lockMailbox(tx, e.mailbox_id));
      // Queued again only for recipients who deferred it: it ends sent, naming them (recipient-outcome.ts).
      const partly = await finishPartlyDelivered(tx, { sql: "id = $1 AND status = 'queued'", params: [id] }, { code: 'CANCELLED', why: 'cancelled by the user', data: { by: auth.userId } });
      if (partly.length) ended = true;
      else {
        const r = await tx.query("UPDATE emails SET status = 'cancelled', updated_at = now() WHERE id = $1 AND status = 'queued'", [id]);
        if (!r.rowCount) throw new AppError(ErrorCode.CONFLICT, `status: an email that is ${e.status} cannot be cancelled`);
        await repo.addEvent(tx, id, auth.accountId, 'cancelled', { by: auth.userId });
      }
      // Its reserved slot is given back: cancel a long queue and the next mail leaves at once.
      if (mb) await releaseSlots(tx, mb);
    });
    // Its "sent" trigger points, which wait for the mail's end (send-outcome.ts).
    if (ended) await this.afterSent?.(id);
    return this.get(auth, id);
  }

  /** A partly delivered mail's cancel ended it `sent`: its trigger points (set by the container, which builds the triggers after this service). */
  afterSent?: (emailId: string) => Promise<void>;
  /**
   * A failed or unknown mail sent again, knowingly: a NEW email with the same mailbox, recipients,
   * rendered subject and body, files and trigger points (the old one keeps its history, plus a
   * `resent` event naming the new id). Visible to whoever may see the old one; it must come from
   * a mailbox the caller may still use. Resending a mail twice is refused: resend the new one.
   */
  async resend(auth: AuthContext, id: string): Promise<EmailView> {
    const old = await repo.findEmail(this.db, auth.accountId, id);
    if (!old) throw notFound('email');
    await this.assertCanSee(auth, old);
    assertResendable(old.status);
    const mailbox = await this.mailboxes.getVisibleRow(auth, old.mailbox_id).catch((err: unknown) => {
      if (err instanceof AppError && err.code === ErrorCode.NOT_FOUND) {
        throw new AppError(ErrorCode.CONFLICT, 'mailboxId: the mailbox this email was sent from is deleted or belongs to another user; write it again with “New email”');
      }
      throw err;
    });
    const newId = crypto.randomUUID();
    const points = await loadTriggerPoints(this.db, old.id);
    const queued = await this.persistAndEnqueue({
      id: newId,
      accountId: auth.accountId,
      userId: auth.userId,
      mailbox,
      entityType: old.entity_type,
      entityId: old.entity_id,
      template: null,
      templateId: old.template_id,
      linkAttachments: old.link_attachments,
      to: old.to_addresses,
      cc: old.cc_addresses,
      bcc: old.bcc_addresses,
      // Clicks in the new mail count for the new mail: its trigger links are signed for its id.
      composed: { subject: old.subject, html: this.links?.rebind?.(old.body_html, old.id, newId) ?? old.body_html, text: '' },
      files: [],
      copyFilesFrom: old.id,
      points,
      contactIds: ((old as { contact_ids?: (string | number)[] }).contact_ids ?? []).map(Number),
      source: 'manual',
      parentEmailId: null,
      onQueued: async (tx, emailId) => {
        // Under the old mail's row lock: two clicks make one new mail, the second gets a 409.
        const locked = await repo.lockEmail(tx, old.id);
        assertResendable(locked?.status ?? old.status);
        const earlier = await tx.query<{ data: { emailId?: string } }>("SELECT data FROM email_events WHERE email_id = $1 AND type = 'resent' LIMIT 1", [old.id]);
        if (earlier.rows[0]) throw new AppError(ErrorCode.CONFLICT, `status: this email was already resent as ${earlier.rows[0].data.emailId ?? 'another email'}; resend that one if it failed too`);
        await repo.addEvent(tx, old.id, auth.accountId, 'resent', { emailId, by: auth.userId, text: `resent as ${emailId}` });
        await repo.addEvent(tx, emailId, auth.accountId, 'resend_of', { emailId: old.id, by: auth.userId });
      },
    });
    return this.get(auth, queued.emailId!);
  }

  private async resolveMailbox(auth: AuthContext, requested: string | undefined): Promise<MailboxRow> {
    const global = await this.sources.globalMailboxId(auth.accountId);
    if (global) return this.mailboxes.getVisibleRow(auth, global);
    if (!requested) throw invalid('mailboxId', 'is required (the account has no global mailbox)');
    const mb = await this.mailboxes.getVisibleRow(auth, requested);
    if (mb.owner_user_id !== auth.userId && !auth.isAdmin) throw notFound('mailbox');
    return mb;
  }

  private views(rows: repo.EmailRow[], withEvents: boolean): Promise<EmailView[]> {
    return emailViews(this.db, this.sources, rows, withEvents);
  }
}

interface PersistInput {
  /** Given when the body was rendered for this id (trigger-link URLs carry it). */
  id?: string;
  accountId: number;
  userId: number;
  mailbox: MailboxRow;
  entityType: EntityType;
  entityId: number;
  template: SendTemplate | null;
  to: string[];
  cc: string[];
  bcc: string[];
  composed: ComposedMessage;
  files: AttachmentFile[];
  /** null: the template's trigger points. */
  points: TriggerPoints | null;
  contactIds: number[];
  source: 'manual' | 'pipeline' | 'trigger';
  parentEmailId: string | null;
  /** Overrides the template's id (a resend keeps the original's, without its template row). */
  templateId?: string | null;
  /** Overrides the template's link attachments. */
  linkAttachments?: { url: string; filename?: string }[];
  /** Another email of the account whose stored files this one gets too (a resend), copied in SQL. */
  copyFilesFrom?: string;
  /** Runs first in the transaction; a reason returned means the email is not created. */
  guard?: (tx: Queryable) => Promise<{ code: 'per_day' | 'repeat_limit'; reason: string } | null>;
  onQueued?: (tx: Queryable, emailId: string) => Promise<void>;
}

function assertResendable(status: repo.EmailRow['status']): void {
  if (status !== 'failed' && status !== 'unknown') {
    throw new AppError(ErrorCode.CONFLICT, `status: an email that is ${status} cannot be resent (only failed or unknown ones)`);
  }
}

const singular = (t: EntityType): string => ({ leads: 'lead', contacts: 'contact', companies: 'company' })[t];
