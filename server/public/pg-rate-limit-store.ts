/**
 * An express-rate-limit Store on PostgreSQL, so a budget is shared by every server process
 * ("nothing that matters lives only in one process"). One row per key: a fixed window that
 * starts at the first hit, counted with one upsert. Both sides of every comparison use the
 * database clock, so processes with skewed clocks agree on when a window ends.
 */
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import type { Queryable } from '../infra/db/db.js';

/** Expired rows are swept now and then by whichever process counts; the table holds live windows only. */
const SWEEP_EVERY = 500;

export class PgRateLimitStore implements Store {
  readonly localKeys = false;
  private windowMs = 60_000;
  private sinceSweep = 0;

  constructor(
    private readonly db: Queryable,
    /** Keeps the keys of two limiters apart in the one table (also express-rate-limit's double-count check). */
    readonly prefix: string,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const r = await this.db.query<{ hits: number; reset_at: Date }>('SELECT hits, reset_at FROM rate_limit_hits WHERE key = $1 AND reset_at > now()', [this.prefix + key]);
    const row = r.rows[0];
    return row ? { totalHits: row.hits, resetTime: row.reset_at } : undefined;
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    if (++this.sinceSweep >= SWEEP_EVERY) {
      this.sinceSweep = 0;
      await this.db.query('DELETE FROM rate_limit_hits WHERE reset_at < now()');
    }
    const r = await this.db.query<{ hits: number; reset_at: Date }>(
      `INSERT INTO rate_limit_hits (key, hits, reset_at) VALUES ($1, 1, now() + make_interval(secs => $2))
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN rate_limit_hits.reset_at <= now() THEN 1 ELSE rate_limit_hits.hits + 1 END,
         reset_at = CASE WHEN rate_limit_hits.reset_at <= now() THEN EXCLUDED.reset_at ELSE rate_limit_hits.reset_at END
       RETURNING hits, reset_at`,
      [this.prefix + key, this.windowMs / 1000],
    );
    const row = r.rows[0]!;
    return { totalHits: row.hits, resetTime: row.reset_at };
  }

  async decrement(key: string): Promise<void> {
    await this.db.query('UPDATE rate_limit_hits SET hits = greatest(hits - 1, 0) WHERE key = $1 AND reset_at > now()', [this.prefix + key]);
  }

  async resetKey(key: string): Promise<void> {
    await this.db.query('DELETE FROM rate_limit_hits WHERE key = $1', [this.prefix + key]);
  }
}
