/**
 * What the statistics module reads, wired in app.ts to the tracking module's read model
 * (tracking/stats-reads.ts): it owns the hits and the engagement side of the mails.
 */
import type { StatsBreakdownRow, StatsBucket, StatsBy, StatsCounts } from '../../../shared/schemas/stats.js';
import type { StatsScope } from '../tracking/stats-reads.js';

export type { StatsScope };

export interface StatsReads {
  series(scope: StatsScope, bucket: StatsBucket): Promise<(StatsCounts & { at: string })[]>;
  breakdown(scope: StatsScope, by: StatsBy): Promise<StatsBreakdownRow[]>;
}
