/**
 * dp_events: one row per digital-pipeline event. Its unique key (account, lead, status, event
 * time) is how Kommo's repeated deliveries of one event collapse into one row, and so one mail.
 * `outcome` is NULL until the event is decided: 'queued' (with email_id), 'skipped: …' or
 * 'failed: …'.
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
  settings: { raw: Record<string, unknown>; typeCode: string | null; subdomain: string; runAt?: string };
  received_at: Date;
  outcome: string | null;
  email_id: string | null;
  lease_until: Date | null;
  attempts: number;
}

/** Null when this event was already received (a repeated delivery). */
export async function insertDpEvent(db: Queryable, id: string, e: DpEventInput, outcome: string | null, runAt: Date | null): Promise<string | null> {
  const settings = { raw: e.rawSettings, typeCode: e.typeCode, subdomain: e.subdomain, ...(runAt ? { runAt: runAt.toISOString() } : {}) };
  const r = await db.query<{ id: string }>(
    `INSERT INTO dp_events (id, account_id, lead_id, status_id, pipeline_id, event_time, settings, outcome)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (account_id, lead_id, status_id, event_time) DO NOTHING RETURNING id`,
    [id, e.accountId, e.leadId, e.statusId, e.pipelineId, e.eventTime, JSON.stringify(settings), outcome],
  );
  return r.rows[0]?.id ?? null;
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
