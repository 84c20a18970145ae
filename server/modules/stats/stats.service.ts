/**
 * The statistics page's two questions: counts over time, and counts per template, mailbox or
 * mailing. Decides the scope (a user's own mails, or the account's for an administrator), the
 * period and the bucket; the counting is one grouped query each behind StatsReads, and a
 * breakdown's names come from the owning modules (StatsNames), for the few ids it has.
 */
import type { StatsBreakdown, StatsBreakdownQuery, StatsBreakdownRow, StatsBucket, StatsBy, StatsCounts, StatsSeries, StatsSeriesQuery } from '../../../shared/schemas/stats.js';
import { STATS_SERIES } from '../../../shared/schemas/stats.js';
import { invalid } from '../../errors.js';
import type { AuthContext } from '../../http/auth.js';
import type { StatsNames, StatsReads, StatsScope } from './stats.port.js';

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

/** Nulls last. */
function byName(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

type Period = Pick<StatsSeriesQuery, 'since' | 'until' | 'tz' | 'templateId' | 'mailboxId' | 'mailingId'>;

export class StatsService {
  constructor(
    private readonly reads: StatsReads,
    private readonly names: StatsNames,
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
    const counts = await this.reads.breakdown(scope, q.by);
    const named = await this.named(scope.accountId, q.by, counts.flatMap((r) => (r.id === null ? [] : [r.id])));
    const rows: StatsBreakdownRow[] = counts.map((r) => {
      const n = r.id === null ? undefined : named.get(r.id);
      return { ...r, name: n?.name ?? null, createdAt: n?.createdAt?.toISOString() ?? null };
    });
    // Busiest first; then by name (unnamed last), then id: a stable order for equal counts.
    rows.sort((a, b) => b.sent - a.sent || b.failed - a.failed || byName(a.name, b.name) || byName(a.id, b.id));
    return { by: q.by, since: scope.since.toISOString(), until: scope.until.toISOString(), rows };
  }

  /** The names of a breakdown's ids, from the module that owns each (a handful of ids). */
  private async named(accountId: number, by: StatsBy, ids: string[]): Promise<Map<string, { name: string | null; createdAt?: Date }>> {
    if (ids.length === 0) return new Map();
    if (by === 'mailing') return this.names.mailings(accountId, ids);
    const names = by === 'template' ? await this.names.templates(accountId, ids) : await this.names.mailboxes(accountId, ids);
    return new Map([...names].map(([id, name]) => [id, { name }]));
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
