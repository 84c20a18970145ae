/**
 * Recording a batch of opens in one transaction: each open is judged as it would be alone, in
 * arrival order (the first human open of a mail is the one that fires "opened"), but the mails
 * are read and locked once, and counters, hits and history events are each one statement.
 */
import type { Db } from '../../infra/db/db.js';
import { withTransaction } from '../../infra/db/db.js';
import { classifyOpen, machineByAgent, TRACKING_POLICY, type HitFacts, type Verdict } from './classify.js';
import { MAX_IP, insertHits, mailsWithOpenedTriggers, type NewHit } from './tracking.repository.js';

export interface PendingOpen {
  emailId: string;
  /** Already bounded (boundFacts). */
  facts: HitFacts;
}

interface MailState {
  account_id: number;
  sent_at: Date | null;
  status: string;
  /** Some recipients have it while deferred ones are retried (the mail is `queued` again). */
  partly_delivered: boolean;
  first_human_open_at: Date | null;
  now: Date;
}

interface Delta {
  opens: number;
  machine: number;
  human: number;
  firstHuman: Date | null;
}

/**
 * A mail whose pixel can have been fetched by a reader: sent; being sent ('sending': a prefetching
 * provider can fetch before our "sent" update commits); partly delivered while deferred recipients
 * are retried; or `unknown` after a crash (an open is then the proof it arrived).
 */
function openable(mail: MailState): boolean {
  return mail.status === 'sent' || mail.status === 'sending' || mail.status === 'unknown' || mail.partly_delivered;
}

/** Writes the batch; answers, per open, whether it was its mail's first human open ("opened" fires). */
export async function recordOpens(db: Db, opens: PendingOpen[], policy = TRACKING_POLICY): Promise<boolean[]> {
  const ids = [...new Set(opens.map((o) => o.emailId))].sort();
  return withTransaction(db, async (tx) => {
    // Locked in id order, like every batch, so two batches never wait on each other in a cycle
    // (NO KEY UPDATE: clicks being recorded for these mails meanwhile are not held up).
    const rows = await tx.query<MailState & { id: string }>(
      `SELECT id, account_id, sent_at, status, jsonb_array_length(delivered_recipients) > 0 AS partly_delivered, first_human_open_at, now() AS now
       FROM emails WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE`,
      [ids],
    );
    const mails = new Map(rows.rows.map((r) => [r.id, r]));
    const deltas = new Map<string, Delta>();
    const judged: { i: number; open: PendingOpen; mail: MailState & { id: string }; verdict: Verdict; first: boolean }[] = [];
    for (const [i, open] of opens.entries()) {
      const mail = mails.get(open.emailId);
      if (!mail || !openable(mail)) continue;
      const verdict = judge(open.facts, mail, policy);
      const d = deltas.get(mail.id) ?? { opens: 0, machine: 0, human: 0, firstHuman: null };
      d.opens++;
      let first = false;
      if (!verdict.human) d.machine++;
      else {
        d.human++;
        if (!mail.first_human_open_at) {
          first = true;
          mail.first_human_open_at = open.facts.at ?? new Date();
          d.firstHuman = mail.first_human_open_at;
        }
      }
      deltas.set(mail.id, d);
      judged.push({ i, open, mail, verdict, first });
    }
    const answer = opens.map(() => false);
    if (judged.length === 0) return answer;
    const firsts = judged.filter((j) => j.first).map((j) => j.mail.id);
    const withTriggers = firsts.length === 0 ? new Set<string>() : await mailsWithOpenedTriggers(tx, firsts);

    const dIds = [...deltas.keys()];
    const d = dIds.map((id) => deltas.get(id)!);
    await tx.query(
      `UPDATE emails e SET opens_count = e.opens_count + d.opens, first_opened_at = coalesce(e.first_opened_at, now()),
         machine_opens = e.machine_opens + d.machine, human_opens = e.human_opens + d.human,
         first_human_open_at = coalesce(e.first_human_open_at, d.first_human)
       FROM unnest($1::uuid[], $2::int[], $3::int[], $4::int[], $5::timestamptz[]) AS d(id, opens, machine, human, first_human) WHERE e.id = d.id`,
      [dIds, d.map((x) => x.opens), d.map((x) => x.machine), d.map((x) => x.human), d.map((x) => x.firstHuman)],
    );
    const hits: NewHit[] = judged.map(({ open, mail, verdict, first }) => ({
      accountId: mail.account_id,
      emailId: mail.id,
      kind: 'open',
      linkId: null,
      ip: open.facts.ip?.slice(0, MAX_IP) ?? null,
      userAgent: open.facts.userAgent,
      at: open.facts.at,
      decision: { ...verdict, outcome: !verdict.human ? 'machine' : !first ? 'already_fired' : withTriggers.has(mail.id) ? 'fired' : 'no_triggers' },
    }));
    await insertHits(tx, hits);
    await tx.query(
      `INSERT INTO email_events (email_id, account_id, type, data)
       SELECT e, a, 'opened', d FROM unnest($1::uuid[], $2::bigint[], $3::jsonb[]) WITH ORDINALITY AS x(e, a, d, n) ORDER BY n`,
      [
        judged.map((j) => j.mail.id),
        judged.map((j) => j.mail.account_id),
        judged.map((j) => JSON.stringify({ userAgent: j.open.facts.userAgent, human: j.verdict.human, reason: j.verdict.reason, detail: j.verdict.detail ?? null })),
      ],
    );
    for (const j of judged) answer[j.i] = j.first;
    return answer;
  });
}

/**
 * Most opens are judged by agent and address alone; a Gmail-proxy fetch also by how long after
 * the send it came (the mail row read above, the database's clock).
 */
function judge(facts: HitFacts, mail: MailState, policy: typeof TRACKING_POLICY): Verdict {
  const byAgent = machineByAgent(facts);
  if (byAgent?.reason !== 'gmail_image_proxy') return byAgent ?? { human: true, reason: 'human' };
  return classifyOpen({ ...facts, at: facts.at ?? mail.now, sentAt: mail.sent_at }, policy);
}
