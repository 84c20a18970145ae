/**
 * HEAP_GROWING_PERCENT (heap.ts) in a process of its own, as main.ts sets it: a workload shaped
 * like a mailing's drain (a steady live set, a high rate of short-lived and of promoted-then-dead
 * objects) keeps a clearly smaller heap than the same workload under V8's own heuristic.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { buildDist, ROOT } from '../../../../test/support/build-dist.js';

// The child imports the built module, as the product process does (`npm start` builds first).
beforeAll(buildDist, 180_000);

/** The largest heapTotal (MB) a child process reached while churning, after setHeapGrowingPercent(percent). */
function peakHeapMb(percent: number): number {
  const script = `
    import { setHeapGrowingPercent } from ${JSON.stringify(path.join(ROOT, 'dist/server/infra/runtime/heap.js'))};
    setHeapGrowingPercent(${percent});
    // ≈ 40 MB live in a ring: each object is promoted, then dies when the ring comes round.
    const ring = new Array(40000).fill(null);
    let peak = 0;
    for (let i = 0; i < 600000; i++) {
      ring[i % ring.length] = { s: 'x'.repeat(200) + i, a: new Array(100).fill(i) };
      if (i % 1000 === 0) peak = Math.max(peak, process.memoryUsage().heapTotal);
    }
    console.log(Math.round(peak / 1048576));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
  return Number(r.stdout.trim());
}

it('bounds how far the heap grows past its live data; 0 leaves V8 its own heuristic', () => {
  const tuned = peakHeapMb(50);
  const v8Own = peakHeapMb(0);
  // Measured here: 157 MB against 243 MB.
  expect(tuned).toBeGreaterThan(40);
  expect(tuned).toBeLessThan(v8Own * 0.8);
}, 60_000);
