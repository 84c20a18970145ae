/**
 * One resolve run's batches: 250 entities → candidates → skips (no address, duplicate,
 * suppressed, responded) → one rendered mail per recipient → one transaction per mailbox that
 * inserts the mails (through delivery) and the recipient rows, the cursor moving with the last.
 */
import crypto from 'node:crypto';
import type { Queryable } from '../../infra/db/db.js';
import type { TriggerPoints } from '../../../shared/schemas/template.js';
import { buildTemplateContext } from '../templates/render/template-context.js';
import { renderTemplate } from '../templates/render/render.js';
import type { CrmMetadata, EntityBundle } from '../crm-data/entity-batch.js';
import { canViewLoaded } from '../accounts/entity-access.js';
import type { BulkMail, SendingMailbox } from './delivery.port.js';
import { candidatesOf, type Candidate } from './recipient-rules.js';
import * as repo from './mailings.repository.js';
import type { MailingRow, NewRecipient } from './mailings.repository.js';
import { reminderFilter } from './reminder-filter.js';
import { RESPONDED_REASON } from './reminder-guard.js';
import type { ResolveDeps } from './resolve.job.js';

export interface Content {
  subject: string;
  html: string;
  disableSignature: boolean;
  templateId: string | null;
  linkAttachments: { url: string; filename?: string }[];
  attachmentIds: string[];
  points: TriggerPoints;
}

/** The mailing was paused or cancelled while a batch was being prepared: the batch is rolled back. */
export class MailingStopped extends Error {}

/** Takes the mailing's row lock (as pause and cancel do) and refuses to commit unless still resolving. */
async function assertResolving(tx: Queryable, mailingId: string): Promise<void> {
  const r = await tx.query<{ status: string }>('SELECT status FROM mailings WHERE id = $1 FOR UPDATE', [mailingId]);
  if (r.rows[0]?.status !== 'resolving') throw new MailingStopped();
}

interface Planned {
  row: NewRecipient;
  mail?: { mailbox: SendingMailbox; mail: BulkMail };
}

/** State of one job run: addresses taken so far, mailboxes and signatures looked up once. */
export class BatchRun {
  private readonly taken = new Set<string>();
  /** (entity, contact, address) of recipients already queued by an earlier, interrupted run. */
  private readonly done = new Set<string>();
  private readonly mailboxes = new Map<number, Promise<SendingMailbox | null>>();
  private readonly signatures = new Map<number, Promise<string>>();
  private readonly usesLinks: boolean;

  constructor(
    private readonly deps: ResolveDeps,
    private readonly m: MailingRow,
    private readonly content: Content,
    private readonly meta: CrmMetadata,
  ) {
    this.usesLinks = /triggerlink/i.test(content.subject + content.html);
  }

  private key(entityId: number | string, email: string): string {
    return this.m.recipients.onePerEntity ? `${entityId}|${email}` : email;
  }

  async loadTaken(): Promise<void> {
    for (const r of await repo.takenKeys(this.deps.db, this.m.id)) {
      this.taken.add(this.key(r.entity_id, r.email));
      this.done.add(`${r.entity_id}|${r.email}`);
    }
  }

  async batch(ids: number[], bundles: Map<number, EntityBundle>, cursor: number): Promise<void> {
    const found: { b: EntityBundle; c: Candidate }[] = [];
    const planned: Planned[] = [];
    const skip = (entityId: number, reason: string, c?: Candidate) =>
      planned.push({ row: { entityId, contactId: c?.contact?.id ?? null, email: c?.email ?? null, status: 'skipped', reason, emailId: null } });
    for (const id of ids) {
      const b = bundles.get(id);
      if (!b) {
        skip(id, 'not found in Kommo');
        continue;
      }
      if (!this.visible(b)) {
        // Nothing of it is stored (no contact, no address): the creator may not know it exists.
        skip(id, 'not visible to you in Kommo');
        continue;
      }
      const cands = candidatesOf(b, this.m.recipients);
      if (cands.length === 0) skip(id, 'no email address');
      for (const c of cands) found.push({ b, c });
    }
    const suppressed = await this.deps.suppressions.among(this.m.account_id, found.map((f) => f.c.email));
    const allowed = this.m.reminder ? await reminderFilter(this.deps.db, this.deps.reads, this.m, found.map((f) => f.c.email)) : null;
    for (const { b, c } of found) {
      if (this.done.has(`${b.entityId}|${c.email}`)) continue;
      const key = this.key(b.entityId, c.email);
      if (this.taken.has(key)) {
        skip(b.entityId, 'duplicate address in this mailing', c);
        continue;
      }
      this.taken.add(key);
      const why = suppressed.get(c.email);
      if (why !== undefined) {
        skip(b.entityId, `suppressed: ${why}`, c);
        continue;
      }
      if (allowed && !allowed.has(c.email)) {
        skip(b.entityId, RESPONDED_REASON, c);
        continue;
      }
      planned.push(await this.compose(b, c));
    }
    await this.persist(planned, cursor);
  }

  /** The creator's Kommo view rights, decided on the batch already read (no request per entity). */
  private visible(b: EntityBundle): boolean {
    if (this.m.creator_is_admin) return true;
    const entity = b.lead ?? (b.entityType === 'contacts' ? b.contacts[0] : b.company);
    return !!entity && canViewLoaded(this.meta.users, this.m.user_id, b.entityType, entity);
  }

  private async compose(b: EntityBundle, c: Candidate): Promise<Planned> {
    const mailbox = await this.mailboxFor(b.responsibleUserId);
    const fail = (reason: string): Planned => ({
      row: { entityId: b.entityId, contactId: c.contact?.id ?? null, email: c.email, status: 'skipped', reason, emailId: null },
    });
    if (!mailbox) {
      return fail(this.m.mailbox_id ? 'no mailbox to send from: the chosen mailbox was deleted' : "no mailbox to send from: the lead's responsible user has none and there is no global mailbox");
    }
    const sender = this.m.mailbox_id ? this.m.user_id : mailbox.owner_user_id;
    const id = crypto.randomUUID();
    try {
      const now = new Date();
      const context = buildTemplateContext({
        lead: b.lead,
        contact: c.contact,
        company: b.company,
        responsible: this.meta.users.find((u) => u.id === b.responsibleUserId) ?? null,
        sender: this.meta.users.find((u) => u.id === sender),
        fieldDefs: this.meta.fieldDefs,
        pipelines: this.meta.pipelines,
        now,
      });
      const signature = this.content.disableSignature ? '' : await this.signatureOf(sender);
      const r = renderTemplate({ subject: this.content.subject, html: this.content.html }, context, {
        signature: { html: signature || null, disabled: this.content.disableSignature },
        // Signing needs a query per mail; only templates with trigger links ({{triggerlink N}} or {triggerlink:N}) pay it.
        links: this.usesLinks ? await this.deps.links?.forEmail(this.m.account_id, id) : undefined,
        now,
      });
      const mail: BulkMail = { id, entityType: this.m.entity_type, entityId: b.entityId, to: [c.email], contactIds: c.contact ? [c.contact.id] : [], subject: r.subject, html: r.html };
      return { row: { entityId: b.entityId, contactId: c.contact?.id ?? null, email: c.email, status: 'queued', reason: null, emailId: id }, mail: { mailbox, mail } };
    } catch (err) {
      return fail(`could not render: ${(err as Error).message}`);
    }
  }

  /** One transaction per mailbox; the skipped rows and the cursor go with the last one. */
  private async persist(planned: Planned[], cursor: number): Promise<void> {
    const groups = new Map<string, Planned[]>();
    const rest: NewRecipient[] = [];
    for (const p of planned) {
      if (p.mail) groups.set(p.mail.mailbox.id, [...(groups.get(p.mail.mailbox.id) ?? []), p]);
      else rest.push(p.row);
    }
    const entries = [...groups];
    if (entries.length === 0) {
      await this.deps.delivery.enqueueBatch({ ...this.batchBase(''), mails: [] }, async (tx) => {
        await assertResolving(tx, this.m.id);
        await repo.insertRecipients(tx, this.m, rest, cursor);
      });
      return;
    }
    for (const [i, [mailboxId, list]] of entries.entries()) {
      const last = i === entries.length - 1;
      const rows = list.map((p) => p.row);
      await this.deps.delivery.enqueueBatch(
        { ...this.batchBase(mailboxId), userId: list[0]!.mail!.mailbox.owner_user_id, mails: list.map((p) => p.mail!.mail) },
        async (tx) => {
          await assertResolving(tx, this.m.id);
          await repo.insertRecipients(tx, this.m, last ? [...rows, ...rest] : rows, last ? cursor : null);
        },
      );
    }
  }

  private batchBase(mailboxId: string) {
    return {
      accountId: this.m.account_id,
      userId: this.m.user_id,
      mailboxId,
      templateId: this.content.templateId,
      linkAttachments: this.content.linkAttachments,
      attachmentIds: this.content.attachmentIds,
      points: this.content.points,
      earliest: this.m.start_at ?? undefined,
      // Each mail carries the mailing's id: the whole mailing is then asked about, held and released by it.
      mailingId: this.m.id,
      // A reminder's mail is checked again when the drain claims it (reminder-guard.ts).
      sendCheck: this.m.reminder !== null,
    };
  }

  private mailboxFor(responsibleUserId: number): Promise<SendingMailbox | null> {
    const key = this.m.mailbox_id ? 0 : responsibleUserId;
    let p = this.mailboxes.get(key);
    if (!p) {
      p = this.deps.delivery.pickMailbox(this.m.account_id, {
        chosenId: this.m.mailbox_id,
        responsibleUserId: this.m.mailbox_id ? null : responsibleUserId,
        // "Each lead's responsible user's mailbox" means that one: a lead whose responsible user
        // has none is skipped, not sent from the template owner's (automation's fallback).
        templateOwnerId: null,
      });
      this.mailboxes.set(key, p);
    }
    return p;
  }

  private signatureOf(userId: number): Promise<string> {
    let p = this.signatures.get(userId);
    if (!p) {
      p = this.deps.sources.signatureOf(this.m.account_id, userId);
      this.signatures.set(userId, p);
    }
    return p;
  }
}
