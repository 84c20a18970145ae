/**
 * Kommo's 7 requests/s is per account, not per process: with several leadmail instances on one
 * database, an in-process limiter would let each of them spend the whole budget. Slots are
 * therefore taken in PostgreSQL, under a transaction-scoped advisory lock per key, measured by
 * the database clock so the instances' clocks need not agree. Callers wait, never drop.
 * Inside one process, callers of a key still queue in FIFO order first (fewer lock waits).
 */
import { withTransaction, type Db } from '../db/db.js';
import { KeyedFifo, type RateLimiter, type RateLimiterOptions } from './rate-limiter.js';

/** Namespace of the advisory locks, so they cannot collide with other uses. */
const LOCK_NAMESPACE = 736_112;

export class PgRateLimiter implements RateLimiter {
  private readonly fifo = new KeyedFifo();

  constructor(
    private readonly db: Db,
    private readonly opts: RateLimiterOptions,
  ) {}

  acquire(key: string): Promise<void> {
    return this.fifo.run(key, () => this.takeSlot(key));
  }

  private async takeSlot(key: string): Promise<void> {
    for (;;) {
      const waitMs = await withTransaction(this.db, async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_NAMESPACE, key]);
        const window = `${this.opts.windowMs} milliseconds`;
        await tx.query("DELETE FROM rate_limit_slots WHERE key = $1 AND at < clock_timestamp() - $2::interval", [key, window]);
        const r = await tx.query<{ n: number; wait_ms: number | null }>(
          `SELECT count(*)::int AS n,
                  ceil(extract(epoch FROM (min(at) + $2::interval - clock_timestamp())) * 1000)::int AS wait_ms
           FROM rate_limit_slots WHERE key = $1`,
          [key, window],
        );
        const row = r.rows[0]!;
        if (row.n < this.opts.limit) {
          await tx.query('INSERT INTO rate_limit_slots (key, at) VALUES ($1, clock_timestamp())', [key]);
          return 0;
        }
        return Math.max(1, row.wait_ms ?? 1);
      });
      if (waitMs === 0) return;
      await new Promise((r) => setTimeout(r, waitMs));
    }
  }
}

