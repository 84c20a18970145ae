import { peakRequestsInWindow } from '../../../sandbox/kommo-sim/index.js';
import { SlidingWindowRateLimiter } from '../rate-limiter.js';

describe('SlidingWindowRateLimiter', () => {
  it('lets every caller through, never more than the limit per window, in arrival order', async () => {
    const limiter = new SlidingWindowRateLimiter({ limit: 3, windowMs: 200 });
    const grants: { i: number; time: number }[] = [];
    await Promise.all(Array.from({ length: 10 }, (_, i) => limiter.acquire('a').then(() => grants.push({ i, time: Date.now() }))));
    expect(grants.map((g) => g.i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Grants are timed after the fact (in a then-callback), so a GC pause can skew them by a few
    // ms; a 150 ms window still proves the limiting (unlimited, all ten land in the same ms).
    expect(peakRequestsInWindow(grants, 150)).toBe(3);
    expect(grants[9]!.time - grants[0]!.time).toBeGreaterThanOrEqual(3 * 200 - 10);
  });

  it('keeps separate budgets per key', async () => {
    const limiter = new SlidingWindowRateLimiter({ limit: 2, windowMs: 60_000 });
    await limiter.acquire('a');
    await limiter.acquire('a');
    // A third 'a' would wait a minute; 'b' must not queue behind it.
    await expect(Promise.race([limiter.acquire('b').then(() => 'b granted'), new Promise((r) => setTimeout(() => r('blocked'), 500))])).resolves.toBe('b granted');
  });
});
