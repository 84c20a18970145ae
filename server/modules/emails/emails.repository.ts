import type { Queryable } from '../../infra/db/db.js';
import type { EntityType } from '../../../shared/schemas/common.js';

export interface EmailRow {
  id: string;
  account_id: number;
  user_id: number;
  mailbox_id: string;
  entity_type: EntityType;
  entity_id: number;
  template_id: string | null;
  status: 'queued' | 'sending' | 'sent' | 'failed' | 'cancelled' | 'unknown';
  /** The server process that is sending it (status 'sending'): see infra/queue/instance.ts. */
  owner_instance: string | null;
  message_id: string;
  to_addresses: string[];
  cc_addresses: string[];
  bcc_addresses: string[];
  subject: string;
  body_html: string;
  link_attachments: { url: string; filename?: string }[];
  attempts: number;
  not_before: Date;
  /** 0: a single send (card, automation); 1: a mailing's. The drain takes lower first. */
  priority: number;
  lease_until: Date | null;
  error_code: string | null;
  error_text: string | null;
  smtp_response: string | null;
  sent_at: Date | null;
  sent_folder: string | null;
  opens_count: number;
  first_opened_at: Date | null;
  created_at: Date;
  updated_at: Date;
  not_opened_after_seconds?: number | null;
}

export interface NewEmail {
  id: string;
  accountId: number;
  userId: number;
  mailboxId: string;
  entityType: EntityType;
  entityId: number;
  templateId: string | null;
  messageId: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  html: string;
  linkAttachments: { url: string; filename?: string }[];
  notBefore: Date;
  /** Who asked: a user, the digital pipeline, or a trigger (with the mail that fired it). */
  source?: 'manual' | 'pipeline' | 'trigger';
  parentEmailId?: string | null;
  /** The CRM contacts the mail goes to. */
  contactIds?: number[];
}

export async function insertEmail(db: Queryable, e: NewEmail): Promise<void> {
  await db.query(
    `INSERT INTO emails (id, account_id, user_id, mailbox_id, entity_type, entity_id, template_id, status, message_id,
       to_addresses, cc_addresses, bcc_addresses, subject, body_html, link_attachments, not_before, source, parent_email_id, contact_ids)
     VALUES ($1,$2,$3,$4,$5,$6,$7,'queued',$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18)`,
    [
      e.id, e.accountId, e.userId, e.mailboxId, e.entityType, e.entityId, e.templateId, e.messageId,
      JSON.stringify(e.to), JSON.stringify(e.cc), JSON.stringify(e.bcc), e.subject, e.html,
      JSON.stringify(e.linkAttachments), e.notBefore, e.source ?? 'manual', e.parentEmailId ?? null, e.contactIds ?? [],
    ],
  );
}

/** Append-only history of an email. */
export async function addEvent(db: Queryable, emailId: string, accountId: number, type: string, data: Record<string, unknown> = {}): Promise<void> {
  await db.query('INSERT INTO email_events (email_id, account_id, type, data) VALUES ($1, $2, $3, $4)', [
    emailId,
    accountId,
    type,
    JSON.stringify(data),
  ]);
}

export async function findEmail(db: Queryable, accountId: number, id: string): Promise<EmailRow | null> {
  const r = await db.query<EmailRow>('SELECT * FROM emails WHERE account_id = $1 AND id = $2', [accountId, id]);
  return r.rows[0] ?? null;
}

export async function lockEmail(db: Queryable, id: string): Promise<EmailRow | null> {
  const r = await db.query<EmailRow>('SELECT * FROM emails WHERE id = $1 FOR UPDATE', [id]);
  return r.rows[0] ?? null;
}

export async function listForEntity(db: Queryable, accountId: number, entityType: EntityType, entityId: number, limit: number): Promise<EmailRow[]> {
  const r = await db.query<EmailRow>(
    'SELECT * FROM emails WHERE account_id = $1 AND entity_type = $2 AND entity_id = $3 ORDER BY created_at DESC LIMIT $4',
    [accountId, entityType, entityId, limit],
  );
  return r.rows;
}

export async function listEvents(db: Queryable, emailIds: string[]): Promise<{ email_id: string; type: string; at: Date; data: Record<string, unknown> }[]> {
  if (emailIds.length === 0) return [];
  const r = await db.query('SELECT email_id, type, at, data FROM email_events WHERE email_id = ANY($1::uuid[]) ORDER BY id', [emailIds]);
  return r.rows;
}
