/**
 * An email's own trigger points (email_triggers, this module's table): a copy of its template's
 * or its request's, taken when it is queued, so editing a template later changes no mail already
 * queued or sent. A template's points belong to the templates module and come in through
 * EmailSources (sources.port.ts).
 */
import type { Queryable } from '../../infra/db/db.js';
import type { TriggerPoints } from '../../../shared/schemas/template.js';

export type Point = 'sent' | 'opened' | 'not_opened' | 'failed';

function pointRows(points: TriggerPoints): { point: Point; trigger_id: string; position: number }[] {
  const out: { point: Point; trigger_id: string; position: number }[] = [];
  const add = (point: Point, ids: string[]) => ids.forEach((trigger_id, position) => out.push({ point, trigger_id, position }));
  add('sent', points.sent);
  add('opened', points.opened);
  add('not_opened', points.notOpened?.triggerIds ?? []);
  add('failed', points.failed);
  return out;
}

/**
 * The same points for every email in `emailIds` (new ones of one account), in one statement.
 * The rows carry the account: the composite keys refuse a trigger of another account.
 */
export async function insertTriggerPoints(tx: Queryable, accountId: number, emailIds: string[], points: TriggerPoints): Promise<void> {
  const rows = pointRows(points);
  if (rows.length === 0 || emailIds.length === 0) return;
  await tx.query(
    `INSERT INTO email_triggers (account_id, email_id, point, trigger_id, position)
     SELECT $3, e, p.point, p.trigger_id, p.position FROM unnest($1::uuid[]) AS e
     CROSS JOIN jsonb_to_recordset($2) AS p(point text, trigger_id uuid, position int) ON CONFLICT DO NOTHING`,
    [emailIds, JSON.stringify(rows), accountId],
  );
}

/** Points of one new email, with its "not opened within" delay. */
export async function saveTriggerPoints(tx: Queryable, accountId: number, emailId: string, points: TriggerPoints): Promise<void> {
  await insertTriggerPoints(tx, accountId, [emailId], points);
  if (points.notOpened?.afterSeconds) await tx.query('UPDATE emails SET not_opened_after_seconds = $2 WHERE id = $1', [emailId, points.notOpened.afterSeconds]);
}

export async function loadTriggerPoints(db: Queryable, emailId: string): Promise<TriggerPoints> {
  const rows = (await db.query<{ point: Point; trigger_id: string }>('SELECT point, trigger_id FROM email_triggers WHERE email_id = $1 ORDER BY point, position', [emailId])).rows;
  const after = (await db.query<{ n: number | null }>('SELECT not_opened_after_seconds AS n FROM emails WHERE id = $1', [emailId])).rows[0]?.n ?? null;
  const of = (p: Point) => rows.filter((r) => r.point === p).map((r) => r.trigger_id);
  const notOpened = of('not_opened');
  return { sent: of('sent'), opened: of('opened'), notOpened: after && notOpened.length ? { afterSeconds: after, triggerIds: notOpened } : null, failed: of('failed') };
}

/** Trigger ids of one point of an email, in order. */
export async function emailTriggerIds(db: Queryable, emailId: string, point: Point): Promise<string[]> {
  const r = await db.query<{ trigger_id: string }>('SELECT trigger_id FROM email_triggers WHERE email_id = $1 AND point = $2 ORDER BY position', [emailId, point]);
  return r.rows.map((x) => x.trigger_id);
}
