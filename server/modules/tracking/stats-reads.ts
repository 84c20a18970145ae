/**
 * Read model of the statistics page (served by server/modules/stats through its StatsReads port).
 *
 * Plain SQL over emails and tracking_hits rather than calls into the emails module: every figure
 * needs each hit's mail (owner, template, mailbox) and each mail's outcome time in ONE grouped
 * query, or 10,000 mails' ids would travel through the process per chart. Tracking already owns
 * the read side of the mails' engagement (hit-reads.ts); this file is the one place that also
 * looks at mailing_recipients (the link from a mail to its mailing) and at the names of
 * templates, mailboxes and mailings, read-only.
 */
import type { StatsBreakdownRow, StatsBucket, StatsBy, StatsCounts } from '../../../shared/schemas/stats.js';
import type { Queryable } from '../../infra/db/db.js';

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
  if (s.mailingId !== null) mail.push(`EXISTS (SELECT 1 FROM mailing_recipients r WHERE r.email_id = e.id AND r.mailing_id = ${param(s.mailingId)} AND r.account_id = $1)`);
  return { params, mail, param };
}

/** When a mail's outcome happened: delivered at sent_at; a failure is final, so its row's last update is when it failed. */
const OUTCOME_AT = `(CASE WHEN e.status = 'sent' THEN e.sent_at ELSE e.updated_at END)`;

const HIT_SERIES = `CASE WHEN h.kind = 'open' THEN CASE WHEN h.human THEN 'humanOpens' ELSE 'machineOpens' END
  ELSE CASE WHEN h.human THEN 'humanClicks' ELSE 'machineClicks' END END`;

/**
 * Every counted event of the scope with its time, its series and `key` (an expression over the
 * mail `e`, or over `r`, the mail's mailing_recipients row, when `joinMailing`; null for none).
 * Outcomes come from emails_account_outcome, hits from tracking_hits_account_at (migration
 * 20261130031000); $1 account, $2 since, $3 until.
 */
function events(mail: string[], key: string | null, joinMailing: boolean): string {
  const mailing = joinMailing ? 'JOIN mailing_recipients r ON r.email_id = e.id AND r.account_id = $1' : '';
  const filter = mail.map((c) => ` AND ${c}`).join('');
  const hitsOfMails = key !== null || mail.length > 0 ? `JOIN emails e ON e.id = h.email_id AND e.account_id = $1 ${mailing}` : '';
  return `SELECT ${OUTCOME_AT} AS at, e.status AS series, ${key ?? 'NULL::uuid'} AS key FROM emails e ${mailing}
      WHERE e.account_id = $1 AND e.status IN ('sent', 'failed') AND ${OUTCOME_AT} >= $2 AND ${OUTCOME_AT} < $3${filter}
    UNION ALL
    SELECT h.at, ${HIT_SERIES}, ${key ?? 'NULL::uuid'} FROM tracking_hits h ${hitsOfMails}
      WHERE h.account_id = $1 AND h.at >= $2 AND h.at < $3 AND h.kind IN ('open', 'click') AND h.human IS NOT NULL${filter}`;
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
    `WITH ev AS (${events(q.mail, null, false)}),
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

const BY: Record<StatsBy, { key: string; joinMailing: boolean; names: string }> = {
  template: { key: 'e.template_id', joinMailing: false, names: 'LEFT JOIN templates n ON n.id = g.key AND n.account_id = $1' },
  mailbox: { key: 'e.mailbox_id', joinMailing: false, names: 'LEFT JOIN mailboxes n ON n.id = g.key AND n.account_id = $1' },
  mailing: {
    key: 'r.mailing_id',
    joinMailing: true,
    names: 'LEFT JOIN mailings n ON n.id = g.key AND n.account_id = $1 LEFT JOIN templates nt ON nt.id = n.template_id',
  },
};

const NAME: Record<StatsBy, string> = {
  template: 'n.name',
  mailbox: `n.display_name || ' <' || n.from_address || '>'`,
  mailing: `coalesce(nullif(n.subject, ''), nt.name)`,
};

/** Counts per template, mailbox or mailing with its name, busiest first. */
export async function statsBreakdown(db: Queryable, s: StatsScope, by: StatsBy): Promise<StatsBreakdownRow[]> {
  const b = BY[by];
  const q = scoped(s);
  const r = await db.query<StatsCounts & { id: string | null; name: string | null; created_at: Date | null }>(
    `WITH ev AS (${events(q.mail, b.key, b.joinMailing)}),
     g AS (SELECT key, ${COUNTS} FROM ev GROUP BY key)
     SELECT g.key::text AS id, ${NAME[by]} AS name, ${by === 'mailing' ? 'n.created_at' : 'NULL::timestamptz'} AS created_at,
       g.sent, g.failed, g."humanOpens", g."machineOpens", g."humanClicks", g."machineClicks"
     FROM g ${b.names} ORDER BY g.sent DESC, g.failed DESC, name NULLS LAST, id`,
    q.params,
  );
  return r.rows.map(({ created_at, ...row }) => ({ ...row, createdAt: created_at?.toISOString() ?? null }));
}
