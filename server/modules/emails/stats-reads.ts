/**
 * Read model of the statistics page (served by server/modules/stats through its StatsReads port).
 *
 * It lives in the emails module, whose read side the mail record's history and statistics are
 * (docs/architecture.md): the mails' outcomes, owner, template, mailbox and mailing
 * (emails.mailing_id) are this module's own columns. Opens and clicks are tracking's: they are
 * read through the relation tracking declares for that (hit-reads.ts `classifiedHits`), not by
 * naming its table here. Every figure needs each hit's mail and each mail's outcome time in ONE
 * grouped query, or 10,000 mails' ids would travel through the process per chart.
 * Rows are keyed by ids only: the stats service asks the templates, mailboxes and mailings
 * modules for the names of the few ids a breakdown has.
 */
import type { StatsBucket, StatsBy, StatsCounts } from '../../../shared/schemas/stats.js';
import type { Queryable } from '../../infra/db/db.js';
import { classifiedHits } from '../tracking/hit-reads.js';

export interface StatsScope {
  accountId: number;
  /** Only this user's mails; null for an administrator (the whole account). */
  userId: number | null;
  since: Date;
  until: Date;
  tz: string;
  templateId: string | null;
  mailboxId: string | null;
  mailingId: string | null;
}

/**
 * The statement's parameters and the conditions on the mail `e` for the filters that are set:
 * only those appear in the SQL, so each query is planned for what it asks (an unused
 * "$n IS NULL OR …" would leave the planner guessing), and hits need no join to their mail when
 * nothing about the mail is asked.
 */
function scoped(s: StatsScope): { params: unknown[]; mail: string[]; param(v: unknown): string } {
  const params: unknown[] = [s.accountId, s.since, s.until];
  const param = (v: unknown) => `$${params.push(v)}`;
  const mail: string[] = [];
  if (s.userId !== null) mail.push(`e.user_id = ${param(s.userId)}`);
  if (s.templateId !== null) mail.push(`e.template_id = ${param(s.templateId)}`);
  if (s.mailboxId !== null) mail.push(`e.mailbox_id = ${param(s.mailboxId)}`);
  if (s.mailingId !== null) mail.push(`e.mailing_id = ${param(s.mailingId)}`);
  return { params, mail, param };
}

/** When a mail's outcome happened: delivered at sent_at; a failure is final, so its row's last update is when it failed. */
const OUTCOME_AT = `(CASE WHEN e.status = 'sent' THEN e.sent_at ELSE e.updated_at END)`;

/**
 * Every counted event of the scope with its time, its series and `key` (an expression over the
 * mail `e`; null for none). Outcomes come from emails_account_outcome, hits from
 * tracking_hits_account_at (migration 20261130031000); $1 account, $2 since, $3 until.
 */
function events(mail: string[], key: string | null): string {
  const filter = mail.map((c) => ` AND ${c}`).join('');
  const hitsOfMails = key !== null || mail.length > 0 ? 'JOIN emails e ON e.id = h.email_id AND e.account_id = $1' : '';
  return `SELECT ${OUTCOME_AT} AS at, e.status AS series, ${key ?? 'NULL::uuid'} AS key FROM emails e
      WHERE e.account_id = $1 AND e.status IN ('sent', 'failed') AND ${OUTCOME_AT} >= $2 AND ${OUTCOME_AT} < $3${filter}
    UNION ALL
    SELECT h.at, h.series, ${key ?? 'NULL::uuid'} FROM ${classifiedHits('$1', '$2', '$3')} h ${hitsOfMails}
      WHERE true${filter}`;
}

const COUNTS = `count(*) FILTER (WHERE series = 'sent')::int AS sent, count(*) FILTER (WHERE series = 'failed')::int AS failed,
  count(*) FILTER (WHERE series = 'humanOpens')::int AS "humanOpens", count(*) FILTER (WHERE series = 'machineOpens')::int AS "machineOpens",
  count(*) FILTER (WHERE series = 'humanClicks')::int AS "humanClicks", count(*) FILTER (WHERE series = 'machineClicks')::int AS "machineClicks"`;

/** Counts per local day or hour of `tz`, every bucket of the period present (zeros included), oldest first. */
export async function statsSeries(db: Queryable, s: StatsScope, bucket: StatsBucket): Promise<(StatsCounts & { at: string })[]> {
  const unit = bucket === 'hour' ? 'hour' : 'day';
  const fmt = bucket === 'hour' ? `'YYYY-MM-DD"T"HH24:00'` : `'YYYY-MM-DD'`;
  const q = scoped(s);
  const tz = q.param(s.tz);
  const r = await db.query<StatsCounts & { at: string }>(
    `WITH ev AS (${events(q.mail, null)}),
     g AS (SELECT date_trunc('${unit}', at AT TIME ZONE ${tz}) AS t, ${COUNTS} FROM ev GROUP BY 1)
     SELECT to_char(b.t, ${fmt}) AS at, coalesce(g.sent, 0) AS sent, coalesce(g.failed, 0) AS failed,
       coalesce(g."humanOpens", 0) AS "humanOpens", coalesce(g."machineOpens", 0) AS "machineOpens",
       coalesce(g."humanClicks", 0) AS "humanClicks", coalesce(g."machineClicks", 0) AS "machineClicks"
     FROM generate_series(date_trunc('${unit}', $2::timestamptz AT TIME ZONE ${tz}), $3::timestamptz AT TIME ZONE ${tz} - interval '1 microsecond', interval '1 ${unit}') AS b(t)
     LEFT JOIN g ON g.t = b.t ORDER BY b.t`,
    q.params,
  );
  return r.rows;
}

const KEY: Record<StatsBy, string> = { template: 'e.template_id', mailbox: 'e.mailbox_id', mailing: 'e.mailing_id' };

/** Counts per template, mailbox or mailing id (null: mails with none), unordered: the service names and sorts them. */
export async function statsBreakdown(db: Queryable, s: StatsScope, by: StatsBy): Promise<(StatsCounts & { id: string | null })[]> {
  const q = scoped(s);
  // Per mailing: only mails a mailing created (single sends have no mailing to be listed under).
  if (by === 'mailing') q.mail.push('e.mailing_id IS NOT NULL');
  const r = await db.query<StatsCounts & { id: string | null }>(
    `WITH ev AS (${events(q.mail, KEY[by])})
     SELECT key::text AS id, ${COUNTS} FROM ev GROUP BY key`,
    q.params,
  );
  return r.rows;
}
