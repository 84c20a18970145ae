/**
 * The narrow door through which a mailing hands its mails to delivery: many queued emails of one
 * mailbox in one transaction (one INSERT for the emails, one for their trigger points, one for
 * their history), planned in one pass (`planBatch`, pacing.ts) with the mailing's priority (1:
 * single sends overtake it), then a drain of the mailbox due by the first of them — one look-up
 * per batch, not a job per mail. Holding (pause), releasing (resume) and cancelling
 * a set of queued emails live here too, so the mailings module never writes the emails table.
 *
 * Kept deliberately small: when the queue mechanics change, only these functions follow.
 */
import { withTransaction, type Db, type Queryable } from '../../infra/db/db.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { TriggerPoints } from '../../../shared/schemas/template.js';
import type { EntityType } from '../../../shared/schemas/common.js';
import type { MailboxRow } from '../mailboxes/mailboxes.repository.js';
import { planBatch, releaseSlots } from './pacing.js';
import { scheduleDrain } from './send-schedule.js';
import { finishPartlyDelivered } from './recipient-outcome.js';
import { lockMailbox } from './mailbox-lock.js';
import { insertTriggerPoints } from './email-triggers.js';

export interface BulkMail {
  /** Chosen before rendering: trigger-link URLs in the body are signed for it. */
  id: string;
  entityType: EntityType;
  entityId: number;
  to: string[];
  contactIds: number[];
  subject: string;
  html: string;
}

export interface BulkBatch {
  accountId: number;
  userId: number;
  mailboxId: string;
  templateId: string | null;
  linkAttachments: { url: string; filename?: string }[];
  /** Stored files every mail carries, referenced rather than copied (attachments.repository.ts). */
  attachmentIds: string[];
  points: TriggerPoints;
  /** Each mail is put to the send-time conditions when claimed (send-conditions.ts): a reminder's. */
  sendCheck?: boolean;
  /** No slot before this time (a mailing's start time). */
  earliest?: Date;
  /** Stored on each mail (emails.mailing_id), opaque here: the caller later asks about, holds or releases the whole set by it. */
  mailingId?: string;
  mails: BulkMail[];
}

/** Which mails a hold or release acts on: these ids, or every mail of a mailing (one index range, no id array). */
export type MailSet = string[] | { mailingId: string };

/** The condition on `emails` (unqualified, param $1) and its parameter for a MailSet. */
function setCondition(set: MailSet): { sql: string; param: unknown } {
  return Array.isArray(set) ? { sql: 'id = ANY($1::uuid[])', param: set } : { sql: 'mailing_id = $1::uuid', param: set.mailingId };
}

/** Why a set of queued mails was taken off the queue; resume gives `MAILING_PAUSED` ones back. */
export type HoldCode = 'MAILING_PAUSED' | 'MAILING_CANCELLED' | 'RESPONDED';

export const HOLD_TEXT: Record<HoldCode, string> = {
  MAILING_PAUSED: 'The mailing was paused.',
  MAILING_CANCELLED: 'The mailing was cancelled.',
  RESPONDED: 'Not sent: the recipient responded to the first mailing before this reminder left.',
};

/** The same, for the recipients a partly delivered mail did not reach ("Not delivered to x (…)"). */
const HOLD_WHY: Record<HoldCode, string> = {
  MAILING_PAUSED: 'the mailing was paused',
  MAILING_CANCELLED: 'the mailing was cancelled',
  RESPONDED: 'the recipient responded to the first mailing before this reminder reached everyone',
};

export async function enqueueBatch(
  db: Db,
  queue: JobQueue,
  messageIdDomain: string,
  batch: BulkBatch,
  /** Runs in the same transaction after the insert (e.g. the mailing's recipient rows). */
  onInserted?: (tx: Queryable) => Promise<void>,
): Promise<void> {
  if (batch.mails.length === 0) {
    if (onInserted) await withTransaction(db, onInserted);
    return;
  }
  // The mailbox row is locked only for the plan, after the heavy inserts: a claim of the
  // mailbox's drain (which takes the same lock) must not wait while a resolving mailing writes
  // 500 mails with their bodies (bench: sending nearly stopped while a big mailing resolved).
  // Until the plan, the new rows carry not_before = -infinity: invisible to others anyway
  // (uncommitted), and outside the daily-cap window planBatch reads in this transaction.
  const planned = await withTransaction(db, async (tx) => {
    const rows = batch.mails.map((m) => ({
      id: m.id,
      entity_type: m.entityType,
      entity_id: m.entityId,
      message_id: `<${m.id}@${messageIdDomain}>`,
      to_addresses: m.to,
      subject: m.subject,
      body_html: m.html,
      contact_ids: m.contactIds,
    }));
    await tx.query(
      `INSERT INTO emails (id, account_id, user_id, mailbox_id, entity_type, entity_id, template_id, status, message_id,
         to_addresses, subject, body_html, link_attachments, not_before, source, contact_ids, not_opened_after_seconds, priority, send_check, mailing_id)
       SELECT r.id, $2, $3, $4, r.entity_type, r.entity_id, $5, 'queued', r.message_id,
         r.to_addresses, r.subject, r.body_html, $6, '-infinity', 'manual',
         ARRAY(SELECT jsonb_array_elements_text(r.contact_ids))::bigint[], $7, 1, $8, $9
       FROM jsonb_to_recordset($1) AS r(id uuid, entity_type text, entity_id bigint, message_id text, to_addresses jsonb,
         subject text, body_html text, contact_ids jsonb)`,
      [JSON.stringify(rows), batch.accountId, batch.userId, batch.mailboxId, batch.templateId, JSON.stringify(batch.linkAttachments),
        batch.points.notOpened?.afterSeconds ?? null, batch.sendCheck ?? false, batch.mailingId ?? null],
    );
    const ids = batch.mails.map((m) => m.id);
    await insertTriggerPoints(tx, batch.accountId, ids, batch.points);
    if (batch.attachmentIds.length) {
      await tx.query(
        `INSERT INTO email_attachment_refs (account_id, email_id, attachment_id, position)
         SELECT $3, e, a.id, a.n FROM unnest($1::uuid[]) AS e CROSS JOIN unnest($2::uuid[]) WITH ORDINALITY AS a(id, n)`,
        [ids, batch.attachmentIds, batch.accountId],
      );
    }
    await onInserted?.(tx);
    const mb = await lockMailbox(tx, batch.mailboxId);
    if (!mb) throw new Error(`mailbox ${batch.mailboxId} does not exist`);
    const delayMs = await delayUntil(tx, batch.earliest);
    const slots = await planBatch(tx, mb, batch.mails.length, delayMs);
    // The planned times and their history lines in one statement.
    await tx.query(
      `WITH u AS (
         UPDATE emails e SET not_before = x.s FROM unnest($1::uuid[], $4::timestamptz[]) AS x(id, s) WHERE e.id = x.id RETURNING e.id, x.s)
       INSERT INTO email_events (email_id, account_id, type, data)
       SELECT id, $2, 'queued', jsonb_build_object('scheduledAt', s, 'mailboxPaused', $3::boolean, 'source', 'mailing') FROM u`,
      [ids, batch.accountId, mb.paused, slots.map((x) => x.at)],
    );
    return { paused: mb.paused, firstInMs: slots[0]!.inMs };
  });
  // After commit, as persistAndEnqueue does; a crash in between is healed by the recovery sweep.
  if (!planned.paused) await scheduleDrain(db, queue, batch.mailboxId, planned.firstInMs);
}

/**
 * Takes still-queued mails off the queue (the drain no longer finds them) and gives their
 * planned slots back, so the next mailing of the mailbox is not planned behind mails that will
 * not leave. Mails being sent right
 * now finish. `MAILING_CANCELLED` and `RESPONDED` also turn held (paused) mails into cancelled ones.
 * A mail queued again only for recipients who deferred it, while others have it, ends `sent`
 * naming whom it did not reach (recipient-outcome.ts); `onSent` gets those ids after commit for
 * their "sent" trigger points. `onHeld` runs in the same transaction with the ids actually taken
 * off (not those already sending): the caller's own rows follow exactly what was held.
 */
export async function holdEmails(
  db: Db,
  accountId: number,
  emailIds: MailSet,
  code: HoldCode,
  onSent?: (emailId: string) => Promise<void>,
  onHeld?: (tx: Queryable, heldIds: string[]) => Promise<void>,
): Promise<number> {
  if (Array.isArray(emailIds) && emailIds.length === 0) return 0;
  const set = setCondition(emailIds);
  const held = await withTransaction(db, async (tx) => {
    const mailboxes = (await tx.query<{ mailbox_id: string }>(`SELECT DISTINCT mailbox_id FROM emails WHERE account_id = $2 AND ${set.sql} ORDER BY mailbox_id`, [set.param, accountId])).rows;
    // Lock order everywhere: mailbox, then email (send-email.job.ts).
    const locked: MailboxRow[] = [];
    for (const m of mailboxes) {
      const mb = await lockMailbox(tx, m.mailbox_id);
      if (mb) locked.push(mb);
    }
    const text = HOLD_TEXT[code];
    const from = code === 'MAILING_PAUSED' ? `status = 'queued'` : `(status = 'queued' OR (status = 'cancelled' AND error_code = 'MAILING_PAUSED'))`;
    const sent = await finishPartlyDelivered(tx, { sql: `account_id = $2 AND ${set.sql} AND ${from}`, params: [set.param, accountId] }, { code, why: HOLD_WHY[code] });
    const r = await tx.query<{ id: string }>(
      `UPDATE emails SET status = 'cancelled', error_code = $3, error_text = $4, updated_at = now()
       WHERE account_id = $2 AND ${set.sql} AND ${from} RETURNING id`,
      [set.param, accountId, code, text],
    );
    const held = r.rows.map((x) => x.id);
    if (held.length) {
      await tx.query(
        `INSERT INTO email_events (email_id, account_id, type, data) SELECT e, $2, $3, jsonb_build_object('reason', $4::text) FROM unnest($1::uuid[]) AS e`,
        [held, accountId, code === 'MAILING_PAUSED' ? 'paused' : 'cancelled', text],
      );
    }
    for (const mb of locked) await releaseSlots(tx, mb);
    await onHeld?.(tx, held);
    return { count: held.length + sent.length, sent: sent.map((x) => x.id) };
  });
  for (const id of held.sent) await onSent?.(id);
  return held.count;
}

/** Puts paused mails back on the queue with fresh slots (resume): one planning pass and one drain per mailbox. */
export async function releaseEmails(db: Db, queue: JobQueue, accountId: number, emailIds: MailSet, earliest?: Date): Promise<number> {
  if (Array.isArray(emailIds) && emailIds.length === 0) return 0;
  const set = setCondition(emailIds);
  const planned = await withTransaction(db, async (tx) => {
    const held = (await tx.query<{ id: string; mailbox_id: string }>(
      `SELECT id, mailbox_id FROM emails WHERE account_id = $2 AND ${set.sql} AND status = 'cancelled' AND error_code = 'MAILING_PAUSED'
       ORDER BY mailbox_id, not_before, created_at`,
      [set.param, accountId],
    )).rows;
    const byMailbox = new Map<string, string[]>();
    for (const e of held) byMailbox.set(e.mailbox_id, [...(byMailbox.get(e.mailbox_id) ?? []), e.id]);
    const drains: { mailboxId: string; inMs: number }[] = [];
    let released = 0;
    for (const [mailboxId, ids] of [...byMailbox].sort(([a], [b]) => a.localeCompare(b))) {
      const mb = (await lockMailbox(tx, mailboxId))!;
      const delayMs = await delayUntil(tx, earliest);
      const slots = await planBatch(tx, mb, ids.length, delayMs);
      const at = slots.map((x) => x.at);
      // Still held: a cancel that committed since the read above has turned them cancelled for good.
      const back = await tx.query<{ id: string; s: Date }>(
        `UPDATE emails e SET status = 'queued', error_code = NULL, error_text = NULL, not_before = x.s, updated_at = now()
         FROM unnest($1::uuid[], $2::timestamptz[]) AS x(id, s)
         WHERE e.id = x.id AND e.status = 'cancelled' AND e.error_code = 'MAILING_PAUSED' RETURNING e.id, x.s`,
        [ids, at],
      );
      await tx.query(
        `INSERT INTO email_events (email_id, account_id, type, data) SELECT e, $2, 'resumed', jsonb_build_object('scheduledAt', s) FROM unnest($1::uuid[], $3::timestamptz[]) AS x(e, s)`,
        [back.rows.map((r) => r.id), accountId, back.rows.map((r) => r.s)],
      );
      released += back.rows.length;
      if (!mb.paused && back.rows.length) drains.push({ mailboxId, inMs: slots[0]!.inMs });
    }
    return { drains, released };
  });
  for (const d of planned.drains) await scheduleDrain(db, queue, d.mailboxId, d.inMs);
  return planned.released;
}

/** How far `earliest` is ahead of the database's now: pacing counts in the database's clock (pacing.ts). */
async function delayUntil(tx: Queryable, earliest: Date | undefined): Promise<number> {
  if (!earliest) return 0;
  const r = await tx.query<{ ms: number }>('SELECT greatest(0, extract(epoch FROM ($1::timestamptz - now())) * 1000)::float8 AS ms', [earliest]);
  return r.rows[0]!.ms;
}
