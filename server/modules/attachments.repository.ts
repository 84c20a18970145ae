import crypto from 'node:crypto';
import type { Queryable } from '../infra/db/db.js';

export interface AttachmentMeta {
  id: string;
  filename: string;
  content_type: string;
  size: number;
}

export interface AttachmentFile {
  filename: string;
  contentType: string;
  content: Buffer;
}

/** A template's files; an email's own are the emails module's (emails/email-files.ts). */
type Owner = { templateId: string };

export async function insertAttachments(db: Queryable, accountId: number, owner: Owner, files: AttachmentFile[]): Promise<void> {
  for (const f of files) {
    await db.query(
      `INSERT INTO attachments (id, account_id, template_id, filename, content_type, size, content)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [crypto.randomUUID(), accountId, owner.templateId, f.filename, f.contentType, f.content.length, f.content],
    );
  }
}

export async function listAttachmentMeta(db: Queryable, owner: Owner): Promise<AttachmentMeta[]> {
  const r = await db.query<AttachmentMeta>('SELECT id, filename, content_type, size FROM attachments WHERE template_id = $1 ORDER BY created_at, id', [owner.templateId]);
  return r.rows;
}

export async function loadAttachmentFiles(db: Queryable, owner: Owner): Promise<AttachmentFile[]> {
  const r = await db.query<{ filename: string; content_type: string; content: Buffer }>(
    'SELECT filename, content_type, content FROM attachments WHERE template_id = $1 ORDER BY created_at, id',
    [owner.templateId],
  );
  return r.rows.map((a) => ({ filename: a.filename, contentType: a.content_type, content: a.content }));
}

export async function deleteTemplateAttachment(db: Queryable, accountId: number, templateId: string, attachmentId: string): Promise<boolean> {
  const r = await db.query('DELETE FROM attachments WHERE account_id = $1 AND template_id = $2 AND id = $3', [accountId, templateId, attachmentId]);
  return (r.rowCount ?? 0) > 0;
}
