/** What the bench's latency sections share: a median, and "median of `runs` calls after one warm-up". */
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Milliseconds per call, median of `runs` after a warm-up call (plan cache, connection). */
export async function timed(fn: () => Promise<unknown>, runs: number): Promise<number> {
  await fn();
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await fn();
    xs.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(xs);
}
