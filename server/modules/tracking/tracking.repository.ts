import type { HitOutcome, HitReason } from '../../../shared/schemas/tracking.js';
import type { Queryable } from '../../infra/db/db.js';
import { MAX_USER_AGENT, type NeighbourHit } from './classify.js';

export type HitKind = 'open' | 'click' | 'honeypot';

export interface HitRow {
  id: number;
  account_id: number;
  email_id: string;
  kind: HitKind;
  link_id: number | null;
  at: Date;
  ip: string | null;
  user_agent: string | null;
  human: boolean | null;
  reason: HitReason | null;
  detail: string | null;
  outcome: HitOutcome | null;
  event_key: string | null;
  decided_at: Date | null;
}

export interface NewHit {
  accountId: number;
  emailId: string;
  kind: HitKind;
  linkId: number | null;
  ip: string | null;
  userAgent: string | null;
  /** Arrival time; absent means the database's now(). */
  at?: Date;
  /** Given for hits decided on arrival (opens, honeypot); clicks are decided after settling. */
  decision?: { human: boolean; reason: HitReason; detail?: string; outcome: HitOutcome };
}

/** Addresses are stored bounded (an IPv6 address with a zone fits). */
export const MAX_IP = 64;

/**
 * Many hits in one statement, ids in the given order (history lists hits of one instant by id).
 * Undecided clicks are due for their verdict `settleMs` after they were written (the database's
 * clock, whatever `at` says: tests state hit times instead of sleeping).
 */
export async function insertHits(db: Queryable, hits: NewHit[], settleMs = 0): Promise<number[]> {
  if (hits.length === 0) return [];
  const col = <V>(f: (h: NewHit) => V): V[] => hits.map(f);
  const r = await db.query<{ id: number }>(
    `INSERT INTO tracking_hits (account_id, email_id, kind, link_id, ip, user_agent, human, reason, detail, outcome, at, decided_at, settle_at)
     SELECT a, e, k, l, ip, ua, hu, re, de, ou, coalesce(at, now()), CASE WHEN hu IS NULL THEN NULL ELSE now() END, now() + make_interval(secs => $12)
     FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::boolean[], $8::text[], $9::text[], $10::text[], $11::timestamptz[])
       WITH ORDINALITY AS x(a, e, k, l, ip, ua, hu, re, de, ou, at, n)
     ORDER BY n RETURNING id`,
    [
      col((h) => h.accountId), col((h) => h.emailId), col((h) => h.kind), col((h) => h.linkId),
      col((h) => h.ip?.slice(0, MAX_IP) ?? null), col((h) => h.userAgent?.slice(0, MAX_USER_AGENT) ?? null),
      col((h) => h.decision?.human ?? null), col((h) => h.decision?.reason ?? null), col((h) => h.decision?.detail ?? null),
      col((h) => h.decision?.outcome ?? null), col((h) => h.at ?? null), settleMs / 1000,
    ],
  );
  return r.rows.map((x) => x.id);
}

export async function insertHit(db: Queryable, h: NewHit): Promise<void> {
  await insertHits(db, [h]);
}

/**
 * Clicks due for their verdict, claimed for this transaction: SKIP LOCKED lets every process
 * sweep at once without two deciding the same hit, and a process that dies mid-sweep releases
 * its claim with its connection.
 */
export async function claimDueClicks(db: Queryable, limit: number): Promise<HitRow[]> {
  const r = await db.query<HitRow>(
    `SELECT * FROM tracking_hits WHERE decided_at IS NULL AND settle_at <= now() AND kind = 'click'
     ORDER BY settle_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return r.rows;
}

/**
 * Mails locked in id order, the order every batch uses (no lock cycles between batches). NO KEY
 * UPDATE: new hits' foreign-key checks (KEY SHARE) on the same mail are not held up by it.
 */
export async function lockEmails(db: Queryable, ids: string[]): Promise<void> {
  await db.query('SELECT 1 FROM emails WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE', [[...new Set(ids)].sort()]);
}

export async function lockHit(db: Queryable, id: number): Promise<HitRow | null> {
  return (await db.query<HitRow>('SELECT * FROM tracking_hits WHERE id = $1 FOR UPDATE', [id])).rows[0] ?? null;
}

/** The mail's other clicks and honeypot hits within `windowMs` of `at`. */
export async function neighbours(db: Queryable, hit: HitRow, windowMs: number): Promise<NeighbourHit[]> {
  const r = await db.query<{ kind: string; link_id: number | null; ip: string | null; at: Date }>(
    `SELECT kind, link_id, ip, at FROM tracking_hits
     WHERE email_id = $1 AND id <> $2 AND kind IN ('click', 'honeypot')
       AND at BETWEEN $3::timestamptz - make_interval(secs => $4) AND $3::timestamptz + make_interval(secs => $4)`,
    [hit.email_id, hit.id, hit.at, windowMs / 1000],
  );
  return r.rows.map((x) => ({ kind: x.kind, linkId: x.link_id, ip: x.ip, at: x.at }));
}

export async function decideHit(
  db: Queryable,
  id: number,
  d: { human: boolean; reason: HitReason; detail?: string; outcome: HitOutcome; eventKey: string | null },
): Promise<void> {
  await db.query('UPDATE tracking_hits SET human = $2, reason = $3, detail = $4, outcome = $5, event_key = $6, decided_at = now() WHERE id = $1', [
    id, d.human, d.reason, d.detail ?? null, d.outcome, d.eventKey,
  ]);
}

/**
 * Counts one fire of an every-time link for an entity against its hourly cap, in one statement on
 * the window row's primary key (durable and shared by every process). True if under the cap.
 * The window opens with a fire and is reopened by the first fire an hour or more after it.
 */
export async function takeFireSlot(db: Queryable, linkId: number, entity: { type: string; id: number }, at: Date, capPerHour: number): Promise<boolean> {
  const r = await db.query(
    `INSERT INTO trigger_link_fire_windows AS w (link_id, entity_type, entity_id, window_start, fires) VALUES ($1, $2, $3, $4, 1)
     ON CONFLICT (link_id, entity_type, entity_id) DO UPDATE SET
       window_start = CASE WHEN w.window_start <= $4::timestamptz - interval '1 hour' THEN $4::timestamptz ELSE w.window_start END,
       fires = CASE WHEN w.window_start <= $4::timestamptz - interval '1 hour' THEN 1 ELSE w.fires + 1 END
     WHERE w.window_start <= $4::timestamptz - interval '1 hour' OR w.fires < $5`,
    [linkId, entity.type, entity.id, at, capPerHour],
  );
  return (r.rowCount ?? 0) > 0;
}

export async function countClick(db: Queryable, emailId: string, human: boolean): Promise<void> {
  await db.query(`UPDATE emails SET ${human ? 'human_clicks = human_clicks + 1' : 'machine_clicks = machine_clicks + 1'} WHERE id = $1`, [emailId]);
}

/**
 * Records that a person has seen the mail. `countIfFirstOnly`: a click proves an open only when
 * none was recorded (seed 004's "opened" fires on the first open). True when this was the first.
 */
export async function markHumanOpen(db: Queryable, emailId: string, at: Date, countIfFirstOnly: boolean): Promise<boolean> {
  const r = await db.query<{ first: boolean }>(
    `WITH before AS (SELECT first_human_open_at IS NULL AS first FROM emails WHERE id = $1 FOR NO KEY UPDATE)
     UPDATE emails SET first_human_open_at = coalesce(first_human_open_at, $2),
       human_opens = human_opens + CASE WHEN $3::boolean AND first_human_open_at IS NOT NULL THEN 0 ELSE 1 END
     FROM before WHERE id = $1 RETURNING before.first`,
    [emailId, at, countIfFirstOnly],
  );
  return r.rows[0]?.first ?? false;
}

/** Once-links: the first human click of an entity claims the link for it; true if this one did. */
export async function claimOnceFire(db: Queryable, linkId: number, entity: { type: string; id: number }, emailId: string): Promise<boolean> {
  const r = await db.query(
    'INSERT INTO trigger_link_fires (link_id, entity_type, entity_id, email_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
    [linkId, entity.type, entity.id, emailId],
  );
  return (r.rowCount ?? 0) > 0;
}

/** Whether "opened" would run anything: the engine ignores inactive triggers. */
export async function hasOpenedTriggers(db: Queryable, emailId: string): Promise<boolean> {
  const r = await db.query(
    "SELECT 1 FROM email_triggers t JOIN triggers tr ON tr.id = t.trigger_id AND tr.active WHERE t.email_id = $1 AND t.point = 'opened' LIMIT 1",
    [emailId],
  );
  return (r.rowCount ?? 0) > 0;
}

/** Whether "opened" would run anything, per mail: the engine ignores inactive triggers. */
export async function mailsWithOpenedTriggers(db: Queryable, ids: string[]): Promise<Set<string>> {
  const r = await db.query<{ email_id: string }>(
    "SELECT DISTINCT t.email_id FROM email_triggers t JOIN triggers tr ON tr.id = t.trigger_id AND tr.active WHERE t.email_id = ANY($1::uuid[]) AND t.point = 'opened'",
    [ids],
  );
  return new Set(r.rows.map((x) => x.email_id));
}

/** The link's triggers that still exist and are active, in the link's order. */
export async function activeTriggerIds(db: Queryable, accountId: number, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const r = await db.query<{ id: string }>('SELECT id FROM triggers WHERE account_id = $1 AND id = ANY($2::uuid[]) AND active', [accountId, ids]);
  const live = new Set(r.rows.map((x) => x.id));
  return ids.filter((id) => live.has(id));
}

/** Fired hits and first human opens of the last day whose fire() left no execution behind. */
export async function unfiredEvents(db: Queryable): Promise<{ hits: number[]; openedEmails: string[] }> {
  const hits = await db.query<{ id: number }>(
    `SELECT h.id FROM tracking_hits h WHERE h.outcome = 'fired' AND h.kind = 'click' AND h.event_key IS NOT NULL
       AND h.decided_at BETWEEN now() - interval '1 day' AND now() - interval '1 minute'
       AND NOT EXISTS (SELECT 1 FROM trigger_executions x WHERE x.event_key = h.event_key) LIMIT 200`,
  );
  const opened = await db.query<{ id: string }>(
    `SELECT e.id FROM emails e WHERE e.first_human_open_at BETWEEN now() - interval '1 day' AND now() - interval '1 minute'
       AND EXISTS (SELECT 1 FROM email_triggers t JOIN triggers tr ON tr.id = t.trigger_id AND tr.active WHERE t.email_id = e.id AND t.point = 'opened')
       AND NOT EXISTS (SELECT 1 FROM trigger_executions x WHERE x.event_key = 'opened:' || e.id::text) LIMIT 200`,
  );
  return { hits: hits.rows.map((x) => x.id), openedEmails: opened.rows.map((x) => x.id) };
}
