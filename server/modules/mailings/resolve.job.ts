/**
 * The `mailing.resolve` job: turns a mailing's selected ids into recipients and queued mails,
 * 250 entities at a time — one batched Kommo read per entity kind, one suppression query, one
 * render per recipient (the compiled template is cached by the render engine), and one
 * transaction per mailbox that inserts the mails and their recipient rows together.
 *
 * Crash-safe by a cursor: `resolved_count` moves in the same transaction as the batch's last
 * rows, so a restart (the job is given again at start for every mailing left `resolving`)
 * continues after the last finished batch; recipients a half-finished batch already queued are
 * recognised by (entity, contact, address) and not queued twice.
 */
import crypto from 'node:crypto';
import type { Db, Queryable } from '../../infra/db/db.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { Logger } from '../../infra/log/logger.js';
import type { CrmClient } from '../../infra/crm/crm-client.js';
import { NO_TRIGGERS } from '../../../shared/schemas/template.js';
import type { TriggerLinkResolvers } from '../templates/compose.js';
import { findTemplate, getSignature } from '../templates/templates.repository.js';
import { loadTriggerPoints } from '../templates/trigger-points.repository.js';
import { listAttachmentMeta } from '../attachments.repository.js';
import { buildTemplateContext } from '../templates/render/template-context.js';
import { renderTemplate } from '../templates/render/render.js';
import { pickSystemMailbox } from '../emails/system-send.js';
import type { MailboxRow } from '../mailboxes/mailboxes.repository.js';
import { loadEntityBundles, loadMetadata, type CrmMetadata, type EntityBundle } from '../crm-data/entity-batch.js';
import type { SuppressionsService } from '../suppressions/suppressions.service.js';
import type { BulkMail, MailingDelivery } from './delivery.port.js';
import { candidatesOf, type Candidate } from './recipient-rules.js';
import * as repo from './mailings.repository.js';
import type { MailingRow, NewRecipient } from './mailings.repository.js';
import { reminderFilter } from './reminder-filter.js';

export const RESOLVE_JOB = 'mailing.resolve';
/** Kommo's page size: one request per entity kind per batch. */
const BATCH = 250;

export interface ResolveDeps {
  db: Db;
  queue: JobQueue;
  log: Logger;
  crmFor(accountId: number): Promise<CrmClient>;
  delivery: MailingDelivery;
  suppressions: SuppressionsService;
  links?: TriggerLinkResolvers;
}

export async function scheduleResolve(queue: JobQueue, mailingId: string, at?: Date): Promise<void> {
  await queue.schedule(RESOLVE_JOB, { mailingId }, at);
}

/** At start: every mailing a stopped process left resolving gets its job again. */
export async function resumeResolving(db: Db, queue: JobQueue): Promise<number> {
  const ids = await repo.resolvingIds(db);
  for (const id of ids) await scheduleResolve(queue, id);
  return ids.length;
}

interface Content {
  subject: string;
  html: string;
  disableSignature: boolean;
  templateId: string | null;
  templateOwnerId: number;
  linkAttachments: { url: string; filename?: string }[];
  attachmentIds: string[];
  points: import('../../../shared/schemas/template.js').TriggerPoints;
}

export async function runResolve(deps: ResolveDeps, data: { mailingId: string }): Promise<void> {
  const head = (await deps.db.query<{ account_id: number }>('SELECT account_id FROM mailings WHERE id = $1', [data.mailingId])).rows[0];
  const m = head && (await repo.findMailing(deps.db, head.account_id, data.mailingId));
  if (!m || m.status !== 'resolving') return;
  let lease = await claimLease(deps.db, m.id, null);
  if ('busy' in lease) {
    // Another process resolves it; if that one dies, this job comes back when its lease ends.
    if (lease.busy) await scheduleResolve(deps.queue, m.id, new Date(lease.busy.getTime() + 100));
    return;
  }
  try {
    await resolveAll(deps, m, () => lease, (l) => (lease = l));
  } catch (err) {
    // Kommo down, token revoked…: shown on the mailing, and tried again (from the cursor) later.
    deps.log.warn({ err, mailingId: m.id }, 'resolving a mailing failed; retrying');
    await deps.db.query('UPDATE mailings SET status_reason = $2 WHERE id = $1', [m.id, `resolving paused by an error, retrying: ${(err as Error).message}`]);
    await scheduleResolve(deps.queue, m.id, new Date(Date.now() + RETRY_MS));
  } finally {
    if ('until' in lease) {
      await deps.db.query('UPDATE mailings SET resolve_lease_until = NULL WHERE id = $1 AND resolve_lease_until = $2', [m.id, lease.until]);
    }
  }
}

async function resolveAll(
  deps: ResolveDeps,
  m: MailingRow,
  lease: () => { until: Date } | { busy: Date | null },
  setLease: (l: { until: Date } | { busy: Date | null }) => void,
): Promise<void> {
  const content = await loadContent(deps.db, m);
  if (!content) {
    await repo.setStatus(deps.db, m.id, 'failed', 'the template no longer exists');
    return;
  }
  const crm = await deps.crmFor(m.account_id);
  const run = new BatchRun(deps, m, content, await loadMetadata(crm));
  await run.loadTaken();
  let cursor = m.resolved_count;
  while (cursor < m.selected) {
    const now = (await deps.db.query<{ status: string }>('SELECT status FROM mailings WHERE id = $1', [m.id])).rows[0]?.status;
    // Paused or cancelled meanwhile: resume gives the job again and it continues from the cursor.
    if (now !== 'resolving') return;
    const current = lease();
    const renewed = await claimLease(deps.db, m.id, 'until' in current ? current.until : null);
    setLease(renewed);
    if ('busy' in renewed) return;
    const ids = await repo.nextIds(deps.db, m.id, cursor, BATCH);
    const bundles = await loadEntityBundles(crm, m.entity_type, ids, m.recipients.mode === 'all' ? 'all' : 'main');
    cursor += ids.length;
    try {
      await run.batch(ids, bundles, cursor);
    } catch (err) {
      if (err instanceof MailingStopped) return;
      throw err;
    }
  }
  await deps.db.query("UPDATE mailings SET status = 'queued', status_reason = NULL, updated_at = now() WHERE id = $1 AND status = 'resolving'", [m.id]);
  deps.log.info({ mailingId: m.id, selected: m.selected }, 'mailing resolved');
}

async function loadContent(db: Db, m: MailingRow): Promise<Content | null> {
  const t = m.template_id ? await findTemplate(db, m.account_id, m.template_id) : null;
  if (m.template_id && !t) return null;
  return {
    subject: m.subject ?? t?.subject ?? '',
    html: m.body_html ?? t?.body_html ?? '',
    disableSignature: m.disable_signature || (t?.disable_signature ?? false),
    templateId: t?.id ?? null,
    templateOwnerId: t?.owner_user_id ?? m.user_id,
    linkAttachments: t?.link_attachments ?? [],
    attachmentIds: t ? (await listAttachmentMeta(db, { templateId: t.id })).map((a) => a.id) : [],
    points: m.triggers ?? (t ? await loadTriggerPoints(db, { templateId: t.id }) : NO_TRIGGERS),
  };
}

/** Long enough for one batch (a few Kommo pages and a render of 250 mails); renewed before each. */
const LEASE_MS = 20_000;
const RETRY_MS = 30_000;

/**
 * Takes the resolve lease (`held` = the lease this run holds, to renew it). Answers the new
 * lease's end, or `{ busy }` with when the other holder's lease ends (null: nothing to resolve).
 */
async function claimLease(db: Db, mailingId: string, held: Date | null): Promise<{ until: Date } | { busy: Date | null }> {
  const r = await db.query<{ until: Date }>(
    `UPDATE mailings SET resolve_lease_until = date_trunc('milliseconds', clock_timestamp() + make_interval(secs => $2::double precision / 1000))
     WHERE id = $1 AND status = 'resolving'
       AND (resolve_lease_until IS NULL OR resolve_lease_until < now() OR resolve_lease_until = $3::timestamptz)
     RETURNING resolve_lease_until AS until`,
    [mailingId, LEASE_MS, held],
  );
  if (r.rows[0]) return { until: r.rows[0].until };
  const other = await db.query<{ until: Date | null }>("SELECT resolve_lease_until AS until FROM mailings WHERE id = $1 AND status = 'resolving'", [mailingId]);
  return { busy: other.rows[0]?.until ?? null };
}

/** The mailing was paused or cancelled while a batch was being prepared: the batch is rolled back. */
class MailingStopped extends Error {}

/** Takes the mailing's row lock (as pause and cancel do) and refuses to commit unless still resolving. */
async function assertResolving(tx: Queryable, mailingId: string): Promise<void> {
  const r = await tx.query<{ status: string }>('SELECT status FROM mailings WHERE id = $1 FOR UPDATE', [mailingId]);
  if (r.rows[0]?.status !== 'resolving') throw new MailingStopped();
}

interface Planned {
  row: NewRecipient;
  mail?: { mailbox: MailboxRow; mail: BulkMail };
}

/** State of one job run: addresses taken so far, mailboxes and signatures looked up once. */
class BatchRun {
  private readonly taken = new Set<string>();
  /** (entity, contact, address) of recipients already queued by an earlier, interrupted run. */
  private readonly done = new Set<string>();
  private readonly mailboxes = new Map<number, Promise<MailboxRow | null>>();
  private readonly signatures = new Map<number, Promise<string>>();

  constructor(
    private readonly deps: ResolveDeps,
    private readonly m: MailingRow,
    private readonly content: Content,
    private readonly meta: CrmMetadata,
  ) {}

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
      const cands = candidatesOf(b, this.m.recipients);
      if (cands.length === 0) skip(id, 'no email address');
      for (const c of cands) found.push({ b, c });
    }
    const suppressed = await this.deps.suppressions.among(this.m.account_id, found.map((f) => f.c.email));
    const allowed = this.m.reminder ? await reminderFilter(this.deps.db, this.m, found.map((f) => f.c.email)) : null;
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
        skip(b.entityId, 'responded to the first mailing', c);
        continue;
      }
      planned.push(await this.compose(b, c));
    }
    await this.persist(planned, cursor);
  }

  private async compose(b: EntityBundle, c: Candidate): Promise<Planned> {
    const mailbox = await this.mailboxFor(b.responsibleUserId);
    const fail = (reason: string): Planned => ({
      row: { entityId: b.entityId, contactId: c.contact?.id ?? null, email: c.email, status: 'skipped', reason, emailId: null },
    });
    if (!mailbox) return fail("no mailbox to send from: the responsible user has none and there is no global mailbox");
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
        links: await this.deps.links?.forEmail(this.m.account_id, id),
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
    };
  }

  private mailboxFor(responsibleUserId: number): Promise<MailboxRow | null> {
    const key = this.m.mailbox_id ? 0 : responsibleUserId;
    let p = this.mailboxes.get(key);
    if (!p) {
      p = pickSystemMailbox(this.deps.db, this.m.account_id, {
        chosenId: this.m.mailbox_id,
        responsibleUserId: this.m.mailbox_id ? null : responsibleUserId,
        templateOwnerId: this.m.mailbox_id ? 0 : this.content.templateOwnerId,
      });
      this.mailboxes.set(key, p);
    }
    return p;
  }

  private signatureOf(userId: number): Promise<string> {
    let p = this.signatures.get(userId);
    if (!p) {
      p = getSignature(this.deps.db, this.m.account_id, userId);
      this.signatures.set(userId, p);
    }
    return p;
  }
}
