/**
 * What the statistics module reads, wired in app.ts: the counts from the emails module's read
 * model (emails/stats-reads.ts, which reads tracking's hits through the relation tracking
 * declares), and the names of the few templates, mailboxes and mailings a breakdown lists from
 * their owning modules' services.
 */
import type { StatsBucket, StatsBy, StatsCounts } from '../../../shared/schemas/stats.js';
import type { StatsScope } from '../emails/stats-reads.js';

export type { StatsScope };

export interface StatsReads {
  series(scope: StatsScope, bucket: StatsBucket): Promise<(StatsCounts & { at: string })[]>;
  /** Counts per id of the dimension (null: mails with none), in no order. */
  breakdown(scope: StatsScope, by: StatsBy): Promise<(StatsCounts & { id: string | null })[]>;
}

/** A name (and, for a mailing, when it was created) for each id found; ids not found are absent. */
export interface StatsNames {
  templates(accountId: number, ids: string[]): Promise<Map<string, string>>;
  mailboxes(accountId: number, ids: string[]): Promise<Map<string, string>>;
  mailings(accountId: number, ids: string[]): Promise<Map<string, { name: string | null; createdAt: Date }>>;
}
