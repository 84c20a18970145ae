/**
 * Reads an account's automation graph (templates, their trigger points, send_email triggers) and
 * refuses a save that closes an unbounded loop (loop-guard.ts).
 *
 * Call it inside the saving transaction, after the writes: it then judges exactly what would be
 * committed. The advisory lock serialises automation saves of one account, so two saves that
 * each close half of a loop cannot both pass (under READ COMMITTED the second one, once it holds
 * the lock, reads the first one's committed rows).
 */
import type { Queryable } from '../../infra/db/db.js';
import { AppError, ErrorCode } from '../../errors.js';
import type { EmailTriggerPoint } from './automation.port.js';
import { describeLoop, findUnboundedLoop, type LoopFocus, type LoopStep, type LoopTemplate, type LoopTrigger } from './loop-guard.js';

export interface AutomationGraph {
  templates: LoopTemplate[];
  triggers: LoopTrigger[];
}

/**
 * Inactive triggers count too: switching one on must not be the moment a loop appears
 * unchecked, and a loop that is merely switched off is still one click away.
 */
export async function loadAutomationGraph(db: Queryable, accountId: number): Promise<AutomationGraph> {
  // Sequential: inside a transaction the client runs one query at a time anyway.
  const templates = await db.query<{ id: string; name: string; repeat_limit: number | null }>(
    'SELECT id, name, repeat_limit FROM templates WHERE account_id = $1',
    [accountId],
  );
  const points = await db.query<{ template_id: string; point: EmailTriggerPoint; trigger_id: string }>(
    `SELECT tt.template_id, tt.point, tt.trigger_id FROM template_triggers tt JOIN templates t ON t.id = tt.template_id
     WHERE t.account_id = $1 ORDER BY tt.position`,
    [accountId],
  );
  const triggers = await db.query<{ id: string; name: string; action: string; params: { templateId?: unknown } }>(
    'SELECT id, name, action, params FROM triggers WHERE account_id = $1',
    [accountId],
  );
  const byTemplate = new Map<string, LoopTemplate>(
    templates.rows.map((t) => [t.id, { id: t.id, name: t.name, repeatLimit: t.repeat_limit, points: {} }]),
  );
  for (const p of points.rows) {
    const t = byTemplate.get(p.template_id);
    if (t) (t.points[p.point] ??= []).push(p.trigger_id);
  }
  return {
    templates: [...byTemplate.values()],
    triggers: triggers.rows.map((t) => ({
      id: t.id,
      name: t.name,
      sendsTemplateId: t.action === 'send_email' && typeof t.params?.templateId === 'string' ? t.params.templateId : null,
    })),
  };
}

/** The loop a save would close, or null. */
export async function findLoopAfterSave(db: Queryable, accountId: number, focus: LoopFocus): Promise<LoopStep[] | null> {
  await db.query("SELECT pg_advisory_xact_lock(hashtext('automation-graph'), $1::int)", [accountId % 2147483647]);
  const g = await loadAutomationGraph(db, accountId);
  return findUnboundedLoop(g.templates, g.triggers, focus);
}

/**
 * Throws a validation error naming `field` and spelling the loop out, e.g.
 * `triggers: sending "Offer" → not opened → trigger "Resend" sends "Offer" again (…)`.
 */
export async function assertNoAutomationLoop(db: Queryable, accountId: number, focus: LoopFocus, field = 'triggers'): Promise<void> {
  const loop = await findLoopAfterSave(db, accountId, focus);
  if (!loop) return;
  const names = [...new Set(loop.map((s) => `"${s.from.name}"`))].join(' or ');
  const problem = `${describeLoop(loop)} — this would send without end; set a repeat limit on ${names} to allow it`;
  throw new AppError(ErrorCode.VALIDATION, `${field}: ${problem}`, { issues: [{ path: field, message: problem }], loop });
}
