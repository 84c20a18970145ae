/**
 * The statistics page (issue 9): sends, failures, human and machine opens and clicks over time
 * and per template, mailbox or mailing. A user sees their own mails, an administrator the account's.
 */
import { z } from 'zod';

export const StatsBucket = z.enum(['day', 'hour']);
export type StatsBucket = z.infer<typeof StatsBucket>;

export const StatsBy = z.enum(['template', 'mailbox', 'mailing']);
export type StatsBy = z.infer<typeof StatsBy>;

/** An IANA zone name PostgreSQL and the browser both know, e.g. Europe/Madrid. */
const isTimeZone = (tz: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

const period = {
  /** Start of the period (inclusive); default: 30 days before `until`. */
  since: z.iso.datetime({ offset: true, message: 'must be an ISO date-time' }).optional(),
  /** End of the period (exclusive); default: now. */
  until: z.iso.datetime({ offset: true, message: 'must be an ISO date-time' }).optional(),
  /** The zone whose days and hours the buckets follow (the reader's); default UTC. */
  tz: z.string().max(64).refine(isTimeZone, { message: 'must be an IANA time zone such as Europe/Madrid' }).optional(),
  templateId: z.uuid({ message: 'must be a template id' }).optional(),
  mailboxId: z.uuid({ message: 'must be a mailbox id' }).optional(),
  mailingId: z.uuid({ message: 'must be a mailing id' }).optional(),
};

export const StatsSeriesQuery = z.object({
  ...period,
  /** Default: hours for periods up to a day, else days. */
  bucket: StatsBucket.optional(),
});
export type StatsSeriesQuery = z.infer<typeof StatsSeriesQuery>;

export const StatsBreakdownQuery = z.object({ ...period, by: StatsBy });
export type StatsBreakdownQuery = z.infer<typeof StatsBreakdownQuery>;

/**
 * Events counted where they happened in the period: a send at its delivery, a failure when it
 * failed, an open or click when it came (classified ones only; clicks still settling wait).
 */
export const StatsCounts = z.object({
  sent: z.number(),
  failed: z.number(),
  humanOpens: z.number(),
  machineOpens: z.number(),
  humanClicks: z.number(),
  machineClicks: z.number(),
});
export type StatsCounts = z.infer<typeof StatsCounts>;
export const STATS_SERIES = ['sent', 'failed', 'humanOpens', 'machineOpens', 'humanClicks', 'machineClicks'] as const satisfies readonly (keyof StatsCounts)[];

export const StatsSeries = z.object({
  bucket: StatsBucket,
  tz: z.string(),
  since: z.string(),
  until: z.string(),
  /** Every bucket of the period, empty ones included; `at` is the local start: 2026-11-28 or 2026-11-28T14:00. */
  points: z.array(StatsCounts.extend({ at: z.string() })),
  totals: StatsCounts,
});
export type StatsSeries = z.infer<typeof StatsSeries>;

export const StatsBreakdownRow = StatsCounts.extend({
  /** The template, mailbox or mailing; null for mails sent without a template. */
  id: z.string().nullable(),
  /** Its name (a mailing's subject, or its template's name); null when it was deleted or has none. */
  name: z.string().nullable(),
  /** A mailing's creation time, to tell mailings of one template apart. */
  createdAt: z.string().nullable(),
});
export type StatsBreakdownRow = z.infer<typeof StatsBreakdownRow>;

export const StatsBreakdown = z.object({ by: StatsBy, since: z.string(), until: z.string(), rows: z.array(StatsBreakdownRow) });
export type StatsBreakdown = z.infer<typeof StatsBreakdown>;
