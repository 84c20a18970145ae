/**
 * Mailings: accept (one row, answered at once), then resolve in the background (resolve.job.ts);
 * pause, resume and cancel; progress and recipients; reminders to those who did not respond.
 */
import crypto from 'node:crypto';
import { withTransaction, type Db } from '../../infra/db/db.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import { AppError, ErrorCode, invalid, notFound } from '../../errors.js';
import type { AuthContext } from '../../http/auth.js';
import type { CreateMailingRequest, CreateReminderRequest, MailingListItem, MailingListView, MailingsQuery, MailingStats, MailingView, RecipientsPage } from '../../../shared/schemas/mailing.js';
import type { z } from 'zod';
import type { MailboxesService } from '../mailboxes/mailboxes.service.js';
import type { TemplatesService } from '../templates/templates.service.js';
import type { MailingDelivery, MailingKey, MailingReads } from './delivery.port.js';
import type { MailingSources } from './sources.port.js';
import * as repo from './mailings.repository.js';
import type { MailingRow, NewMailing } from './mailings.repository.js';
import { countsOf, paceOf, reasonsOf, recipientsPage } from './progress.js';
import { scheduleResolve } from './resolve.job.js';
import { statsOf } from './stats.js';
import { recheckReminders } from './reminder-recheck.js';

type Content = Pick<CreateMailingRequest, 'templateId' | 'subject' | 'html' | 'disableSignature' | 'startAt' | 'triggers'> & { mailboxId?: string };

export class MailingsService {
  constructor(
    private readonly db: Db,
    private readonly queue: JobQueue,
    private readonly mailboxes: MailboxesService,
    private readonly templates: TemplatesService,
    private readonly delivery: MailingDelivery,
    private readonly reads: MailingReads,
    private readonly links: { get(auth: AuthContext, id: number): Promise<unknown> },
    private readonly sources: MailingSources,
  ) {}

  async create(auth: AuthContext, req: CreateMailingRequest): Promise<{ id: string; status: 'resolving' }> {
    const id = crypto.randomUUID();
    await repo.insertMailing(this.db, {
      id,
      accountId: auth.accountId,
      userId: auth.userId,
      entityType: req.entityType,
      // Selecting the same entity twice in a list is one selection.
      ids: [...new Set(req.ids)],
      recipients: req.recipients,
      creatorIsAdmin: auth.isAdmin,
      ...(await this.content(auth, req)),
    });
    await scheduleResolve(this.queue, id);
    return { id, status: 'resolving' };
  }

  /** A follow-up mailing to the first one's recipients who have not responded by its start time. */
  async remind(auth: AuthContext, parentId: string, req: CreateReminderRequest): Promise<{ id: string; status: 'resolving' }> {
    const parent = await this.row(auth, parentId);
    const ids = (await this.db.query<{ entity_id: string }>(
      "SELECT DISTINCT entity_id FROM mailing_recipients WHERE mailing_id = $1 AND status = 'queued' AND email_id IS NOT NULL",
      [parent.id],
    )).rows.map((r) => Number(r.entity_id));
    if (ids.length === 0) throw new AppError(ErrorCode.CONFLICT, 'mailing: it has no recipients to remind yet');
    if (req.linkId !== undefined) {
      // A link of another account (or none) would make every recipient look like a non-clicker.
      await this.links.get(auth, req.linkId).catch((err) => {
        throw isNotFound(err) ? invalid('linkId', 'is not a trigger link of this account') : err;
      });
    }
    const id = crypto.randomUUID();
    const content = await this.content(auth, { ...req, mailboxId: req.mailboxId ?? parent.mailbox_id ?? 'responsible' });
    await repo.insertMailing(this.db, {
      id,
      accountId: auth.accountId,
      userId: auth.userId,
      entityType: parent.entity_type,
      ids,
      // Same addresses as the first mailing, so the "who responded" check matches them.
      recipients: parent.recipients,
      creatorIsAdmin: auth.isAdmin,
      ...content,
      parentMailingId: parent.id,
      reminder: { condition: req.condition, linkId: req.linkId },
    });
    // Who responded is decided when the reminder resolves: at its start time.
    await scheduleResolve(this.queue, id, content.startAt ?? undefined);
    return { id, status: 'resolving' };
  }

  private async content(auth: AuthContext, req: Content): Promise<Omit<NewMailing, 'id' | 'accountId' | 'userId' | 'entityType' | 'ids' | 'recipients' | 'creatorIsAdmin'>> {
    const template = req.templateId
      ? await this.templates.getUsable(auth, req.templateId).catch((err) => {
          // A field of the request, not the addressed resource: 400 naming it.
          throw isNotFound(err) ? invalid('templateId', 'is not a template you may use') : err;
        })
      : null;
    // Refused now, as a template's would be at save: not after reading Kommo for every id.
    await this.templates.assertInlineContent(auth.accountId, { subject: req.subject, html: req.html });
    if (req.triggers) await this.sources.assertTriggersExist(auth.accountId, req.triggers);
    return {
      templateId: template?.id ?? null,
      subject: req.subject ?? null,
      html: req.html ?? null,
      disableSignature: req.disableSignature ?? false,
      mailboxId: await this.mailboxOf(auth, req.mailboxId ?? 'responsible'),
      startAt: req.startAt ? new Date(req.startAt) : null,
      triggers: req.triggers ?? null,
    };
  }

  /** null = each entity's responsible user's mailbox; the account's global mailbox always wins. */
  private async mailboxOf(auth: AuthContext, requested: string): Promise<string | null> {
    const global = await this.sources.globalMailboxId(auth.accountId);
    if (global) return global;
    if (requested === 'responsible') return null;
    const mb = await this.mailboxes.getVisibleRow(auth, requested).catch(() => null);
    if (!mb || (mb.owner_user_id !== auth.userId && !auth.isAdmin)) throw invalid('mailboxId', 'is not a mailbox you may send from');
    return mb.id;
  }

  /** Newest first; a filter on a status derived from the mails (queued, sending, done, paused) pages after deriving it. */
  async list(auth: AuthContext, q: MailingsQuery): Promise<MailingListView> {
    const filter = { accountId: auth.accountId, ownerUserId: ownerOf(auth), statuses: q.status ? STORED_FOR[q.status] : null };
    const offset = (q.page - 1) * q.limit;
    if (!q.status || EXACT.has(q.status)) {
      const [rows, total] = await Promise.all([repo.listMailings(this.db, filter, q.limit, offset), repo.countMailings(this.db, filter)]);
      return { page: q.page, limit: q.limit, total, items: await Promise.all(rows.map((m) => this.viewOf(m))) };
    }
    const all = (await Promise.all((await repo.listMailings(this.db, filter, null, 0)).map((m) => this.viewOf(m)))).filter((v) => v.status === q.status);
    return { page: q.page, limit: q.limit, total: all.length, items: all.slice(offset, offset + q.limit) };
  }

  async get(auth: AuthContext, id: string): Promise<MailingView> {
    const m = await this.row(auth, id);
    const [view, reasons, pace] = await Promise.all([this.viewOf(m), reasonsOf(this.db, this.reads, keyOf(m)), paceOf(this.reads, keyOf(m))]);
    return { ...view, ...pace, reasons };
  }

  private async viewOf(m: MailingRow): Promise<MailingListItem> {
    const [counts, held] = await Promise.all([countsOf(this.db, this.reads, keyOf(m)), m.status === 'queued' ? this.reads.pausedMailboxesOf(keyOf(m)) : []]);
    const view = this.view(m, counts);
    if (held.length === 0) return view;
    // Delivery paused the mailbox (e.g. SMTP 535): the mailing waits for it, and says why.
    return { ...view, status: 'paused', statusReason: held.map((h) => `mailbox "${h.name}" is paused: ${h.reason ?? 'paused'}`).join('; ') };
  }

  /** A name for each of the account's mailings among `ids` (its subject, else its template's name) and when it was created: the statistics page's. */
  async namesOf(accountId: number, ids: string[]): Promise<Map<string, { name: string | null; createdAt: Date }>> {
    const heads = await repo.headsOf(this.db, accountId, ids);
    const templates = await this.templates.namesOf(accountId, [...new Set(heads.flatMap((h) => (h.subject || !h.template_id ? [] : [h.template_id])))]);
    return new Map(heads.map((h) => [h.id, { name: h.subject || (h.template_id ? (templates.get(h.template_id) ?? null) : null), createdAt: h.created_at }]));
  }

  /** Takes back waiting reminder mails of recipients who responded since (runs every minute). */
  recheckReminders(): Promise<number> {
    return recheckReminders(this.db, this.delivery, this.reads);
  }

  async stats(auth: AuthContext, id: string): Promise<MailingStats> {
    return statsOf(this.reads, keyOf(await this.row(auth, id)));
  }

  async recipients(auth: AuthContext, id: string, q: Parameters<typeof recipientsPage>[3]): Promise<z.infer<typeof RecipientsPage>> {
    const m = await this.row(auth, id);
    return { page: q.page, limit: q.limit, ...(await recipientsPage(this.db, this.reads, keyOf(m), q)) };
  }

  /** Every recipient as CSV (RFC 4180), read page by page so 100,000 rows are not held twice. */
  async *csv(auth: AuthContext, id: string): AsyncGenerator<string> {
    const m = await this.row(auth, id);
    yield 'entity_type,entity_id,contact_id,email,status,reason,email_id,sent_at\r\n';
    for (let page = 1; ; page++) {
      const { items } = await recipientsPage(this.db, this.reads, keyOf(m), { page, limit: 500 });
      for (const r of items) yield [r.entityType, r.entityId, r.contactId, r.email, r.status, r.reason, r.emailId, r.sentAt].map(csvCell).join(',') + '\r\n';
      if (items.length < 500) return;
    }
  }

  async pause(auth: AuthContext, id: string): Promise<MailingView> {
    const m = await this.transition(auth, id, ['resolving', 'queued'], 'paused');
    await this.delivery.hold(auth.accountId, { mailingId: m.id }, 'MAILING_PAUSED');
    return this.get(auth, id);
  }

  async resume(auth: AuthContext, id: string): Promise<MailingView> {
    const m = await this.row(auth, id);
    const next = m.resolved_count < m.selected ? 'resolving' : 'queued';
    await this.transition(auth, id, ['paused'], next);
    await this.delivery.release(auth.accountId, { mailingId: m.id });
    if (next === 'resolving') await scheduleResolve(this.queue, m.id);
    return this.get(auth, id);
  }

  async cancel(auth: AuthContext, id: string): Promise<MailingView> {
    const m = await this.transition(auth, id, ['resolving', 'queued', 'paused'], 'cancelled');
    await this.delivery.hold(auth.accountId, { mailingId: m.id }, 'MAILING_CANCELLED');
    return this.get(auth, id);
  }

  /**
   * Under the mailing's row lock, which the resolve job also takes before it commits a batch:
   * a batch is either committed before the pause (and then held by it) or not at all.
   */
  private async transition(auth: AuthContext, id: string, from: repo.StoredStatus[], to: repo.StoredStatus): Promise<MailingRow> {
    return withTransaction(this.db, async (tx) => {
      const locked = await tx.query<{ status: repo.StoredStatus }>('SELECT status FROM mailings WHERE account_id = $1 AND id = $2 AND ($3::bigint IS NULL OR user_id = $3) FOR UPDATE',
        [auth.accountId, id, ownerOf(auth)],
      );
      const status = locked.rows[0]?.status;
      if (!status) throw notFound('mailing');
      if (!from.includes(status)) throw new AppError(ErrorCode.CONFLICT, `status: a mailing that is ${status} cannot be ${to === 'resolving' || to === 'queued' ? 'resumed' : to}`);
      await repo.setStatus(tx, id, to);
      return (await repo.findMailing(tx, auth.accountId, id))!;
    });
  }

  private async row(auth: AuthContext, id: string): Promise<MailingRow> {
    const m = await repo.findMailing(this.db, auth.accountId, id, ownerOf(auth));
    if (!m) throw notFound('mailing');
    return m;
  }

  private view(m: MailingRow, counts: MailingView['counts']): MailingListItem {
    return {
      id: m.id,
      status: effectiveStatus(m, counts),
      statusReason: m.status_reason,
      entityType: m.entity_type,
      selected: m.selected,
      resolved: m.resolved_count,
      templateId: m.template_id,
      mailboxId: m.mailbox_id,
      parentMailingId: m.parent_mailing_id,
      startAt: m.start_at?.toISOString() ?? null,
      createdAt: m.created_at.toISOString(),
      counts,
    };
  }
}

/** How the emails side knows a mailing's mails (the batch gave them its id). */
function keyOf(m: MailingRow): MailingKey {
  return { accountId: m.account_id, mailingId: m.id };
}

/** A non-admin sees and acts on the mailings they created (others answer 404, as if absent); an admin on the account's. */
function ownerOf(auth: AuthContext): number | null {
  return auth.isAdmin ? null : auth.userId;
}

/** The stored statuses a listed status can come from (effectiveStatus derives queued, sending, done, and paused by a red mailbox). */
const STORED_FOR: Record<MailingView['status'], repo.StoredStatus[]> = {
  resolving: ['resolving'],
  queued: ['queued'],
  sending: ['queued'],
  done: ['queued'],
  paused: ['paused', 'queued'],
  cancelled: ['cancelled'],
  failed: ['failed'],
};
/** Statuses the stored one answers alone, so the database pages them. */
const EXACT = new Set<MailingView['status']>(['resolving', 'cancelled', 'failed']);

/** queued until the first mail leaves, sending while any is still on its way, then done. */
function effectiveStatus(m: MailingRow, c: MailingView['counts']): MailingView['status'] {
  if (m.status !== 'queued') return m.status;
  if (c.queued + c.sending + c.pending === 0) return 'done';
  return c.sent + c.sending + c.failed > 0 ? 'sending' : 'queued';
}

const isNotFound = (err: unknown) => err instanceof AppError && err.code === ErrorCode.NOT_FOUND;

function csvCell(v: string | number | null): string {
  if (v === null) return '';
  let s = String(v);
  // A cell starting with = + - @ is a formula to a spreadsheet (CSV injection).
  if (/^[=+\-@\t\r]/.test(s) && typeof v === 'string') s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
