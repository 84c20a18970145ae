/**
 * The statistics page's two questions: counts over time, and counts per template, mailbox or
 * mailing. Decides the scope (a user's own mails, or the account's for an administrator), the
 * period and the bucket; the counting is one grouped query each behind StatsReads.
 */
import type { StatsBreakdown, StatsBreakdownQuery, StatsBucket, StatsCounts, StatsSeries, StatsSeriesQuery } from '../../../shared/schemas/stats.js';
import { STATS_SERIES } from '../../../shared/schemas/stats.js';
import { invalid } from '../../errors.js';
import type { AuthContext } from '../../http/auth.js';
import type { StatsReads, StatsScope } from './stats.port.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Periods up to a day (25 hours: a day that leaves summer time) are drawn per hour unless the reader asks otherwise. */
const HOURLY_UP_TO = 25 * HOUR;
/** Bounds that keep a chart readable and a query small: 31 days of hours (744 bars), 400 days of days. */
const MAX_HOURLY = 31 * DAY;
const MAX_DAILY = 400 * DAY;
const DEFAULT_PERIOD = 30 * DAY;

/** A zone the browser knows but this PostgreSQL does not (its tzdata is older) is the caller's input, not our failure. */
async function zoneKnown<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e.code === '22023' && /time zone/.test(e.message ?? '')) throw invalid('query.tz', 'is not a time zone the database knows');
    throw err;
  }
}

type Period = Pick<StatsSeriesQuery, 'since' | 'until' | 'tz' | 'templateId' | 'mailboxId' | 'mailingId'>;

export class StatsService {
  constructor(
    private readonly reads: StatsReads,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async series(auth: AuthContext, q: StatsSeriesQuery): Promise<StatsSeries> {
    const scope = this.scope(auth, q);
    const span = scope.until.getTime() - scope.since.getTime();
    const bucket: StatsBucket = q.bucket ?? (span <= HOURLY_UP_TO ? 'hour' : 'day');
    if (bucket === 'hour' && span > MAX_HOURLY) throw invalid('query.bucket', 'hourly buckets cover at most 31 days: choose day or a shorter period');
    const points = await zoneKnown(this.reads.series(scope, bucket));
    const totals = Object.fromEntries(STATS_SERIES.map((k) => [k, points.reduce((n, p) => n + p[k], 0)])) as StatsCounts;
    return { bucket, tz: scope.tz, since: scope.since.toISOString(), until: scope.until.toISOString(), points, totals };
  }

  async breakdown(auth: AuthContext, q: StatsBreakdownQuery): Promise<StatsBreakdown> {
    const scope = this.scope(auth, q);
    const rows = await this.reads.breakdown(scope, q.by);
    return { by: q.by, since: scope.since.toISOString(), until: scope.until.toISOString(), rows };
  }

  private scope(auth: AuthContext, q: Period): StatsScope {
    const until = q.until ? new Date(q.until) : this.now();
    const since = q.since ? new Date(q.since) : new Date(until.getTime() - DEFAULT_PERIOD);
    if (until <= since) throw invalid('query.until', 'must be after since');
    if (until.getTime() - since.getTime() > MAX_DAILY) throw invalid('query.since', 'the period spans at most 400 days');
    return {
      accountId: auth.accountId,
      userId: auth.isAdmin ? null : auth.userId,
      since,
      until,
      tz: q.tz ?? 'UTC',
      templateId: q.templateId ?? null,
      mailboxId: q.mailboxId ?? null,
      mailingId: q.mailingId ?? null,
    };
  }
}
