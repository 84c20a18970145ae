/** The mailings and mailing_recipients tables (owned by this module). */
import type { Queryable } from '../../infra/db/db.js';
import type { EntityType } from '../../../shared/schemas/common.js';
import type { TriggerPoints } from '../../../shared/schemas/template.js';

export interface RecipientsRule {
  mode: 'main' | 'all' | 'field';
  fieldId?: number;
  onePerEntity: boolean;
}

export interface ReminderRule {
  condition: 'not_opened' | 'not_clicked' | 'not_clicked_link';
  linkId?: number;
}

export type StoredStatus = 'resolving' | 'queued' | 'paused' | 'cancelled' | 'failed';

export interface MailingRow {
  id: string;
  account_id: number;
  user_id: number;
  entity_type: EntityType;
  /** Not selected by list queries (it may hold 100,000 ids); see `selected`. */
  entity_ids?: string[];
  selected: number;
  resolved_count: number;
  template_id: string | null;
  subject: string | null;
  body_html: string | null;
  disable_signature: boolean;
  mailbox_id: string | null;
  recipients: RecipientsRule;
  start_at: Date | null;
  triggers: TriggerPoints | null;
  status: StoredStatus;
  status_reason: string | null;
  parent_mailing_id: string | null;
  reminder: ReminderRule | null;
  /** Whether the creator is an admin (widget token): others get only what Kommo shows them. */
  creator_is_admin: boolean;
  created_at: Date;
}

export interface NewMailing {
  id: string;
  accountId: number;
  userId: number;
  entityType: EntityType;
  ids: number[];
  templateId: string | null;
  subject: string | null;
  html: string | null;
  disableSignature: boolean;
  /** null: each entity's responsible user's mailbox. */
  mailboxId: string | null;
  recipients: RecipientsRule;
  startAt: Date | null;
  triggers: TriggerPoints | null;
  parentMailingId?: string | null;
  reminder?: ReminderRule | null;
  creatorIsAdmin: boolean;
}

const COLUMNS = `id, account_id, user_id, entity_type, cardinality(entity_ids) AS selected, resolved_count, template_id, subject, body_html,
  disable_signature, mailbox_id, recipients, start_at, triggers, status, status_reason, parent_mailing_id, reminder, creator_is_admin, created_at`;

export async function insertMailing(db: Queryable, m: NewMailing): Promise<void> {
  await db.query(
    `INSERT INTO mailings (id, account_id, user_id, entity_type, entity_ids, template_id, subject, body_html, disable_signature,
       mailbox_id, recipients, start_at, triggers, status, parent_mailing_id, reminder, creator_is_admin)
     VALUES ($1,$2,$3,$4,$5::bigint[],$6,$7,$8,$9,$10,$11,$12,$13,'resolving',$14,$15,$16)`,
    [
      m.id, m.accountId, m.userId, m.entityType, m.ids, m.templateId, m.subject, m.html, m.disableSignature, m.mailboxId,
      JSON.stringify(m.recipients), m.startAt, m.triggers ? JSON.stringify(m.triggers) : null, m.parentMailingId ?? null,
      m.reminder ? JSON.stringify(m.reminder) : null, m.creatorIsAdmin,
    ],
  );
}

/** `ownerUserId`: only a mailing this user created (a non-admin's view); null: any of the account's. */
export async function findMailing(db: Queryable, accountId: number, id: string, ownerUserId: number | null = null): Promise<MailingRow | null> {
  const r = await db.query<MailingRow>(`SELECT ${COLUMNS} FROM mailings WHERE account_id = $1 AND id = $2 AND ($3::bigint IS NULL OR user_id = $3)`, [
    accountId,
    id,
    ownerUserId,
  ]);
  return r.rows[0] ?? null;
}

/** The next `limit` selected ids not resolved yet (1-based slice of the array). */
export async function nextIds(db: Queryable, id: string, from: number, limit: number): Promise<number[]> {
  const r = await db.query<{ ids: string[] }>('SELECT entity_ids[$2:$3] AS ids FROM mailings WHERE id = $1', [id, from + 1, from + limit]);
  return (r.rows[0]?.ids ?? []).map(Number);
}

export interface ListFilter {
  accountId: number;
  /** null: every user's mailings of the account (an admin). */
  ownerUserId: number | null;
  /** null: any stored status. */
  statuses: StoredStatus[] | null;
}

const LIST_WHERE = 'account_id = $1 AND ($2::bigint IS NULL OR user_id = $2) AND ($3::text[] IS NULL OR status = ANY($3::text[]))';

/** Newest first; `limit` null: every match (filters on a derived status page after deriving it). */
export async function listMailings(db: Queryable, f: ListFilter, limit: number | null, offset: number): Promise<MailingRow[]> {
  const r = await db.query<MailingRow>(`SELECT ${COLUMNS} FROM mailings WHERE ${LIST_WHERE} ORDER BY created_at DESC, id LIMIT $4 OFFSET $5`, [
    f.accountId,
    f.ownerUserId,
    f.statuses,
    limit,
    offset,
  ]);
  return r.rows;
}

export async function countMailings(db: Queryable, f: ListFilter): Promise<number> {
  const r = await db.query<{ n: string }>(`SELECT count(*) AS n FROM mailings WHERE ${LIST_WHERE}`, [f.accountId, f.ownerUserId, f.statuses]);
  return Number(r.rows[0]?.n ?? 0);
}

export async function setStatus(db: Queryable, id: string, status: StoredStatus, reason: string | null = null): Promise<void> {
  await db.query('UPDATE mailings SET status = $2, status_reason = $3, updated_at = now() WHERE id = $1', [id, status, reason]);
}

/** Ids of mailings left resolving (a crash or restart): their job is given again at start. */
export async function resolvingIds(db: Queryable): Promise<string[]> {
  return (await db.query<{ id: string }>("SELECT id FROM mailings WHERE status = 'resolving'")).rows.map((r) => r.id);
}

export interface NewRecipient {
  entityId: number;
  contactId: number | null;
  email: string | null;
  status: 'queued' | 'skipped';
  reason: string | null;
  emailId: string | null;
}

/** One statement for a whole batch, and the resolve cursor moved in the same transaction. */
export async function insertRecipients(tx: Queryable, m: Pick<MailingRow, 'id' | 'account_id' | 'entity_type'>, rows: NewRecipient[], resolvedCount: number | null): Promise<void> {
  if (rows.length) {
    await tx.query(
      `INSERT INTO mailing_recipients (mailing_id, account_id, entity_type, entity_id, contact_id, email, status, reason, email_id)
       SELECT $1, $2, $3, x.entity_id, x.contact_id, x.email, x.status, x.reason, x.email_id
       FROM unnest($4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::uuid[]) AS x(entity_id, contact_id, email, status, reason, email_id)`,
      [
        m.id, m.account_id, m.entity_type,
        rows.map((r) => r.entityId), rows.map((r) => r.contactId), rows.map((r) => r.email), rows.map((r) => r.status),
        rows.map((r) => r.reason), rows.map((r) => r.emailId),
      ],
    );
  }
  if (resolvedCount !== null) await tx.query('UPDATE mailings SET resolved_count = $2, updated_at = now() WHERE id = $1', [m.id, resolvedCount]);
}

/** Addresses (lower-case) and entity:address keys already taken by earlier batches (resume). */
export async function takenKeys(db: Queryable, mailingId: string): Promise<{ email: string; entity_id: string }[]> {
  return (await db.query<{ email: string; entity_id: string }>("SELECT email, entity_id FROM mailing_recipients WHERE mailing_id = $1 AND status = 'queued'", [mailingId])).rows;
}

/** Subject, template and creation time of the account's mailings among `ids` (a statistics breakdown's handful). */
export async function headsOf(db: Queryable, accountId: number, ids: string[]): Promise<{ id: string; subject: string | null; template_id: string | null; created_at: Date }[]> {
  return (await db.query<{ id: string; subject: string | null; template_id: string | null; created_at: Date }>(
    'SELECT id, subject, template_id, created_at FROM mailings WHERE account_id = $1 AND id = ANY($2::uuid[])',
    [accountId, ids],
  )).rows;
}
