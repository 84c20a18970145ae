/**
 * Opens and clicks of the mails another module created (a mailing's): totals and per hour for a
 * whole mailing (by emails.mailing_id), and who responded among a batch of mails (by their ids).
 * Exported for the mailings module's port (mailings/delivery.port.ts, wired in container.ts), so
 * it never queries the hits or the counters itself; `classifiedHits` is the relation the emails
 * module's statistics read (emails/stats-reads.ts).
 */
import type { Queryable } from '../../infra/db/db.js';
import type { MailingKey } from '../emails/mail-reads.js';

const OF = 'FROM unnest($1::uuid[]) AS x(id) JOIN emails e ON e.id = x.id';
/** A whole mailing's mails by emails.mailing_id (the emails module's column, read as mail-reads.ts reads it): no id array to ship. */
const OF_MAILING = 'FROM emails e WHERE e.account_id = $1 AND e.mailing_id = $2';
const key = (k: MailingKey) => [k.accountId, k.mailingId];

export interface Engagement {
  humanOpens: number;
  machineOpens: number;
  humanClicks: number;
  machineClicks: number;
  uniqueOpeners: number;
  uniqueClickers: number;
}

export async function engagementOf(db: Queryable, k: MailingKey): Promise<Engagement> {
  const r = await db.query<Record<keyof Engagement, string>>(
    `SELECT coalesce(sum(e.human_opens), 0) AS "humanOpens", coalesce(sum(e.machine_opens), 0) AS "machineOpens",
       coalesce(sum(e.human_clicks), 0) AS "humanClicks", coalesce(sum(e.machine_clicks), 0) AS "machineClicks",
       count(*) FILTER (WHERE e.human_opens > 0) AS "uniqueOpeners", count(*) FILTER (WHERE e.human_clicks > 0) AS "uniqueClickers" ${OF_MAILING}`,
    key(k),
  );
  const t = r.rows[0];
  const n = (k: keyof Engagement) => Number(t?.[k] ?? 0);
  return { humanOpens: n('humanOpens'), machineOpens: n('machineOpens'), humanClicks: n('humanClicks'), machineClicks: n('machineClicks'), uniqueOpeners: n('uniqueOpeners'), uniqueClickers: n('uniqueClickers') };
}

export type HitSeries = 'humanOpens' | 'machineOpens' | 'humanClicks' | 'machineClicks';

/** Classified opens and clicks per UTC hour (hits still being classified are left out). */
export async function hitsPerHour(db: Queryable, k: MailingKey): Promise<{ hour: Date; series: HitSeries; n: number }[]> {
  const r = await db.query<{ hour: Date; series: HitSeries; n: string }>(
    `SELECT date_trunc('hour', h.at) AS hour,
       CASE WHEN h.kind = 'open' THEN CASE WHEN h.human THEN 'humanOpens' ELSE 'machineOpens' END
            ELSE CASE WHEN h.human THEN 'humanClicks' ELSE 'machineClicks' END END AS series, count(*) AS n
     FROM emails e JOIN tracking_hits h ON h.email_id = e.id
     WHERE e.account_id = $1 AND e.mailing_id = $2 AND h.kind IN ('open', 'click') AND h.human IS NOT NULL GROUP BY 1, 2`,
    key(k),
  );
  return r.rows.map((x) => ({ hour: x.hour, series: x.series, n: Number(x.n) }));
}

export type Response = { kind: 'opened' } | { kind: 'clicked' } | { kind: 'clicked_link'; linkId: number };

/** The ids among `ids` whose recipient responded (a human open, a human click, or a human click on one trigger link). */
export async function respondedAmong(db: Queryable, ids: string[], response: Response): Promise<Set<string>> {
  const cond =
    response.kind === 'opened'
      ? 'e.human_opens > 0'
      : response.kind === 'clicked'
        ? 'e.human_clicks > 0'
        : `EXISTS (SELECT 1 FROM tracking_hits h WHERE h.email_id = e.id AND h.kind = 'click' AND h.human AND h.link_id = $2)`;
  const r = await db.query<{ id: string }>(`SELECT e.id ${OF} WHERE ${cond}`, response.kind === 'clicked_link' ? [ids, response.linkId] : [ids]);
  return new Set(r.rows.map((x) => x.id));
}

/**
 * The classified opens and clicks of an account in a period, as a relation another module's
 * grouped query may select from (the emails module's statistics, emails/stats-reads.ts): this is
 * all it reads of tracking_hits, columns (email_id, at, series). The parameters are the caller's
 * placeholders for account, since and until; the range is tracking_hits_account_at's.
 */
export function classifiedHits(account: string, since: string, until: string): string {
  return `(SELECT h.email_id, h.at, CASE WHEN h.kind = 'open' THEN CASE WHEN h.human THEN 'humanOpens' ELSE 'machineOpens' END
      ELSE CASE WHEN h.human THEN 'humanClicks' ELSE 'machineClicks' END END AS series
    FROM tracking_hits h WHERE h.account_id = ${account} AND h.at >= ${since} AND h.at < ${until} AND h.kind IN ('open', 'click') AND h.human IS NOT NULL)`;
}
