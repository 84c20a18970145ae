/**
 * Recording a batch of opens in ONE statement (one round trip, one commit), so a batch holds its
 * mails' rows only for that statement and its commit. Each open is judged as it would be alone
 * (classify.ts, here in the process), in arrival order: the mail's first human open is the one
 * that fires "opened". What depends on the mail's row as it is at that moment (whether its pixel
 * can have been fetched, whether a human open was recorded before) is read under the row lock the
 * statement takes, in id order like every batch, so two batches never wait on each other in a
 * cycle (NO KEY UPDATE: clicks being recorded for these mails meanwhile are not held up).
 */
import type { Db } from '../../infra/db/db.js';
import { classifyOpen, machineByAgent, MAX_USER_AGENT, TRACKING_POLICY, type HitFacts, type Verdict } from './classify.js';
import { MAX_IP } from './tracking.repository.js';

export interface PendingOpen {
  emailId: string;
  /** Already bounded (boundFacts). */
  facts: HitFacts;
}

/**
 * Writes the batch; answers, per open, whether it fires "opened": its mail's first human open, on
 * a mail with an active "opened" trigger.
 */
export async function recordOpens(db: Db, opens: PendingOpen[], policy = TRACKING_POLICY): Promise<boolean[]> {
  const verdicts = await judge(db, opens, policy);
  const col = <V>(f: (o: PendingOpen, v: Verdict) => V): V[] => opens.map((o, i) => f(o, verdicts[i]!));
  // Prepared once per connection (named): planning this statement cost more than running it.
  const r = await db.query<{ n: string; fires: boolean }>({
    name: 'tracking-record-opens',
    text: `WITH x AS (
       SELECT * FROM unnest($1::uuid[], $2::boolean[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])
         WITH ORDINALITY AS x(email_id, human, reason, detail, ip, ua, at, n)
     ),
     -- A mail whose pixel can have been fetched by a reader: sent; being sent (a prefetching
     -- provider can fetch before our "sent" update commits); partly delivered while deferred
     -- recipients are retried; or unknown after a crash (an open is then the proof it arrived).
     m AS (
       SELECT id, account_id, first_human_open_at IS NULL AS unopened FROM emails
       WHERE id = ANY($1::uuid[]) AND (status IN ('sent', 'sending', 'unknown') OR jsonb_array_length(delivered_recipients) > 0)
       ORDER BY id FOR NO KEY UPDATE
     ),
     j AS (
       SELECT x.*, m.account_id, coalesce(x.at, now()) AS hit_at,
              x.human AND m.unopened AND x.n = min(x.n) FILTER (WHERE x.human) OVER (PARTITION BY x.email_id) AS first
       FROM x JOIN m ON m.id = x.email_id
     ),
     -- Whether "opened" runs anything: the engine ignores inactive triggers.
     t AS (
       SELECT DISTINCT et.email_id FROM email_triggers et JOIN triggers tr ON tr.id = et.trigger_id AND tr.active
       WHERE et.email_id IN (SELECT email_id FROM j WHERE first) AND et.point = 'opened'
     ),
     counted AS (
       UPDATE emails e SET opens_count = e.opens_count + d.opens, first_opened_at = coalesce(e.first_opened_at, now()),
         machine_opens = e.machine_opens + d.machine, human_opens = e.human_opens + d.human,
         first_human_open_at = coalesce(e.first_human_open_at, d.first_human)
       FROM (SELECT email_id, count(*)::int AS opens, count(*) FILTER (WHERE NOT human)::int AS machine, count(*) FILTER (WHERE human)::int AS human,
                    min(hit_at) FILTER (WHERE first) AS first_human
             FROM j GROUP BY email_id) d
       -- Also by the array: the planner would otherwise scan the whole table for a join with unnest.
       WHERE e.id = d.email_id AND e.id = ANY($1::uuid[]) RETURNING 1
     ),
     hits AS (
       INSERT INTO tracking_hits (account_id, email_id, kind, ip, user_agent, human, reason, detail, outcome, at, decided_at)
       SELECT j.account_id, j.email_id, 'open', j.ip, j.ua, j.human, j.reason, j.detail,
              CASE WHEN NOT j.human THEN 'machine' WHEN NOT j.first THEN 'already_fired' WHEN t.email_id IS NOT NULL THEN 'fired' ELSE 'no_triggers' END,
              j.hit_at, now()
       FROM j LEFT JOIN t ON t.email_id = j.email_id ORDER BY j.n RETURNING 1
     ),
     events AS (
       INSERT INTO email_events (email_id, account_id, type, data)
       SELECT email_id, account_id, 'opened', jsonb_build_object('userAgent', ua, 'human', human, 'reason', reason, 'detail', detail) FROM j ORDER BY n RETURNING 1
     )
     SELECT j.n, j.first AND t.email_id IS NOT NULL AS fires FROM j LEFT JOIN t ON t.email_id = j.email_id`,
    values: [
      col((o) => o.emailId), col((_o, v) => v.human), col((_o, v) => v.reason), col((_o, v) => v.detail ?? null),
      col((o) => o.facts.ip?.slice(0, MAX_IP) ?? null), col((o) => o.facts.userAgent?.slice(0, MAX_USER_AGENT) ?? null), col((o) => o.facts.at ?? null),
    ],
  });
  const answer = opens.map(() => false);
  for (const row of r.rows) answer[Number(row.n) - 1] = row.fires;
  return answer;
}

/**
 * Most opens are judged by agent and address alone; a Gmail-proxy fetch also by how long after
 * the send it came, so only a batch with one reads its mails' send times first (the database's
 * clock; a send time does not change once recorded).
 */
async function judge(db: Db, opens: PendingOpen[], policy: typeof TRACKING_POLICY): Promise<Verdict[]> {
  const byAgent = opens.map((o) => machineByAgent(o.facts));
  const proxied = opens.filter((_o, i) => byAgent[i]?.reason === 'gmail_image_proxy');
  if (proxied.length === 0) return byAgent.map((v) => v ?? { human: true, reason: 'human' });
  const r = await db.query<{ id: string; sent_at: Date | null; now: Date }>('SELECT id, sent_at, now() AS now FROM emails WHERE id = ANY($1::uuid[])', [
    [...new Set(proxied.map((o) => o.emailId))],
  ]);
  const mails = new Map(r.rows.map((m) => [m.id, m]));
  return opens.map((o, i) => {
    const v = byAgent[i];
    if (v?.reason !== 'gmail_image_proxy') return v ?? { human: true, reason: 'human' };
    const mail = mails.get(o.emailId);
    return classifyOpen({ ...o.facts, at: o.facts.at ?? mail?.now ?? new Date(), sentAt: mail?.sent_at ?? null }, policy);
  });
}
