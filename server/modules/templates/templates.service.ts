/**
 * Templates: own + public for users, all for admins (seed 004). Preview renders with real CRM
 * data and the signature through the same `composeMessage` the sender uses.
 */
import crypto from 'node:crypto';
import type { TemplateInput, TemplateListQuery, TemplateListView, TemplateView } from '../../../shared/schemas/template.js';
import { MAX_TEMPLATE_ATTACHMENTS_BYTES } from '../../../shared/schemas/template.js';
import type { EntityType } from '../../../shared/schemas/common.js';
import { withTransaction, type Db, type Queryable } from '../../infra/db/db.js';
import type { CrmClient } from '../../infra/crm/crm-client.js';
import { AppError, ErrorCode, invalid, notFound } from '../../errors.js';
import { assertLinkLooksPublic } from '../../infra/http/safe-fetch.js';
import { assertAdmin, type AuthContext } from '../../http/auth.js';
import * as attachments from '../attachments.repository.js';
import type { AttachmentFile } from '../attachments.repository.js';
import * as repo from './templates.repository.js';
import type { TemplateRow } from './templates.repository.js';
import { loadEntityData } from './entity-data.js';
import { composeMessage, type ComposedMessage, type TriggerLinkResolvers } from './compose.js';
import { listVariables } from './render/variables-catalog.js';
import { validateTemplate } from './render/render.js';
import { assertTriggersExist, loadTriggerPoints, saveTriggerPoints } from './trigger-points.repository.js';
import { assertNoAutomationLoop } from '../automation/loop-guard.loader.js';
import { linkIds } from '../trigger-links/trigger-links.repository.js';
import { assertCanViewEntity } from '../accounts/entity-access.js';

export class TemplatesService {
  constructor(
    private readonly db: Db,
    private readonly crmFor: (accountId: number) => Promise<CrmClient>,
    /** `{{triggerlink N}}` in previews: placeholder URLs that land like the real ones but fire nothing. */
    private readonly links?: TriggerLinkResolvers,
  ) {}

  async list(auth: AuthContext): Promise<TemplateView[]> {
    const rows = await repo.listTemplates(this.db, auth.accountId, auth.userId, auth.isAdmin);
    return Promise.all(rows.map((r) => this.view(auth, r)));
  }

  /** The templates page: a page of the list without bodies, attachments or trigger points. */
  async page(auth: AuthContext, q: TemplateListQuery): Promise<TemplateListView> {
    const { rows, total } = await repo.pageTemplates(this.db, auth.accountId, auth.userId, auth.isAdmin, {
      search: q.q ? q.q : null,
      limit: q.limit,
      offset: (q.page - 1) * q.limit,
    });
    const items = rows.map((r) => ({
      id: r.id,
      name: r.name,
      subject: r.subject,
      isPublic: r.is_public,
      ownerUserId: r.owner_user_id,
      canEdit: auth.isAdmin || r.owner_user_id === auth.userId,
      updatedAt: r.updated_at.toISOString(),
    }));
    return { page: q.page, limit: q.limit, total, items };
  }

  async get(auth: AuthContext, id: string): Promise<TemplateView> {
    return this.view(auth, await this.getUsable(auth, id));
  }

  /** A template the caller may use: own, public, or any for an admin. Others are "not found". */
  /** Names of the account's templates among `ids`, for a listing that shows them (the statistics page). */
  namesOf(accountId: number, ids: string[]): Promise<Map<string, string>> {
    return repo.namesOf(this.db, accountId, ids);
  }

  async getUsable(auth: AuthContext, id: string): Promise<TemplateRow> {
    const row = await repo.findTemplate(this.db, auth.accountId, id);
    if (!row || !(auth.isAdmin || row.is_public || row.owner_user_id === auth.userId)) throw notFound('template');
    return row;
  }

  private async getEditable(auth: AuthContext, id: string): Promise<TemplateRow> {
    const row = await this.getUsable(auth, id);
    // A public template of someone else is usable but not editable.
    if (!auth.isAdmin && row.owner_user_id !== auth.userId) {
      throw new AppError(ErrorCode.FORBIDDEN, 'only the owner or an administrator may change this template');
    }
    return row;
  }

  async create(auth: AuthContext, input: TemplateInput, files: AttachmentFile[]): Promise<TemplateView> {
    checkAttachmentBudget(0, files);
    const id = crypto.randomUUID();
    await withTransaction(this.db, async (tx) => {
      await repo.insertTemplate(tx, id, auth.accountId, this.columns(auth, input, auth.userId, null));
      await attachments.insertAttachments(tx, auth.accountId, { templateId: id }, files);
      await assertTriggersExist(tx, auth.accountId, input.triggers);
      await assertTriggerLinksExist(tx, auth.accountId, input);
      await saveTriggerPoints(tx, { templateId: id }, input.triggers);
      await assertNoAutomationLoop(tx, auth.accountId, { templateIds: [id] });
    });
    return this.get(auth, id);
  }

  async update(auth: AuthContext, id: string, input: TemplateInput): Promise<TemplateView> {
    const existing = await this.getEditable(auth, id);
    await withTransaction(this.db, async (tx) => {
      await repo.updateTemplate(tx, auth.accountId, id, this.columns(auth, input, existing.owner_user_id, existing.repeat_limit));
      await assertTriggersExist(tx, auth.accountId, input.triggers);
      await assertTriggerLinksExist(tx, auth.accountId, input);
      await saveTriggerPoints(tx, { templateId: id }, input.triggers);
      await assertNoAutomationLoop(tx, auth.accountId, { templateIds: [id] });
    });
    return this.get(auth, id);
  }

  async remove(auth: AuthContext, id: string): Promise<void> {
    await this.getEditable(auth, id);
    await repo.deleteTemplate(this.db, auth.accountId, id);
  }

  async addAttachments(auth: AuthContext, id: string, files: AttachmentFile[]): Promise<TemplateView> {
    await this.getEditable(auth, id);
    await withTransaction(this.db, async (tx) => {
      // Lock the template so two uploads cannot both pass the 50 MB check.
      await repo.findTemplate(tx, auth.accountId, id, true);
      const existing = await attachments.listAttachmentMeta(tx, { templateId: id });
      checkAttachmentBudget(existing.reduce((n, a) => n + a.size, 0), files);
      await attachments.insertAttachments(tx, auth.accountId, { templateId: id }, files);
    });
    return this.get(auth, id);
  }

  async removeAttachment(auth: AuthContext, id: string, attachmentId: string): Promise<void> {
    await this.getEditable(auth, id);
    if (!(await attachments.deleteTemplateAttachment(this.db, auth.accountId, id, attachmentId))) throw notFound('attachment');
  }

  async preview(
    auth: AuthContext,
    id: string | null,
    req: { entityType: EntityType; entityId: number; subject?: string; html?: string; disableSignature?: boolean },
  ): Promise<ComposedMessage> {
    const template = id ? await this.getUsable(auth, id) : null;
    const subject = req.subject ?? template?.subject;
    const html = req.html ?? template?.body_html;
    if (subject === undefined) throw new AppError(ErrorCode.VALIDATION, 'subject: is required without a template');
    if (html === undefined) throw new AppError(ErrorCode.VALIDATION, 'html: is required without a template');
    const crm = await this.crmFor(auth.accountId);
    await assertCanViewEntity(crm, auth, req.entityType, req.entityId);
    const data = await loadEntityData(crm, req.entityType, req.entityId);
    return composeMessage(
      this.db,
      auth,
      data,
      { subject, html, disableSignature: req.disableSignature ?? template?.disable_signature ?? false },
      await this.links?.forPreview(auth.accountId),
    );
  }

  async variables(auth: AuthContext): Promise<ReturnType<typeof listVariables>> {
    const crm = await this.crmFor(auth.accountId);
    const [leads, contacts, companies, pipelines] = await Promise.all([
      crm.listCustomFields('leads'),
      crm.listCustomFields('contacts'),
      crm.listCustomFields('companies'),
      crm.listPipelines(),
    ]);
    return listVariables({ fieldDefs: { leads, contacts, companies }, pipelines });
  }

  /** Inline content (a mailing's subject and body) refused as a template's would be at save. */
  async assertInlineContent(accountId: number, content: { subject?: string; html?: string }): Promise<void> {
    validateTemplate(content);
    await assertTriggerLinksExist(this.db, accountId, content);
  }

  async getSignature(auth: AuthContext): Promise<{ html: string }> {
    return { html: await repo.getSignature(this.db, auth.accountId, auth.userId) };
  }

  async setSignature(auth: AuthContext, html: string): Promise<{ html: string }> {
    await repo.setSignature(this.db, auth.accountId, auth.userId, html);
    return { html };
  }

  private columns(auth: AuthContext, input: TemplateInput, currentOwner: number, currentRepeatLimit: number | null): repo.TemplateColumns {
    // A template that could never render is refused at save time, with line and column.
    validateTemplate({ subject: input.subject, html: input.html });
    input.linkAttachments.forEach((l, i) => {
      try {
        assertLinkLooksPublic(l.url);
      } catch (err) {
        if (err instanceof AppError) throw invalid(`linkAttachments.${i}.url`, err.message);
        throw err;
      }
    });
    // A repeat limit is what lets a template send itself again: issue 3 gives that to admins.
    if ((input.repeatLimit ?? null) !== currentRepeatLimit) assertAdmin(auth, 'set a template’s repeat limit');
    let owner = currentOwner;
    if (input.ownerUserId !== undefined && input.ownerUserId !== currentOwner) {
      assertAdmin(auth, 'change a template’s owner');
      owner = input.ownerUserId;
    }
    return {
      owner_user_id: owner,
      name: input.name,
      subject: input.subject,
      body_html: input.html,
      is_public: input.isPublic,
      disable_signature: input.disableSignature,
      link_attachments: input.linkAttachments,
      repeat_limit: input.repeatLimit,
    };
  }

  private async view(auth: AuthContext, r: TemplateRow): Promise<TemplateView> {
    const [files, triggers] = await Promise.all([
      attachments.listAttachmentMeta(this.db, { templateId: r.id }),
      loadTriggerPoints(this.db, { templateId: r.id }),
    ]);
    return {
      id: r.id,
      name: r.name,
      subject: r.subject,
      html: r.body_html,
      isPublic: r.is_public,
      disableSignature: r.disable_signature,
      ownerUserId: r.owner_user_id,
      linkAttachments: r.link_attachments,
      triggers,
      repeatLimit: r.repeat_limit,
      attachments: files.map((f) => ({ id: f.id, filename: f.filename, size: f.size, contentType: f.content_type })),
      canEdit: auth.isAdmin || r.owner_user_id === auth.userId,
      updatedAt: r.updated_at.toISOString(),
    };
  }
}

/** `{{triggerlink 8}}`, `{triggerlink:8}` and its URL-encoded form as editors save it. */
const TRIGGER_LINK_REF = /\{\{\s*triggerlink\s+(\d+)\s*\}\}|(?:\{|%7B)triggerlink:(\d+)(?:\}|%7D)/gi;

/** A template may only name trigger links of its own account: refused at save, not at send. */
async function assertTriggerLinksExist(db: Queryable, accountId: number, input: { subject?: string; html?: string }): Promise<void> {
  for (const field of ['subject', 'html'] as const) {
    const refs = [...(input[field] ?? '').matchAll(TRIGGER_LINK_REF)].map((m) => Number(m[1] ?? m[2]));
    if (refs.length === 0) continue;
    const known = await linkIds(db, accountId);
    const missing = refs.find((id) => !known.has(id));
    if (missing !== undefined) throw invalid(field, `trigger link ${missing} does not exist in this account`);
  }
}

function checkAttachmentBudget(existingBytes: number, files: AttachmentFile[]): void {
  const total = existingBytes + files.reduce((n, f) => n + f.content.length, 0);
  if (total > MAX_TEMPLATE_ATTACHMENTS_BYTES) {
    throw new AppError(ErrorCode.PAYLOAD_TOO_LARGE, `files: a template's attachments may total at most 50 MB (would be ${(total / 1048576).toFixed(1)} MB)`);
  }
}
