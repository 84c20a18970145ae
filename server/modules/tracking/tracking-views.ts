/** Read side of tracking: the block in each email's history, and account statistics. */
import type { EmailStats, EmailStatsQuery, EmailTracking, HitOutcome, HitReason } from '../../../shared/schemas/tracking.js';
import type { Queryable } from '../../infra/db/db.js';
import type { HitKind } from './tracking.repository.js';

const HITS_PER_EMAIL = 100;

export const NO_TRACKING: EmailTracking = { humanOpens: 0, machineOpens: 0, humanClicks: 0, machineClicks: 0, firstHumanOpenAt: null, hits: [] };

/** Counts and the latest hits of each email, for EmailView.tracking. */
export async function trackingFor(db: Queryable, emailIds: string[]): Promise<Map<string, EmailTracking>> {
  const out = new Map<string, EmailTracking>();
  if (emailIds.length === 0) return out;
  const counts = await db.query<{ id: string; human_opens: number; machine_opens: number; human_clicks: number; machine_clicks: number; first_human_open_at: Date | null }>(
    'SELECT id, human_opens, machine_opens, human_clicks, machine_clicks, first_human_open_at FROM emails WHERE id = ANY($1::uuid[])',
    [emailIds],
  );
  const hits = await db.query<{ email_id: string; kind: HitKind; at: Date; human: boolean | null; reason: HitReason | null; detail: string | null; outcome: HitOutcome | null; link_id: number | null; user_agent: string | null }>(
    `SELECT email_id, kind, at, human, reason, detail, outcome, link_id, user_agent FROM (
       SELECT *, row_number() OVER (PARTITION BY email_id ORDER BY at DESC, id DESC) AS n FROM tracking_hits WHERE email_id = ANY($1::uuid[])
     ) h WHERE n <= $2 ORDER BY at DESC, id DESC`,
    [emailIds, HITS_PER_EMAIL],
  );
  for (const c of counts.rows) {
    out.set(c.id, {
      humanOpens: c.human_opens,
      machineOpens: c.machine_opens,
      humanClicks: c.human_clicks,
      machineClicks: c.machine_clicks,
      firstHumanOpenAt: c.first_human_open_at?.toISOString() ?? null,
      hits: [],
    });
  }
  for (const h of hits.rows) {
    out.get(h.email_id)?.hits.push({
      kind: h.kind,
      at: h.at.toISOString(),
      human: h.human,
      reason: h.reason ?? 'pending',
      detail: h.detail,
      outcome: h.outcome ?? 'pending',
      linkId: h.link_id,
      userAgent: h.user_agent,
    });
  }
  return out;
}

/** Totals over the account's emails matching the query (template, entity, creation period). */
export async function emailStats(db: Queryable, accountId: number, q: EmailStatsQuery): Promise<EmailStats> {
  const params = [accountId, q.templateId ?? null, q.entityType ?? null, q.entityId ?? null, q.since ?? null, q.until ?? null];
  const scope = `SELECT * FROM emails WHERE account_id = $1 AND ($2::uuid IS NULL OR template_id = $2) AND ($3::text IS NULL OR entity_type = $3)
    AND ($4::bigint IS NULL OR entity_id = $4) AND ($5::timestamptz IS NULL OR created_at >= $5) AND ($6::timestamptz IS NULL OR created_at < $6)`;
  const totals = await db.query<Omit<EmailStats, 'reasons' | 'links'>>(
    `WITH e AS (${scope}) SELECT count(*) AS emails, count(*) FILTER (WHERE status = 'sent') AS sent,
       count(*) FILTER (WHERE first_human_open_at IS NOT NULL) AS "openedByHuman", count(*) FILTER (WHERE human_clicks > 0) AS "clickedByHuman",
       coalesce(sum(human_opens), 0)::bigint AS "humanOpens", coalesce(sum(machine_opens), 0)::bigint AS "machineOpens",
       coalesce(sum(human_clicks), 0)::bigint AS "humanClicks", coalesce(sum(machine_clicks), 0)::bigint AS "machineClicks" FROM e`,
    params,
  );
  const reasons = await db.query<EmailStats['reasons'][number]>(
    `WITH e AS (${scope}) SELECT h.kind, h.human, coalesce(h.reason, 'pending') AS reason, count(*) AS count
     FROM tracking_hits h JOIN e ON e.id = h.email_id GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 3`,
    params,
  );
  const links = await db.query<EmailStats['links'][number]>(
    `WITH e AS (${scope}) SELECT h.link_id AS "linkId", l.name, count(*) FILTER (WHERE h.human) AS "humanClicks",
       count(*) FILTER (WHERE h.human = false) AS "machineClicks", count(*) FILTER (WHERE h.outcome = 'fired') AS fired
     FROM tracking_hits h JOIN e ON e.id = h.email_id LEFT JOIN trigger_links l ON l.id = h.link_id AND l.account_id = $1
     WHERE h.kind = 'click' AND h.link_id IS NOT NULL GROUP BY h.link_id, l.name ORDER BY h.link_id`,
    params,
  );
  return { ...totals.rows[0]!, reasons: reasons.rows, links: links.rows };
}
