import type { Queryable } from '../../infra/db/db.js';

export interface TriggerLinkRow {
  id: number;
  account_id: number;
  name: string;
  execute_once: boolean;
  redirect_url: string | null;
  trigger_ids: string[];
  created_at: Date;
  updated_at: Date;
}

export interface TriggerLinkColumns {
  name: string;
  execute_once: boolean;
  redirect_url: string | null;
  trigger_ids: string[];
}

export async function listLinks(db: Queryable, accountId: number): Promise<TriggerLinkRow[]> {
  return (await db.query<TriggerLinkRow>('SELECT * FROM trigger_links WHERE account_id = $1 ORDER BY id', [accountId])).rows;
}

export async function findLink(db: Queryable, accountId: number, id: number): Promise<TriggerLinkRow | null> {
  const r = await db.query<TriggerLinkRow>('SELECT * FROM trigger_links WHERE account_id = $1 AND id = $2', [accountId, id]);
  return r.rows[0] ?? null;
}

export async function linkIds(db: Queryable, accountId: number): Promise<Set<number>> {
  const r = await db.query<{ id: number }>('SELECT id FROM trigger_links WHERE account_id = $1', [accountId]);
  return new Set(r.rows.map((x) => x.id));
}

export async function insertLink(db: Queryable, accountId: number, c: TriggerLinkColumns): Promise<number> {
  const r = await db.query<{ id: number }>(
    'INSERT INTO trigger_links (account_id, name, execute_once, redirect_url, trigger_ids) VALUES ($1, $2, $3, $4, $5) RETURNING id',
    [accountId, c.name, c.execute_once, c.redirect_url, c.trigger_ids],
  );
  return r.rows[0]!.id;
}

export async function updateLink(db: Queryable, accountId: number, id: number, c: TriggerLinkColumns): Promise<boolean> {
  const r = await db.query(
    `UPDATE trigger_links SET name = $3, execute_once = $4, redirect_url = $5, trigger_ids = $6, updated_at = now()
     WHERE account_id = $1 AND id = $2`,
    [accountId, id, c.name, c.execute_once, c.redirect_url, c.trigger_ids],
  );
  return (r.rowCount ?? 0) > 0;
}

export async function deleteLink(db: Queryable, accountId: number, id: number): Promise<boolean> {
  const r = await db.query('DELETE FROM trigger_links WHERE account_id = $1 AND id = $2', [accountId, id]);
  return (r.rowCount ?? 0) > 0;
}

/** The ids among `ids` that are triggers of the account. */
export async function existingTriggerIds(db: Queryable, accountId: number, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const r = await db.query<{ id: string }>('SELECT id FROM triggers WHERE account_id = $1 AND id = ANY($2::uuid[])', [accountId, ids]);
  return new Set(r.rows.map((x) => x.id));
}
