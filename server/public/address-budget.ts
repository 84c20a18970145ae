/**
 * The per-address budget of the tracking fast path (tracking-fast-path.ts): the same counting as
 * throttle.ts's express-rate-limit (its MemoryStore, a fixed window per address, IPv6 by /56 with
 * its ipKeyGenerator), without the middleware around it, which cost more per hit than the hit's
 * own work under load (the profile in bench/tracking.ts's report). Over the budget the caller
 * answers 429 RATE_LIMITED with Retry-After, as throttle() does.
 */
import { ipKeyGenerator, MemoryStore } from 'express-rate-limit';
import { AppError, ErrorCode } from '../errors.js';
import { WINDOW_MS } from './throttle.js';

/** Addresses whose key is remembered (parsing an IPv6 address per hit is the costly part). */
const KEY_CACHE = 10_000;

export class AddressBudget {
  private readonly store = new MemoryStore();
  private readonly keys = new Map<string, string>();

  constructor(
    private readonly limit: number,
    private readonly what: string,
  ) {
    this.store.init({ windowMs: WINDOW_MS } as Parameters<MemoryStore['init']>[0]);
  }

  /** Counts a hit; null when within budget, else the error to answer with and its Retry-After. */
  async take(ip: string | undefined): Promise<{ error: AppError; retryAfterSec: number } | null> {
    const { totalHits, resetTime } = await this.store.increment(this.key(ip ?? ''));
    if (totalHits <= this.limit) return null;
    const retryAfterSec = Math.max(1, Math.ceil(((resetTime?.getTime() ?? Date.now() + WINDOW_MS) - Date.now()) / 1000));
    return {
      error: new AppError(ErrorCode.RATE_LIMITED, `too many requests ${this.what}: at most ${this.limit} in ${WINDOW_MS / 1000} s; try again later`),
      retryAfterSec,
    };
  }

  shutdown(): void {
    this.store.shutdown();
  }

  private key(ip: string): string {
    let key = this.keys.get(ip);
    if (key === undefined) {
      if (this.keys.size >= KEY_CACHE) this.keys.clear();
      key = ipKeyGenerator(ip);
      this.keys.set(ip, key);
    }
    return key;
  }
}
