/**
 * The verdicts on a batch of settled clicks with a fixed number of set-based statements, whatever
 * the batch's size (click-decision.ts does the same for one hit: the recovery path and the
 * fallback when a batch fails). Inside the sweep's transaction, the hits locked by its claim:
 *  1. the mails, read and locked in id order;  2. the links;  3. every hit's neighbours;
 *  4. the links' active triggers;  5. once-links claimed for their first human click;
 *  6. the verdicts;  7. the mails' counters and first human open;  8. the history events.
 * Every-time links still take their hourly fire slot one statement per fired click, in claim
 * order (the slot depends on the ones taken before it); a click that fires triggers costs Kommo
 * calls far beyond that statement anyway.
 */
import type { Queryable } from '../../infra/db/db.js';
import type { TriggerLinkRow } from '../trigger-links/trigger-links.repository.js';
import { classifyClick, type NeighbourHit, type TrackingPolicy, type Verdict } from './classify.js';
import type { ClickPlan, EmailForHit } from './click-decision.js';
import * as repo from './tracking.repository.js';
import type { HitRow } from './tracking.repository.js';

type Outcome = 'machine' | 'link_deleted' | 'no_triggers' | 'fired' | 'already_fired' | 'capped';

interface Judged {
  hit: HitRow;
  email: EmailForHit;
  link: TriggerLinkRow | null;
  verdict: Verdict;
  outcome: Outcome;
  detail: string | undefined;
  eventKey: string | null;
  openedNow: boolean;
}

/** Decides `hits` (undecided clicks, claimed in this order); answers what to fire after the commit. */
export async function decideBatch(tx: Queryable, hits: HitRow[], policy: TrackingPolicy): Promise<{ plans: ClickPlan[]; openedTriggers: Set<string> }> {
  const clicks = hits.filter((h) => h.kind === 'click');
  const emails = await readEmails(tx, clicks.map((h) => h.email_id));
  const mine = clicks.filter((h) => emails.has(h.email_id));
  if (mine.length === 0) return { plans: [], openedTriggers: new Set() };
  const links = await readLinks(tx, mine);
  const around = await neighbours(tx, mine, policy);

  const judged: Judged[] = mine.map((hit) => {
    const email = emails.get(hit.email_id)!;
    const verdict = classifyClick({ userAgent: hit.user_agent, ip: hit.ip, at: hit.at, linkId: hit.link_id ?? 0, sentAt: email.sent_at }, around.get(hit.id) ?? [], policy);
    const link = hit.link_id ? (links.get(`${email.account_id}:${hit.link_id}`) ?? null) : null;
    return { hit, email, link, verdict, outcome: 'machine', detail: verdict.detail, eventKey: null, openedNow: false };
  });

  const live = await activeTriggers(tx, judged.filter((j) => j.verdict.human && j.link).flatMap((j) => j.link!.trigger_ids));
  const onceWanted: Judged[] = [];
  for (const j of judged) {
    if (!j.verdict.human) continue;
    // Deleted or deactivated triggers run nothing; a once-link is not used up by them either.
    if (!j.link) j.outcome = 'link_deleted';
    else if (!j.link.trigger_ids.some((id) => live.get(id) === j.email.account_id)) j.outcome = 'no_triggers';
    else if (j.link.execute_once) onceWanted.push(j);
    else {
      // A replayed URL must not flood the account's Kommo: an hourly cap per link and entity.
      const entity = { type: j.email.entity_type, id: j.email.entity_id };
      if (await repo.takeFireSlot(tx, j.link.id, entity, j.hit.at, policy.fireCapPerHour)) [j.outcome, j.eventKey] = ['fired', `click:${j.hit.id}`];
      else [j.outcome, j.detail] = ['capped', `link fired ${policy.fireCapPerHour} times for this ${entity.type.replace(/s$/, '')} within the hour`];
    }
  }
  await claimOnceFires(tx, onceWanted);

  await writeVerdicts(tx, judged);
  await addEvents(tx, judged);
  // Last, so the mails stay locked for as short a time as possible (opens being recorded wait on them).
  await countOnMails(tx, judged);
  const opened = judged.filter((j) => j.openedNow).map((j) => j.email.id);
  return {
    plans: judged.map((j) => ({ hit: { ...j.hit, human: j.verdict.human, outcome: j.outcome, event_key: j.eventKey }, email: j.email, link: j.link, openedNow: j.openedNow })),
    openedTriggers: opened.length === 0 ? new Set() : await repo.mailsWithOpenedTriggers(tx, opened),
  };
}

/** Not locked: what a verdict reads of its mail does not change under it (the counters do, see countOnMails). */
async function readEmails(tx: Queryable, ids: string[]): Promise<Map<string, EmailForHit>> {
  const r = await tx.query<EmailForHit>('SELECT * FROM emails WHERE id = ANY($1::uuid[])', [[...new Set(ids)]]);
  return new Map(r.rows.map((e) => [e.id, e]));
}

/** Scoped to the mail's account: a signed URL can only ever reach that account's links. */
async function readLinks(tx: Queryable, hits: HitRow[]): Promise<Map<string, TriggerLinkRow>> {
  const wanted = hits.filter((h) => h.link_id !== null);
  if (wanted.length === 0) return new Map();
  const r = await tx.query<TriggerLinkRow>(
    `SELECT l.* FROM trigger_links l JOIN (SELECT DISTINCT e.account_id, x.link_id FROM unnest($1::uuid[], $2::bigint[]) AS x(email_id, link_id) JOIN emails e ON e.id = x.email_id AND e.id = ANY($1::uuid[])) w
       ON l.account_id = w.account_id AND l.id = w.link_id`,
    [wanted.map((h) => h.email_id), wanted.map((h) => h.link_id)],
  );
  return new Map(r.rows.map((l) => [`${l.account_id}:${l.id}`, l]));
}

/**
 * Every hit's neighbours in one statement, only those classifyClick can use: the mail's honeypot
 * hits within the address window, its clicks on other links within the burst window, and its
 * clicks on the same link within the scanner-pair gap (a busy mail has hundreds of other hits).
 */
async function neighbours(tx: Queryable, hits: HitRow[], policy: TrackingPolicy): Promise<Map<number, NeighbourHit[]>> {
  // Times as epoch milliseconds: a busy mail has hundreds of neighbours per hit, and parsing their
  // timestamps from text was most of the sweep's own time.
  const r = await tx.query<{ of: number; kind: string; link_id: number | null; ip: string | null; at_ms: number }>(
    `SELECT x.id AS of, n.kind, n.link_id, n.ip, extract(epoch FROM n.at)::float8 * 1000 AS at_ms
     FROM unnest($1::bigint[], $2::uuid[], $3::timestamptz[], $4::bigint[]) AS x(id, email_id, at, link_id)
     JOIN tracking_hits n ON n.email_id = x.email_id AND n.id <> x.id
       AND ((n.kind = 'honeypot' AND n.at BETWEEN x.at - make_interval(secs => $5) AND x.at + make_interval(secs => $5))
         OR (n.kind = 'click' AND n.link_id IS DISTINCT FROM x.link_id AND n.at BETWEEN x.at - make_interval(secs => $6) AND x.at + make_interval(secs => $6))
         OR (n.kind = 'click' AND n.link_id = x.link_id AND n.at BETWEEN x.at - make_interval(secs => $7) AND x.at + make_interval(secs => $7)))`,
    [
      hits.map((h) => h.id), hits.map((h) => h.email_id), hits.map((h) => h.at), hits.map((h) => h.link_id ?? 0),
      // A millisecond wider than the policy: classifyClick compares times truncated to milliseconds.
      (Math.max(policy.honeypotIpWindowMs, policy.burstMs) + 1) / 1000, (policy.burstMs + 1) / 1000, (policy.scannerPairMs + 1) / 1000,
    ],
  );
  const byHit = new Map<number, NeighbourHit[]>();
  for (const x of r.rows) {
    const of = Number(x.of);
    const list = byHit.get(of) ?? [];
    list.push({ kind: x.kind, linkId: x.link_id, ip: x.ip, at: new Date(x.at_ms) });
    byHit.set(of, list);
  }
  return byHit;
}

/** Active triggers among `ids`, with their account. */
async function activeTriggers(tx: Queryable, ids: string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const r = await tx.query<{ id: string; account_id: number }>('SELECT id, account_id FROM triggers WHERE id = ANY($1::uuid[]) AND active', [[...new Set(ids)]]);
  return new Map(r.rows.map((t) => [t.id, Number(t.account_id)]));
}

/**
 * "Execute once": once per entity across all its contacts and all mails (seed 004). The batch's
 * first human click of each link and entity claims it, if no earlier click did.
 */
async function claimOnceFires(tx: Queryable, wanted: Judged[]): Promise<void> {
  if (wanted.length === 0) return;
  const key = (j: Judged) => `${j.link!.id}:${j.email.entity_type}:${j.email.entity_id}`;
  const r = await tx.query<{ link_id: number; entity_type: string; entity_id: number }>(
    `INSERT INTO trigger_link_fires (link_id, entity_type, entity_id, email_id)
     SELECT DISTINCT ON (l, t, e) l, t, e, m FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::uuid[]) WITH ORDINALITY AS x(l, t, e, m, n)
     ORDER BY l, t, e, n
     ON CONFLICT DO NOTHING RETURNING link_id, entity_type, entity_id`,
    [wanted.map((j) => j.link!.id), wanted.map((j) => j.email.entity_type), wanted.map((j) => j.email.entity_id), wanted.map((j) => j.email.id)],
  );
  const claimed = new Set(r.rows.map((x) => `${x.link_id}:${x.entity_type}:${x.entity_id}`));
  for (const j of wanted) {
    const k = key(j);
    if (claimed.delete(k)) [j.outcome, j.eventKey] = ['fired', `click:${k}`];
    else j.outcome = 'already_fired';
  }
}

async function writeVerdicts(tx: Queryable, judged: Judged[]): Promise<void> {
  const col = <V>(f: (j: Judged) => V): V[] => judged.map(f);
  await tx.query(
    `UPDATE tracking_hits h SET human = d.human, reason = d.reason, detail = d.detail, outcome = d.outcome, event_key = d.event_key, decided_at = now()
     FROM unnest($1::bigint[], $2::boolean[], $3::text[], $4::text[], $5::text[], $6::text[]) AS d(id, human, reason, detail, outcome, event_key)
     WHERE h.id = d.id AND h.id = ANY($1::bigint[])`,
    [col((j) => j.hit.id), col((j) => j.verdict.human), col((j) => j.verdict.reason), col((j) => j.detail ?? null), col((j) => j.outcome), col((j) => j.eventKey)],
  );
}

/**
 * Click counters per mail, and the first human open a click proves: the mail's first human click
 * of the batch is its first open if none was recorded before (read under the lock this statement
 * takes, in id order like every batch, so two batches never wait on each other in a cycle).
 */
async function countOnMails(tx: Queryable, judged: Judged[]): Promise<void> {
  const per = new Map<string, { human: number; machine: number; first: Judged | null }>();
  for (const j of judged) {
    const d = per.get(j.email.id) ?? { human: 0, machine: 0, first: null };
    if (!j.verdict.human) d.machine++;
    else {
      d.human++;
      d.first ??= j;
    }
    per.set(j.email.id, d);
  }
  const ids = [...per.keys()].sort();
  const d = ids.map((id) => per.get(id)!);
  const r = await tx.query<{ id: string }>(
    `WITH before AS (
       SELECT id, first_human_open_at IS NULL AS unopened FROM emails WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE
     )
     UPDATE emails e SET human_clicks = e.human_clicks + d.human, machine_clicks = e.machine_clicks + d.machine,
       first_human_open_at = coalesce(e.first_human_open_at, d.first_human),
       human_opens = e.human_opens + CASE WHEN d.first_human IS NOT NULL AND b.unopened THEN 1 ELSE 0 END
     FROM unnest($1::uuid[], $2::int[], $3::int[], $4::timestamptz[]) AS d(id, human, machine, first_human), before b
     WHERE e.id = d.id AND b.id = d.id AND e.id = ANY($1::uuid[])
     RETURNING e.id, (d.first_human IS NOT NULL AND b.unopened) AS opened_now`,
    [ids, d.map((x) => x.human), d.map((x) => x.machine), d.map((x) => x.first?.hit.at ?? null)],
  );
  for (const row of r.rows as { id: string; opened_now: boolean }[]) if (row.opened_now) per.get(row.id)!.first!.openedNow = true;
}

async function addEvents(tx: Queryable, judged: Judged[]): Promise<void> {
  await tx.query(
    `INSERT INTO email_events (email_id, account_id, type, data)
     SELECT e, a, 'clicked', d FROM unnest($1::uuid[], $2::bigint[], $3::jsonb[]) WITH ORDINALITY AS x(e, a, d, n) ORDER BY n`,
    [
      judged.map((j) => j.email.id),
      judged.map((j) => j.email.account_id),
      judged.map((j) => JSON.stringify({ linkId: j.hit.link_id, human: j.verdict.human, reason: j.verdict.reason, detail: j.detail ?? null, outcome: j.outcome })),
    ],
  );
}
