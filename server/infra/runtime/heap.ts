/**
 * How far V8 lets the heap grow past what the last full collection kept alive (HEAP_GROWING_PERCENT).
 *
 * Draining a mailing allocates ≈ 350 kB per mail (MIME build, html → text, SMTP, rows) at several
 * hundred mails a second, nearly all of it garbage at once; the live heap stays ≈ 50 MB. V8's own
 * heuristic answers that allocation rate with a growing factor of up to 4: the old generation was
 * let grow to ≈ 180 MB between full collections and the process's RSS to 317–326 MB while a
 * 100,000-recipient mailing drained (issue 7's target: < 300 MB). With the factor at 1.5 the same
 * drain peaks at 186 MB at the same rate (`BENCH_ONLY=scale npm run bench`, README "Bench").
 *
 * This is not a heap cap: the heap still grows as far as the live data needs, only full
 * collections come sooner (they mark concurrently, on another thread). The flag is read at every
 * collection, so setting it once the process runs takes effect from the next one.
 */
import v8 from 'node:v8';

/** 0 leaves V8's own heuristic. */
export function setHeapGrowingPercent(percent: number): void {
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${Math.round(percent)}`);
}
