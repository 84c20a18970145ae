/**
 * Recording a batch of clicks in ONE statement: the hits, the machine-click counters of those
 * decided on arrival (honeypot, scanner agents, HEAD probes), and what each click lands on.
 * Undecided clicks wait for the sweep (click-sweep.ts) to judge them once their burst is in.
 */
import type { Queryable } from '../../infra/db/db.js';
import { MAX_USER_AGENT, type HitFacts, type Verdict } from './classify.js';
import { MAX_IP } from './tracking.repository.js';

export interface PendingClick {
  emailId: string;
  /** null for the honeypot. */
  linkId: number | null;
  honeypot: boolean;
  /** Already bounded (boundFacts). */
  facts: HitFacts;
  /** Machines known by agent or method, and the honeypot, are decided on arrival. */
  verdict: Verdict | null;
}

/** What the route needs to answer: no mail (forged or deleted), or the mail and its link if any. */
export type RecordedClick = { found: false } | { found: true; link: { redirect_url: string | null } | null };

export async function recordClicks(db: Queryable, clicks: PendingClick[], settleMs: number): Promise<RecordedClick[]> {
  const col = <V>(f: (c: PendingClick) => V): V[] => clicks.map(f);
  // Prepared once per connection (named): planning this statement cost more than running it.
  const r = await db.query<{ n: string; account_id: number | null; link_found: boolean; redirect_url: string | null }>({
    name: 'tracking-record-clicks',
    text: `WITH x AS (
       SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::text[], $8::text[], $9::timestamptz[])
         WITH ORDINALITY AS x(email_id, link_id, kind, ip, ua, human, reason, detail, at, n)
     ), m AS (
       -- Also by the array: the planner would otherwise scan the whole table for a join with unnest.
       SELECT x.*, e.account_id FROM x JOIN emails e ON e.id = x.email_id AND e.id = ANY($1::uuid[])
     ), ins AS (
       INSERT INTO tracking_hits (account_id, email_id, kind, link_id, ip, user_agent, human, reason, detail, outcome, at, decided_at, settle_at)
       SELECT account_id, email_id, kind, link_id, ip, ua, human, reason, detail, CASE WHEN human IS NULL THEN NULL ELSE 'machine' END,
              coalesce(at, now()), CASE WHEN human IS NULL THEN NULL ELSE now() END, now() + make_interval(secs => $10)
       FROM m ORDER BY n RETURNING 1
     ), counted AS (
       UPDATE emails e SET machine_clicks = e.machine_clicks + c.k
       FROM (SELECT email_id, count(*)::int AS k FROM m WHERE human = false GROUP BY email_id) c WHERE e.id = c.email_id AND e.id = ANY($1::uuid[]) RETURNING 1
     )
     SELECT x.n, e.account_id, l.id IS NOT NULL AS link_found, l.redirect_url
     FROM x LEFT JOIN emails e ON e.id = x.email_id AND e.id = ANY($1::uuid[])
       LEFT JOIN trigger_links l ON l.account_id = e.account_id AND l.id = x.link_id
     ORDER BY x.n`,
    values: [
      col((c) => c.emailId), col((c) => c.linkId), col((c) => (c.honeypot ? 'honeypot' : 'click')),
      col((c) => c.facts.ip?.slice(0, MAX_IP) ?? null), col((c) => c.facts.userAgent?.slice(0, MAX_USER_AGENT) ?? null),
      col((c) => c.verdict?.human ?? null), col((c) => c.verdict?.reason ?? null), col((c) => c.verdict?.detail ?? null),
      col((c) => c.facts.at ?? null), settleMs / 1000,
    ],
  });
  return r.rows.map((row) => {
    if (row.account_id === null) return { found: false };
    // Scoped to the mail's account: a signed URL can only ever reach that account's links.
    return { found: true, link: row.link_found ? { redirect_url: row.redirect_url } : null };
  });
}
