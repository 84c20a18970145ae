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

type Owner = { templateId: string } | { emailId: string };

export async function insertAttachments(db: Queryable, accountId: number, owner: Owner, files: AttachmentFile[]): Promise<void> {
  for (const f of files) {
    await db.query(
      `INSERT INTO attachments (id, account_id, template_id, email_id, filename, content_type, size, content)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        crypto.randomUUID(), accountId, 'templateId' in owner ? owner.templateId : null, 'emailId' in owner ? owner.emailId : null,
        f.filename, f.contentType, f.content.length, f.content,
      ],
    );
  }
}

export async function listAttachmentMeta(db: Queryable, owner: Owner): Promise<AttachmentMeta[]> {
  const [col, id] = 'templateId' in owner ? ['template_id', owner.templateId] : ['email_id', owner.emailId];
  const r = await db.query<AttachmentMeta>(`SELECT id, filename, content_type, size FROM attachments WHERE ${col} = $1 ORDER BY created_at, id`, [id]);
  return r.rows;
}

export async function loadAttachmentFiles(db: Queryable, owner: Owner): Promise<AttachmentFile[]> {
  const [col, id] = 'templateId' in owner ? ['template_id', owner.templateId] : ['email_id', owner.emailId];
  // A mailing's mails refer to their template's files (email_attachment_refs) instead of copying them.
  const referenced =
    'emailId' in owner
      ? `UNION ALL SELECT * FROM (SELECT a.filename, a.content_type, a.content FROM email_attachment_refs r
           JOIN attachments a ON a.id = r.attachment_id WHERE r.email_id = $1 ORDER BY r.position) refs`
      : '';
  const r = await db.query<{ filename: string; content_type: string; content: Buffer }>(
    `SELECT * FROM (SELECT filename, content_type, content FROM attachments WHERE ${col} = $1 ORDER BY created_at, id) own ${referenced}`,
    [id],
  );
  return r.rows.map((a) => ({ filename: a.filename, contentType: a.content_type, content: a.content }));
}

export async function deleteTemplateAttachment(db: Queryable, accountId: number, templateId: string, attachmentId: string): Promise<boolean> {
  const r = await db.query('DELETE FROM attachments WHERE account_id = $1 AND template_id = $2 AND id = $3', [accountId, templateId, attachmentId]);
  return (r.rowCount ?? 0) > 0;
}

/**
 * Gives `toEmailId` its own copy of every file `fromEmailId` carries (its own and those it refers
 * to), in one statement (the bytes never leave the database), in the order they are sent.
 */
export async function copyEmailAttachments(db: Queryable, accountId: number, fromEmailId: string, toEmailId: string): Promise<void> {
  await db.query(
    `INSERT INTO attachments (id, account_id, email_id, filename, content_type, size, content, created_at)
     SELECT gen_random_uuid(), $1, $3, f.filename, f.content_type, f.size, f.content,
            now() + row_number() OVER (ORDER BY f.k, f.o1, f.o2) * interval '1 microsecond' FROM (
       SELECT filename, content_type, size, content, 0 AS k, created_at AS o1, id::text AS o2 FROM attachments WHERE account_id = $1 AND email_id = $2
       UNION ALL
       SELECT a.filename, a.content_type, a.size, a.content, 1, NULL, lpad(r.position::text, 10, '0') FROM email_attachment_refs r
         JOIN attachments a ON a.id = r.attachment_id WHERE r.email_id = $2 AND a.account_id = $1
     ) f`,
    [accountId, fromEmailId, toEmailId],
  );
}
