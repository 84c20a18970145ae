/**
 * The statistics page's calls: counts over time and per template, mailbox or mailing. Types from
 * shared/schemas (type-only: zod stays out of the bundle; the server validates every request).
 */
import type { StatsBreakdown, StatsBreakdownRow, StatsBucket, StatsBy, StatsCounts, StatsSeries } from '../../../shared/schemas/stats.js';
import type { Transport } from '../host/transport.js';

export type { StatsBreakdown, StatsBreakdownRow, StatsBucket, StatsBy, StatsCounts, StatsSeries };

export interface StatsFilter {
  since: string;
  until: string;
  tz: string;
  templateId?: string;
  mailboxId?: string;
  mailingId?: string;
}

/** Only the filters that are set: an empty one would be refused as a bad id. */
const query = (f: StatsFilter, extra: Record<string, string>): Record<string, string> => {
  const q: Record<string, string> = { since: f.since, until: f.until, tz: f.tz, ...extra };
  for (const k of ['templateId', 'mailboxId', 'mailingId'] as const) if (f[k]) q[k] = f[k];
  return q;
};

export const statsSeries = (rq: Transport, f: StatsFilter, bucket: StatsBucket | null) =>
  rq<StatsSeries>('GET', '/api/stats/series', { query: query(f, bucket ? { bucket } : {}) });

export const statsBreakdown = (rq: Transport, f: StatsFilter, by: StatsBy) => rq<StatsBreakdown>('GET', '/api/stats/breakdown', { query: query(f, { by }) });
