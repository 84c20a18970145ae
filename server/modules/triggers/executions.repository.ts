/**
 * trigger_executions: one row per (event, trigger), unique on (event_key, trigger_id). The row is
 * the truth about a run; the queue job only carries its id. Lifecycle:
 *   scheduled → running → done | failed | skipped      (running → scheduled on a safe retry)
 */
import type { EntityType } from '../../../shared/schemas/common.js';
import type { TriggerRunView } from '../../../shared/schemas/trigger.js';
import { withTransaction, type Db, type Queryable } from '../../infra/db/db.js';
import type { TriggerEvent } from '../automation/automation.port.js';
import type { PlannedCall } from './actions/index.js';

export type CallStatus = 'pending' | 'done' | 'failed' | 'skipped';
/** A planned call and what became of it; stored in `calls` in plan order. */
export type CallRecord = PlannedCall & {
  status: CallStatus;
  answer?: unknown;
  error?: { code: string; message: string; details?: unknown };
  at?: string;
  /** Unix seconds: a failed write Kommo may have applied since then; a retry reads back first. */
  maybeAppliedSince?: number;
};

/** The event as the action needs it later (JSON: dates as ISO strings). */
export interface ExecutionContext {
  email: (Omit<NonNullable<TriggerEvent['email']>, 'sentAt'> & { sentAt: string | null }) | null;
  vars: Record<string, string>;
}

export interface ExecutionRow {
  id: string;
  account_id: number;
  trigger_id: string;
  email_id: string | null;
  point: TriggerEvent['point'];
  event_key: string;
  entity_type: EntityType;
  entity_id: number;
  status: 'scheduled' | 'running' | 'done' | 'failed' | 'skipped';
  run_at: Date;
  attempts: number;
  calls: CallRecord[];
  result: string | null;
  error: string | null;
  context: ExecutionContext;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  lease_until: Date | null;
  /** agenda_jobs.id of the job that will run it, when recorded. */
  job_id: string | null;
}

export interface NewExecution {
  id: string;
  accountId: number;
  triggerId: string;
  emailId: string | null;
  point: string;
  eventKey: string;
  entity: { type: EntityType; id: number };
  delaySeconds: number;
  context: ExecutionContext;
}

/** Returns the new row's id and run_at, or null when this (event, trigger) already has one. */
export async function insertExecution(db: Queryable, e: NewExecution): Promise<{ id: string; run_at: Date } | null> {
  const r = await db.query<{ id: string; run_at: Date }>(
    `INSERT INTO trigger_executions (id, account_id, trigger_id, email_id, point, event_key, entity_type, entity_id, status, run_at, context)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'scheduled', now() + make_interval(secs => $9), $10)
     ON CONFLICT (event_key, trigger_id) DO NOTHING RETURNING id, run_at`,
    [e.id, e.accountId, e.triggerId, e.emailId, e.point, e.eventKey, e.entity.type, e.entity.id, e.delaySeconds, JSON.stringify(e.context)],
  );
  return r.rows[0] ?? null;
}

export async function findExecution(db: Queryable, id: string): Promise<ExecutionRow | null> {
  return (await db.query<ExecutionRow>('SELECT * FROM trigger_executions WHERE id = $1', [id])).rows[0] ?? null;
}

/**
 * scheduled → running, only when due; a duplicate or stale job finds nothing to claim. The lease
 * tells the recovery sweep when a run has been interrupted.
 */
export async function claimExecution(db: Queryable, id: string, leaseMs: number): Promise<ExecutionRow | null> {
  const r = await db.query<ExecutionRow>(
    `UPDATE trigger_executions SET status = 'running', attempts = attempts + 1, lease_until = now() + make_interval(secs => $2),
       started_at = COALESCE(started_at, now())
     WHERE id = $1 AND status = 'scheduled' AND run_at <= now() RETURNING *`,
    [id, leaseMs / 1000],
  );
  return r.rows[0] ?? null;
}

/** Saves the calls after each one; a running row's lease is renewed, so only a stalled run expires. */
export async function saveCalls(db: Queryable, id: string, calls: CallRecord[], leaseMs: number): Promise<void> {
  await db.query(
    `UPDATE trigger_executions SET calls = $2,
       lease_until = CASE WHEN status = 'running' THEN now() + make_interval(secs => $3) ELSE lease_until END
     WHERE id = $1`,
    [id, JSON.stringify(calls), leaseMs / 1000],
  );
}

export async function finishExecution(
  db: Queryable,
  id: string,
  status: 'done' | 'failed' | 'skipped',
  out: { result?: string | null; error?: string | null },
): Promise<void> {
  await db.query(
    `UPDATE trigger_executions SET status = $2, result = $3, error = $4, lease_until = NULL, finished_at = now()
     WHERE id = $1 AND status = 'running'`,
    [id, status, out.result ?? null, out.error ?? null],
  );
}

/** running → scheduled again at `runAt` (a retry that cannot apply anything twice). */
export async function rescheduleExecution(db: Queryable, id: string, delayMs: number, error: string): Promise<Date | null> {
  const r = await db.query<{ run_at: Date }>(
    `UPDATE trigger_executions SET status = 'scheduled', lease_until = NULL, error = $3, run_at = now() + make_interval(secs => $2)
     WHERE id = $1 AND status = 'running' RETURNING run_at`,
    [id, delayMs / 1000, error],
  );
  return r.rows[0]?.run_at ?? null;
}

export const INTERRUPTED =
  'interrupted: the server stopped while this trigger was running; it was not run again because Kommo may already have applied part of it';
export const RESUMED = 'interrupted: the server stopped while this trigger was running; resumed, checking Kommo first for what it may have applied';

const CREATES = new Set(['note', 'task', 'create_lead']);

/**
 * Whether an interrupted run can go on without risking a duplicate: the call that may have been
 * in flight (the first one not finished) is a read-only stage, an idempotent PATCH, a mail (a
 * queued mail is recorded in the same transaction), or a create that recorded when it started,
 * so the adapter can read back whether Kommo applied it. A create without that time comes from
 * before such times were recorded and stays failed.
 */
function resumable(row: ExecutionRow): boolean {
  const inFlight = row.calls.find((c) => c.status !== 'done' && c.status !== 'skipped');
  return !inFlight || !CREATES.has(inFlight.op) || inFlight.maybeAppliedSince !== undefined;
}

/**
 * Runs whose lease expired (the process died mid-run): resumed when that cannot apply anything
 * twice (see resumable), failed otherwise, never re-run blindly. Returns the resumed ids.
 */
export async function settleInterrupted(db: Db, maxAttempts: number, id?: string): Promise<{ resumed: { id: string; run_at: Date }[]; failed: number }> {
  return withTransaction(db, async (tx) => {
    const rows = await tx.query<ExecutionRow>(
      `SELECT * FROM trigger_executions WHERE status = 'running' AND lease_until < now() AND ($1::uuid IS NULL OR id = $1)
       ORDER BY run_at LIMIT 500 FOR UPDATE SKIP LOCKED`,
      [id ?? null],
    );
    const resumed: { id: string; run_at: Date }[] = [];
    let failed = 0;
    for (const row of rows.rows) {
      if (resumable(row) && row.attempts < maxAttempts) {
        const r = await tx.query<{ id: string; run_at: Date }>(
          `UPDATE trigger_executions SET status = 'scheduled', lease_until = NULL, run_at = now(), error = $2 WHERE id = $1 RETURNING id, run_at`,
          [row.id, RESUMED],
        );
        resumed.push(r.rows[0]!);
      } else {
        await tx.query(`UPDATE trigger_executions SET status = 'failed', error = $2, lease_until = NULL, finished_at = now() WHERE id = $1`, [row.id, INTERRUPTED]);
        failed++;
      }
    }
    return { resumed, failed };
  });
}

/** Remembers the queue job that will run this execution (the orphan sweep looks it up by id). */
export async function setExecutionJob(db: Queryable, id: string, jobId: string): Promise<void> {
  await db.query('UPDATE trigger_executions SET job_id = $2 WHERE id = $1', [id, jobId]);
}

/** Overdue, scheduled, and its recorded job is missing or no longer pending (lost in a crash). */
const ORPHANED = `x.status = 'scheduled' AND x.run_at < now() - interval '1 minute'
  AND (x.job_id IS NULL OR NOT EXISTS (SELECT 1 FROM agenda_jobs j WHERE j.id = x.job_id AND j.next_run_at IS NOT NULL))`;

export const SWITCHED_OFF = 'the trigger was switched off before it was due';

/**
 * Orphaned runs of triggers that have been switched off are closed as skipped, not queued: they
 * would do nothing, and leaving them would make every sweep find them again.
 */
export async function skipOrphanedOfInactive(db: Queryable): Promise<number> {
  const r = await db.query(
    `UPDATE trigger_executions x SET status = 'skipped', result = $1, lease_until = NULL, finished_at = now()
     FROM triggers t WHERE t.id = x.trigger_id AND NOT t.active AND ${ORPHANED}`,
    [SWITCHED_OFF],
  );
  return r.rowCount ?? 0;
}

/** Orphaned runs of active triggers, oldest first (the order they were due in). */
export async function orphanedExecutions(db: Queryable, limit = 500): Promise<{ id: string; run_at: Date }[]> {
  const r = await db.query<{ id: string; run_at: Date }>(
    `SELECT x.id, x.run_at FROM trigger_executions x JOIN triggers t ON t.id = x.trigger_id AND t.active
     WHERE ${ORPHANED}
     ORDER BY x.run_at, x.created_at LIMIT $1`,
    [limit],
  );
  return r.rows;
}

/** Executions of these emails for their history, oldest first. */
export async function listRunsForEmails(db: Queryable, emailIds: string[]): Promise<Map<string, TriggerRunView[]>> {
  const out = new Map<string, TriggerRunView[]>();
  if (emailIds.length === 0) return out;
  const r = await db.query<ExecutionRow & { name: string; action: TriggerRunView['action'] }>(
    `SELECT x.*, t.name, t.action FROM trigger_executions x JOIN triggers t ON t.id = x.trigger_id
     WHERE x.email_id = ANY($1::uuid[]) ORDER BY x.created_at, x.run_at`,
    [emailIds],
  );
  for (const x of r.rows) {
    const list = out.get(x.email_id!) ?? [];
    list.push({
      triggerId: x.trigger_id,
      name: x.name,
      action: x.action,
      point: x.point,
      status: x.status,
      runAt: x.run_at.toISOString(),
      startedAt: x.started_at?.toISOString() ?? null,
      finishedAt: x.finished_at?.toISOString() ?? null,
      calls: x.calls,
      result: x.result,
      error: x.error,
    });
    out.set(x.email_id!, list);
  }
  return out;
}
