/**
 * Per-mailing statistics in a shape a chart draws directly: totals, and one row per hour with
 * every series present. Reads the counters and hits of the mailing's own mails (read-only).
 */
import type { Queryable } from '../../infra/db/db.js';
import type { MailingStats } from '../../../shared/schemas/mailing.js';

type Series = 'sent' | 'failed' | 'humanOpens' | 'machineOpens' | 'humanClicks' | 'machineClicks';

export async function statsOf(db: Queryable, mailingId: string): Promise<MailingStats> {
  const totals = await db.query<Record<string, string>>(
    `SELECT count(*) FILTER (WHERE e.status = 'sent') AS sent, count(*) FILTER (WHERE e.status = 'failed') AS failed,
       coalesce(sum(e.human_opens), 0) AS "humanOpens", coalesce(sum(e.machine_opens), 0) AS "machineOpens",
       coalesce(sum(e.human_clicks), 0) AS "humanClicks", coalesce(sum(e.machine_clicks), 0) AS "machineClicks",
       count(*) FILTER (WHERE e.human_opens > 0) AS "uniqueOpeners", count(*) FILTER (WHERE e.human_clicks > 0) AS "uniqueClickers"
     FROM mailing_recipients r JOIN emails e ON e.id = r.email_id WHERE r.mailing_id = $1`,
    [mailingId],
  );
  const hourly = await db.query<{ hour: Date; series: Series; n: string }>(
    `WITH mail AS (SELECT e.id, e.status, e.sent_at FROM mailing_recipients r JOIN emails e ON e.id = r.email_id WHERE r.mailing_id = $1)
     SELECT date_trunc('hour', t.at) AS hour, t.series, count(*) AS n FROM (
       SELECT sent_at AS at, 'sent' AS series FROM mail WHERE status = 'sent'
       UNION ALL SELECT ev.at, 'failed' FROM email_events ev JOIN mail ON mail.id = ev.email_id WHERE ev.type = 'failed'
       UNION ALL SELECT h.at, CASE WHEN h.kind = 'open' THEN CASE WHEN h.human THEN 'humanOpens' ELSE 'machineOpens' END
                                   ELSE CASE WHEN h.human THEN 'humanClicks' ELSE 'machineClicks' END END
         FROM tracking_hits h JOIN mail ON mail.id = h.email_id WHERE h.kind IN ('open', 'click') AND h.human IS NOT NULL
     ) t GROUP BY 1, 2 ORDER BY 1`,
    [mailingId],
  );
  const byHour = new Map<string, MailingStats['hourly'][number]>();
  for (const row of hourly.rows) {
    const hour = row.hour.toISOString();
    let point = byHour.get(hour);
    if (!point) {
      point = { hour, sent: 0, failed: 0, humanOpens: 0, machineOpens: 0, humanClicks: 0, machineClicks: 0 };
      byHour.set(hour, point);
    }
    point[row.series] = Number(row.n);
  }
  const t = totals.rows[0] ?? {};
  const n = (k: string) => Number(t[k] ?? 0);
  return {
    totals: {
      sent: n('sent'),
      failed: n('failed'),
      humanOpens: n('humanOpens'),
      machineOpens: n('machineOpens'),
      humanClicks: n('humanClicks'),
      machineClicks: n('machineClicks'),
      uniqueOpeners: n('uniqueOpeners'),
      uniqueClickers: n('uniqueClickers'),
    },
    hourly: [...byHour.values()],
  };
}
