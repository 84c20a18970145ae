/** pipeline_actions: the settings behind each signed digital-pipeline token (action-token.ts). */
import type { Queryable } from '../../infra/db/db.js';
import type { PipelineActionFilter } from '../../../shared/schemas/pipeline.js';

export interface PipelineActionRow {
  id: string;
  account_id: number;
  name: string;
  template_id: string | null;
  /** Joined for the view; null when the template was deleted. */
  template_name: string | null;
  delay_seconds: number;
  filter: PipelineActionFilter;
  active: boolean;
  created_by: number;
  created_at: Date;
  updated_at: Date;
}

export interface PipelineActionColumns {
  name: string;
  template_id: string;
  delay_seconds: number;
  filter: PipelineActionFilter;
  active: boolean;
}

const SELECT = `SELECT a.*, t.name AS template_name FROM pipeline_actions a LEFT JOIN templates t ON t.id = a.template_id AND t.account_id = a.account_id`;

export async function insertAction(db: Queryable, id: string, accountId: number, createdBy: number, c: PipelineActionColumns): Promise<void> {
  await db.query(
    `INSERT INTO pipeline_actions (id, account_id, name, template_id, delay_seconds, filter, active, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [id, accountId, c.name, c.template_id, c.delay_seconds, JSON.stringify(c.filter), c.active, createdBy],
  );
}

export async function updateAction(db: Queryable, accountId: number, id: string, c: PipelineActionColumns): Promise<boolean> {
  const r = await db.query(
    `UPDATE pipeline_actions SET name = $3, template_id = $4, delay_seconds = $5, filter = $6, active = $7, updated_at = now()
     WHERE account_id = $1 AND id = $2`,
    [accountId, id, c.name, c.template_id, c.delay_seconds, JSON.stringify(c.filter), c.active],
  );
  return (r.rowCount ?? 0) > 0;
}

export async function findAction(db: Queryable, accountId: number, id: string): Promise<PipelineActionRow | null> {
  const r = await db.query<PipelineActionRow>(`${SELECT} WHERE a.account_id = $1 AND a.id = $2`, [accountId, id]);
  return r.rows[0] ?? null;
}

export async function listActions(db: Queryable, accountId: number): Promise<PipelineActionRow[]> {
  const r = await db.query<PipelineActionRow>(`${SELECT} WHERE a.account_id = $1 ORDER BY a.created_at, a.id`, [accountId]);
  return r.rows;
}

export async function deleteAction(db: Queryable, accountId: number, id: string): Promise<boolean> {
  const r = await db.query('DELETE FROM pipeline_actions WHERE account_id = $1 AND id = $2', [accountId, id]);
  return (r.rowCount ?? 0) > 0;
}
