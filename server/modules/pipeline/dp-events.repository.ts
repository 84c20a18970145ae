/**
 * dp_events: one row per digital-pipeline event of a signed pipeline action. Kommo's repeated
 * deliveries of one event collapse into one row, and so one mail, by `dedupe_key` within
 * DEDUPE_WINDOW of receipt (see insertDpEvent). `outcome` is NULL until the event is decided:
 * 'queued' (with email_id), 'skipped: …' or 'failed: …'.
 */
import type { Queryable } from '../../infra/db/db.js';
import type { DpEventInput } from './dp-payload.js';

export interface DpEventRow {
  id: string;
  account_id: number;
  lead_id: number;
  status_id: number;
  pipeline_id: number | null;
  event_time: number;
  action_id: string | null;
  settings: { typeCode: string | null; subdomain: string; runAt?: string };
  received_at: Date;
  outcome: string | null;
  email_id: string | null;
  lease_until: Date | null;
  attempts: number;
}

/**
 * How long a second delivery of the same lead entering the same stage for the same action is
 * the same event. Kommo retries an unanswered DP call up to 4 times within an hour
 * (kommo-reference.md), so an hour covers every retry. The key is built only from what the
 * caller cannot vary at will once the token is checked — the account and the action (signed),
 * the lead and its status (the lead must still be in that status when it is read back from
 * Kommo, so only one status per lead gets anywhere) — and the window from our own clock. Never
 * from `event.time` or `event.type`, which any caller may change to make each delivery "new";
 * nor from `pipeline_id`, which is optional in the payload, so sending it once and leaving it out
 * once would make two events of one (Kommo's status ids already name the pipeline, but for
 * won/lost, and a lead is in one pipeline at a time).
 * The price: a lead that leaves the stage and comes back within the hour gets the template once.
 */
export const DEDUPE_WINDOW_SECONDS = 3600;

export function dedupeKey(e: DpEventInput, actionId: string): string {
  return [e.accountId, e.leadId, e.statusId, actionId].join(':');
}

/**
 * Inserts the event unless one with the same key was received within the window: returns the
 * new row, or the existing one (`duplicate`). Call inside a transaction: the advisory lock
 * makes concurrent deliveries of one event wait for each other, so only one row is made.
 */
export async function insertDpEvent(
  tx: Queryable,
  row: { id: string; actionId: string; outcome: string | null; runAt: Date | null },
  e: DpEventInput,
): Promise<{ id: string; duplicate: boolean; outcome: string | null }> {
  const key = dedupeKey(e, row.actionId);
  await tx.query("SELECT pg_advisory_xact_lock(hashtext('dp-event'), hashtext($1))", [key]);
  const seen = await tx.query<{ id: string; outcome: string | null }>(
    `SELECT id, outcome FROM dp_events WHERE dedupe_key = $1 AND received_at > now() - make_interval(secs => $2)
     ORDER BY received_at DESC LIMIT 1`,
    [key, DEDUPE_WINDOW_SECONDS],
  );
  if (seen.rows[0]) return { ...seen.rows[0], duplicate: true };
  const settings = { typeCode: e.typeCode, subdomain: e.subdomain, ...(row.runAt ? { runAt: row.runAt.toISOString() } : {}) };
  await tx.query(
    `INSERT INTO dp_events (id, account_id, lead_id, status_id, pipeline_id, event_time, settings, outcome, action_id, dedupe_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [row.id, e.accountId, e.leadId, e.statusId, e.pipelineId, e.eventTime, JSON.stringify(settings), row.outcome, row.actionId, key],
  );
  return { id: row.id, duplicate: false, outcome: row.outcome };
}

/**
 * One run at a time: the queue can start a job twice (an expired lock, the recovery sweep). The
 * lease runs out by itself if the process dies, so the event is never stuck.
 */
export async function claimDpEvent(db: Queryable, id: string, leaseMs: number): Promise<DpEventRow | null> {
  const r = await db.query<DpEventRow>(
    `UPDATE dp_events SET lease_until = now() + make_interval(secs => $2), attempts = attempts + 1
     WHERE id = $1 AND outcome IS NULL AND (lease_until IS NULL OR lease_until < now()) RETURNING *`,
    [id, leaseMs / 1000],
  );
  return r.rows[0] ?? null;
}

/** Gives the claim back before a retry is queued. */
export async function releaseDpEvent(db: Queryable, id: string): Promise<void> {
  await db.query('UPDATE dp_events SET lease_until = NULL WHERE id = $1', [id]);
}

/** Decides an undecided event; false if something else decided it first. */
export async function decideDpEvent(db: Queryable, id: string, outcome: string, emailId: string | null = null): Promise<boolean> {
  const r = await db.query('UPDATE dp_events SET outcome = $2, email_id = $3, lease_until = NULL WHERE id = $1 AND outcome IS NULL', [id, outcome, emailId]);
  return (r.rowCount ?? 0) > 0;
}

/** Undecided, unclaimed events whose time has come and that have no pending job (lost in a crash). */
export async function listOrphanedDpEvents(db: Queryable, jobName: string): Promise<{ id: string }[]> {
  const r = await db.query<{ id: string }>(
    `SELECT d.id FROM dp_events d
     WHERE d.outcome IS NULL AND d.received_at > now() - interval '7 days'
       AND (d.lease_until IS NULL OR d.lease_until < now())
       AND COALESCE((d.settings->>'runAt')::timestamptz, d.received_at) < now() - interval '1 minute'
       AND NOT EXISTS (SELECT 1 FROM agenda_jobs j WHERE j.name = $1 AND j.data->>'eventId' = d.id::text AND j.next_run_at IS NOT NULL)
     LIMIT 500`,
    [jobName],
  );
  return r.rows;
}
