import type { TriggerInput } from '../../../shared/schemas/trigger.js';
import type { Queryable } from '../../infra/db/db.js';

/** A stored trigger; `action` and `params` keep the discriminated shape of TriggerInput. */
export type Trigger = TriggerInput & { id: string; accountId: number; createdAt: Date; updatedAt: Date };

interface TriggerRow {
  id: string;
  account_id: number;
  name: string;
  action: TriggerInput['action'];
  params: TriggerInput['params'];
  delay_seconds: number;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

function toTrigger(r: TriggerRow): Trigger {
  // The row was validated against TriggerInput when saved, so the pair is consistent.
  return {
    id: r.id,
    accountId: r.account_id,
    name: r.name,
    action: r.action,
    params: r.params,
    delaySeconds: r.delay_seconds,
    active: r.active,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  } as Trigger;
}

export async function listTriggers(db: Queryable, accountId: number): Promise<Trigger[]> {
  const r = await db.query<TriggerRow>('SELECT * FROM triggers WHERE account_id = $1 ORDER BY name, created_at', [accountId]);
  return r.rows.map(toTrigger);
}

export async function findTrigger(db: Queryable, accountId: number, id: string): Promise<Trigger | null> {
  const r = await db.query<TriggerRow>('SELECT * FROM triggers WHERE account_id = $1 AND id = $2', [accountId, id]);
  return r.rows[0] ? toTrigger(r.rows[0]) : null;
}

/** The active triggers among `ids`, in the order given (the order of a trigger point). */
export async function findActiveTriggers(db: Queryable, accountId: number, ids: string[]): Promise<Trigger[]> {
  if (ids.length === 0) return [];
  const r = await db.query<TriggerRow>('SELECT * FROM triggers WHERE account_id = $1 AND id = ANY($2::uuid[]) AND active', [accountId, ids]);
  const byId = new Map(r.rows.map((row) => [row.id, toTrigger(row)]));
  return [...new Set(ids)].flatMap((id) => byId.get(id) ?? []);
}

export async function insertTrigger(db: Queryable, id: string, accountId: number, t: TriggerInput): Promise<void> {
  await db.query(
    'INSERT INTO triggers (id, account_id, name, action, params, delay_seconds, active) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [id, accountId, t.name, t.action, JSON.stringify(t.params), t.delaySeconds, t.active],
  );
}

export async function updateTrigger(db: Queryable, accountId: number, id: string, t: TriggerInput): Promise<void> {
  await db.query(
    `UPDATE triggers SET name = $3, action = $4, params = $5, delay_seconds = $6, active = $7, updated_at = now()
     WHERE account_id = $1 AND id = $2`,
    [accountId, id, t.name, t.action, JSON.stringify(t.params), t.delaySeconds, t.active],
  );
}

export async function deleteTrigger(db: Queryable, accountId: number, id: string): Promise<void> {
  await db.query('DELETE FROM triggers WHERE account_id = $1 AND id = $2', [accountId, id]);
}

/** Templates and trigger links that name the trigger (deleting it would silently change them). */
export async function triggerUsers(db: Queryable, accountId: number, id: string): Promise<{ templates: string[]; links: string[] }> {
  const t = await db.query<{ name: string }>(
    `SELECT DISTINCT t.name FROM template_triggers tt JOIN templates t ON t.id = tt.template_id
     WHERE t.account_id = $1 AND tt.trigger_id = $2 ORDER BY t.name`,
    [accountId, id],
  );
  const l = await db.query<{ name: string }>('SELECT name FROM trigger_links WHERE account_id = $1 AND $2 = ANY(trigger_ids) ORDER BY name', [accountId, id]);
  return { templates: t.rows.map((r) => r.name), links: l.rows.map((r) => r.name) };
}
