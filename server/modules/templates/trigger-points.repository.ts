/**
 * Trigger points of templates and of individual emails: which triggers run when a mail is
 * sent, opened, not opened within N, or fails. An email gets a copy of its template's points
 * when composed, so editing a template later does not change mail already sent.
 */
import type { TriggerPoints } from '../../../shared/schemas/template.js';
import type { Queryable } from '../../infra/db/db.js';
import { invalid } from '../../errors.js';

type Point = 'sent' | 'opened' | 'not_opened' | 'failed';
type Owner = { templateId: string } | { emailId: string };

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
  const [table, col, id, parent] =
    'templateId' in owner ? ['template_triggers', 'template_id', owner.templateId, 'templates'] : ['email_triggers', 'email_id', owner.emailId, 'emails'];
  await db.query(`DELETE FROM ${table} WHERE ${col} = $1`, [id]);
  for (const r of rowsOf(points)) {
    // The row carries its owner's account; the composite keys refuse a trigger of another account.
    await db.query(
      `INSERT INTO ${table} (account_id, ${col}, point, trigger_id, position)
       SELECT account_id, $1, $2, $3, $4 FROM ${parent} WHERE id = $1 ON CONFLICT DO NOTHING`,
      [id, r.point, r.triggerId, r.position],
    );
  }
  if ('templateId' in owner) {
    await db.query('UPDATE templates SET not_opened_after_seconds = $2 WHERE id = $1', [id, points.notOpened?.afterSeconds ?? null]);
  } else {
    await db.query('UPDATE emails SET not_opened_after_seconds = $2 WHERE id = $1', [id, points.notOpened?.afterSeconds ?? null]);
  }
}

export async function loadTriggerPoints(db: Queryable, owner: Owner): Promise<TriggerPoints> {
  const [table, col, id, parent] =
    'templateId' in owner
      ? ['template_triggers', 'template_id', owner.templateId, 'SELECT not_opened_after_seconds AS n FROM templates WHERE id = $1']
      : ['email_triggers', 'email_id', owner.emailId, 'SELECT not_opened_after_seconds AS n FROM emails WHERE id = $1'];
  const rows = (await db.query<{ point: Point; trigger_id: string }>(`SELECT point, trigger_id FROM ${table} WHERE ${col} = $1 ORDER BY point, position`, [id])).rows;
  const after = (await db.query<{ n: number | null }>(parent, [id])).rows[0]?.n ?? null;
  const of = (p: Point) => rows.filter((r) => r.point === p).map((r) => r.trigger_id);
  const notOpened = of('not_opened');
  return { sent: of('sent'), opened: of('opened'), notOpened: after && notOpened.length ? { afterSeconds: after, triggerIds: notOpened } : null, failed: of('failed') };
}

/** Trigger ids of one point of an email, in order. */
export async function emailTriggerIds(db: Queryable, emailId: string, point: Point): Promise<string[]> {
  const r = await db.query<{ trigger_id: string }>('SELECT trigger_id FROM email_triggers WHERE email_id = $1 AND point = $2 ORDER BY position', [emailId, point]);
  return r.rows.map((x) => x.trigger_id);
}
