/**
 * Trigger points of templates: which triggers run when a mail is sent, opened, not opened
 * within N, or fails. An email gets a copy of its template's points when queued (the emails
 * module's email-triggers.ts), so editing a template later does not change mail already sent.
 */
import type { TriggerPoints } from '../../../shared/schemas/template.js';
import type { Queryable } from '../../infra/db/db.js';
import { invalid } from '../../errors.js';

type Point = 'sent' | 'opened' | 'not_opened' | 'failed';
type Owner = { templateId: string };

function rowsOf(points: TriggerPoints): { point: Point; triggerId: string; position: number }[] {
  const out: { point: Point; triggerId: string; position: number }[] = [];
  const add = (point: Point, ids: string[]) => ids.forEach((triggerId, position) => out.push({ point, triggerId, position }));
  add('sent', points.sent);
  add('opened', points.opened);
  add('not_opened', points.notOpened?.triggerIds ?? []);
  add('failed', points.failed);
  return out;
}

/** Every trigger named must exist in the account; the error names the field. */
export async function assertTriggersExist(db: Queryable, accountId: number, points: TriggerPoints, prefix = 'triggers'): Promise<void> {
  const ids = [...new Set(rowsOf(points).map((r) => r.triggerId))];
  if (ids.length === 0) return;
  const found = new Set(
    (await db.query<{ id: string }>('SELECT id FROM triggers WHERE account_id = $1 AND id = ANY($2::uuid[])', [accountId, ids])).rows.map((r) => r.id),
  );
  const check = (field: string, list: string[]) =>
    list.forEach((id, i) => {
      if (!found.has(id)) throw invalid(`${prefix}.${field}.${i}`, `trigger ${id} does not exist`);
    });
  check('sent', points.sent);
  check('opened', points.opened);
  check('notOpened.triggerIds', points.notOpened?.triggerIds ?? []);
  check('failed', points.failed);
}

export async function saveTriggerPoints(db: Queryable, owner: Owner, points: TriggerPoints): Promise<void> {
  const id = owner.templateId;
  await db.query('DELETE FROM template_triggers WHERE template_id = $1', [id]);
  for (const r of rowsOf(points)) {
    // The row carries its owner's account; the composite keys refuse a trigger of another account.
    await db.query(
      `INSERT INTO template_triggers (account_id, template_id, point, trigger_id, position)
       SELECT account_id, $1, $2, $3, $4 FROM templates WHERE id = $1 ON CONFLICT DO NOTHING`,
      [id, r.point, r.triggerId, r.position],
    );
  }
  await db.query('UPDATE templates SET not_opened_after_seconds = $2 WHERE id = $1', [id, points.notOpened?.afterSeconds ?? null]);
}

export async function loadTriggerPoints(db: Queryable, owner: Owner): Promise<TriggerPoints> {
  const id = owner.templateId;
  const rows = (await db.query<{ point: Point; trigger_id: string }>('SELECT point, trigger_id FROM template_triggers WHERE template_id = $1 ORDER BY point, position', [id])).rows;
  const after = (await db.query<{ n: number | null }>('SELECT not_opened_after_seconds AS n FROM templates WHERE id = $1', [id])).rows[0]?.n ?? null;
  const of = (p: Point) => rows.filter((r) => r.point === p).map((r) => r.trigger_id);
  const notOpened = of('not_opened');
  return { sent: of('sent'), opened: of('opened'), notOpened: after && notOpened.length ? { afterSeconds: after, triggerIds: notOpened } : null, failed: of('failed') };
}
