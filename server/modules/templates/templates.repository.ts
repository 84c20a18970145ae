import type { Queryable } from '../../infra/db/db.js';

export interface TemplateRow {
  id: string;
  account_id: number;
  owner_user_id: number;
  name: string;
  subject: string;
  body_html: string;
  is_public: boolean;
  disable_signature: boolean;
  link_attachments: { url: string; filename?: string }[];
  repeat_limit: number | null;
  updated_at: Date;
}

/** What a save writes: the row without its identity and timestamps. */
export type TemplateColumns = Omit<TemplateRow, 'id' | 'account_id' | 'updated_at'>;

export async function insertTemplate(db: Queryable, id: string, accountId: number, c: TemplateColumns): Promise<void> {
  await db.query(
    `INSERT INTO templates (id, account_id, owner_user_id, name, subject, body_html, is_public, disable_signature, link_attachments, repeat_limit)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [id, accountId, c.owner_user_id, c.name, c.subject, c.body_html, c.is_public, c.disable_signature, JSON.stringify(c.link_attachments), c.repeat_limit],
  );
}

export async function updateTemplate(db: Queryable, accountId: number, id: string, c: TemplateColumns): Promise<void> {
  await db.query(
    `UPDATE templates SET owner_user_id = $3, name = $4, subject = $5, body_html = $6, is_public = $7, disable_signature = $8,
       link_attachments = $9, repeat_limit = $10, updated_at = now() WHERE account_id = $1 AND id = $2`,
    [accountId, id, c.owner_user_id, c.name, c.subject, c.body_html, c.is_public, c.disable_signature, JSON.stringify(c.link_attachments), c.repeat_limit],
  );
}

export async function findTemplate(db: Queryable, accountId: number, id: string, forUpdate = false): Promise<TemplateRow | null> {
  const r = await db.query<TemplateRow>(`SELECT * FROM templates WHERE account_id = $1 AND id = $2${forUpdate ? ' FOR UPDATE' : ''}`, [accountId, id]);
  return r.rows[0] ?? null;
}

/** Own and public templates; every template of the account for an admin (seed 004). */
export async function listTemplates(db: Queryable, accountId: number, userId: number, isAdmin: boolean): Promise<TemplateRow[]> {
  const r = await db.query<TemplateRow>(
    `SELECT * FROM templates WHERE account_id = $1 AND ($3 OR owner_user_id = $2 OR is_public) ORDER BY name, created_at`,
    [accountId, userId, isAdmin],
  );
  return r.rows;
}

/** One page of the templates a caller may see, by name; `q` matches part of the name or the subject. */
export async function pageTemplates(
  db: Queryable,
  accountId: number,
  userId: number,
  isAdmin: boolean,
  q: { search: string | null; limit: number; offset: number },
): Promise<{ rows: Omit<TemplateRow, 'body_html' | 'link_attachments'>[]; total: number }> {
  // LIKE's own wildcards in the search are literal characters.
  const like = q.search ? `%${q.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const r = await db.query<Omit<TemplateRow, 'body_html' | 'link_attachments'> & { total: string }>(
    `SELECT id, account_id, owner_user_id, name, subject, is_public, disable_signature, repeat_limit, updated_at, count(*) OVER () AS total
       FROM templates
      WHERE account_id = $1 AND ($3 OR owner_user_id = $2 OR is_public)
        AND ($4::text IS NULL OR name ILIKE $4 OR subject ILIKE $4)
      ORDER BY lower(name), created_at, id
      LIMIT $5 OFFSET $6`,
    [accountId, userId, isAdmin, like, q.limit, q.offset],
  );
  if (r.rows.length === 0 && q.offset > 0) {
    const c = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM templates WHERE account_id = $1 AND ($3 OR owner_user_id = $2 OR is_public) AND ($4::text IS NULL OR name ILIKE $4 OR subject ILIKE $4)`,
      [accountId, userId, isAdmin, like],
    );
    return { rows: [], total: Number(c.rows[0]!.n) };
  }
  return { rows: r.rows.map(({ total: _total, ...row }) => row), total: Number(r.rows[0]?.total ?? 0) };
}

export async function deleteTemplate(db: Queryable, accountId: number, id: string): Promise<void> {
  await db.query('DELETE FROM templates WHERE account_id = $1 AND id = $2', [accountId, id]);
}

export async function getSignature(db: Queryable, accountId: number, userId: number): Promise<string> {
  const r = await db.query<{ signature_html: string }>('SELECT signature_html FROM user_settings WHERE account_id = $1 AND user_id = $2', [accountId, userId]);
  return r.rows[0]?.signature_html ?? '';
}

export async function setSignature(db: Queryable, accountId: number, userId: number, html: string): Promise<void> {
  await db.query(
    `INSERT INTO user_settings (account_id, user_id, signature_html) VALUES ($1, $2, $3)
     ON CONFLICT (account_id, user_id) DO UPDATE SET signature_html = EXCLUDED.signature_html, updated_at = now()`,
    [accountId, userId, html],
  );
}

/** Names of the account's templates among `ids` (a statistics breakdown's handful). */
export async function namesOf(db: Queryable, accountId: number, ids: string[]): Promise<Map<string, string>> {
  const r = await db.query<{ id: string; name: string }>('SELECT id, name FROM templates WHERE account_id = $1 AND id = ANY($2::uuid[])', [accountId, ids]);
  return new Map(r.rows.map((x) => [x.id, x.name]));
}
