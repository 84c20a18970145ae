/**
 * The files an email carries: its own (attachments rows with its email_id: uploaded with it, or
 * copied from the mail it resends) and those of its template it refers to instead of copying
 * (email_attachment_refs, a mailing's). A template's own files are the templates module's and
 * come in through EmailSources (sources.port.ts).
 */
import crypto from 'node:crypto';
import type { Queryable } from '../../infra/db/db.js';

/** A file as uploaded, stored and sent (the same shape as an upload's and a template's file). */
export interface AttachmentFile {
  filename: string;
  contentType: string;
  content: Buffer;
}

export async function insertEmailFiles(tx: Queryable, accountId: number, emailId: string, files: AttachmentFile[]): Promise<void> {
  for (const f of files) {
    await tx.query(
      `INSERT INTO attachments (id, account_id, email_id, filename, content_type, size, content) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [crypto.randomUUID(), accountId, emailId, f.filename, f.contentType, f.content.length, f.content],
    );
  }
}

/** Own files first (in their stored order), then the referenced ones (in their position). */
export async function loadEmailFiles(db: Queryable, emailId: string): Promise<AttachmentFile[]> {
  const r = await db.query<{ filename: string; content_type: string; content: Buffer }>(
    `SELECT * FROM (SELECT filename, content_type, content FROM attachments WHERE email_id = $1 ORDER BY created_at, id) own
     UNION ALL SELECT * FROM (SELECT a.filename, a.content_type, a.content FROM email_attachment_refs r
       JOIN attachments a ON a.id = r.attachment_id WHERE r.email_id = $1 ORDER BY r.position) refs`,
    [emailId],
  );
  return r.rows.map((a) => ({ filename: a.filename, contentType: a.content_type, content: a.content }));
}

/**
 * Gives `toEmailId` its own copy of every file `fromEmailId` carries (its own and those it refers
 * to), in one statement (the bytes never leave the database), in the order they are sent.
 */
export async function copyEmailFiles(tx: Queryable, accountId: number, fromEmailId: string, toEmailId: string): Promise<void> {
  await tx.query(
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
