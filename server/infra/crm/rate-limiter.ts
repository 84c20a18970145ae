/**
 * Kommo allows at most 7 requests per second per account (kommo-reference.md) and answers
 * 429, then 403 (account blocked) to clients that keep exceeding it. So callers wait for a slot
 * instead of being dropped, and one limiter per process is shared by every client of an
 * account: two jobs for the same account must not each think they own the budget.
 */

export interface RateLimiterOptions {
  /** Requests allowed inside one window. */
  limit: number;
  windowMs: number;
}

export interface RateLimiter {
  /** Resolves when the caller may send one request for `key`; the slot is taken on resolve. */
  acquire(key: string): Promise<void>;
}

/** Runs tasks one after another per key, in call order (callers of one account queue up). */
export class KeyedFifo {
  private readonly tails = new Map<string, Promise<void>>();

  run(key: string, task: () => Promise<void>): Promise<void> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const mine = prev.then(task);
    // The chain must never reject, or one failure would block the key forever.
    const tail = mine.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return mine;
  }
}

/** Sliding-window limiter: at most `limit` starts inside any `windowMs`, FIFO per key. */
export class SlidingWindowRateLimiter implements RateLimiter {
  private readonly starts = new Map<string, number[]>();
  private readonly fifo = new KeyedFifo();

  constructor(private readonly opts: RateLimiterOptions) {}

  /** Resolves when the caller may send one request for `key`; the slot is taken on resolve. */
  acquire(key: string): Promise<void> {
    return this.fifo.run(key, () => this.takeSlot(key));
  }

  private async takeSlot(key: string): Promise<void> {
    for (;;) {
      const now = Date.now();
      const recent = (this.starts.get(key) ?? []).filter((t) => t > now - this.opts.windowMs);
      if (recent.length < this.opts.limit) {
        recent.push(now);
        this.starts.set(key, recent);
        return;
      }
      this.starts.set(key, recent);
      await new Promise((r) => setTimeout(r, recent[0]! + this.opts.windowMs - now + 1));
    }
  }
}

/**
 * Kommo counts arrivals, we count departures: network jitter can bunch requests sent just over
 * a second apart into one second at Kommo's side. The extra 100 ms absorbs that.
 */
export const KOMMO_RATE_LIMIT: RateLimiterOptions = { limit: 7, windowMs: 1100 };

/** The process-wide limiter every KommoCrmClient uses unless a test passes its own. */
export const kommoRateLimiter = new SlidingWindowRateLimiter(KOMMO_RATE_LIMIT);

let shared: RateLimiter = kommoRateLimiter;

/**
 * The limiter of every Kommo call that is not handed one: the install-time calls (code exchange,
 * GET /account) made before an account's client exists. The composition root replaces the
 * in-process default with the PostgreSQL one, so these calls share the account's budget too.
 */
export function sharedKommoRateLimiter(): RateLimiter {
  return shared;
}
export function useSharedKommoRateLimiter(limiter: RateLimiter): void {
  shared = limiter;
}

/**
 * Kommo's budget is per account, and an account is its API origin: keying by the base URL lets
 * calls made before the account id is known (the OAuth code exchange) count against it as well.
 */
export const kommoLimitKey = (baseUrl: string): string => baseUrl.replace(/\/+$/, '').toLowerCase();
