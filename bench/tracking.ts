/**
 * Tracking endpoints under load: autocannon (in a child process, so the load generator does not
 * share the server's event loop) against the real server's open pixel and click redirect, and
 * against a bare Node http server answering the same GIF / 302 (the "raw stack"), in one run.
 * Then: whether every answered hit was recorded, and how long the sweep takes to decide the clicks.
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningServer } from '../server/app/server.js';
import { clickToken } from '../server/modules/tracking/click-token.js';
import { openToken, PIXEL_GIF } from '../server/modules/tracking/open-pixel.js';

const CONNECTIONS = 50;
const SECONDS = 10;
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const NO_STORE = { 'Cache-Control': 'no-store, no-cache, must-revalidate, private', Pragma: 'no-cache', 'Referrer-Policy': 'no-referrer' };

interface Result {
  rps: number;
  p50: number;
  p99: number;
  answered: number;
  other: number;
  errors: number;
}

export function cannon(url: string, paths: string[], seconds = SECONDS): Promise<Result> {
  const script = `import autocannon from 'autocannon';
const o = JSON.parse(process.argv[1]);
const r = await autocannon({ url: o.url, connections: o.c, duration: o.d, headers: { 'user-agent': o.ua }, requests: o.paths.map((path) => ({ method: 'GET', path })) });
console.log(JSON.stringify({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, answered: r['2xx'] + r['3xx'], other: r['1xx'] + r['4xx'] + r['5xx'], errors: r.errors + r.timeouts }));`;
  const args = JSON.stringify({ url, c: CONNECTIONS, d: seconds, ua: CHROME, paths });
  return new Promise((resolve, reject) =>
    execFile(process.execPath, ['--input-type=module', '-e', script, args], { cwd: process.cwd(), maxBuffer: 1 << 20 }, (err, stdout) =>
      err ? reject(err) : resolve(JSON.parse(stdout.trim().split('\n').pop()!) as Result),
    ),
  );
}

function rawStack(redirectUrl: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/t/o/')) {
      res.writeHead(200, { ...NO_STORE, 'Content-Type': 'image/gif', 'Content-Length': PIXEL_GIF.length });
      res.end(PIXEL_GIF);
    } else {
      res.writeHead(302, { ...NO_STORE, Location: redirectUrl, 'Content-Length': 0 });
      res.end();
    }
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

const line = (what: string, r: Result) =>
  `${what.padEnd(28)} ${String(Math.round(r.rps)).padStart(6)} req/s  p50 ${String(r.p50).padStart(3)} ms  p99 ${String(r.p99).padStart(3)} ms  (${r.answered} answered, ${r.other} other, ${r.errors} errors)`;

/** Needs sent mails of account 1 in the database and RATE_LIMIT_TRACKING_PER_ADDRESS far above the load. */
export async function benchTracking(server: RunningServer): Promise<void> {
  const { db, box } = server.services;
  const redirect = 'https://example.com/offer';
  const link = (await db.query<{ id: number }>("INSERT INTO trigger_links (account_id, name, redirect_url) VALUES (1, 'Bench', $1) RETURNING id", [redirect])).rows[0]!.id;
  const mails = (await db.query<{ id: string }>("SELECT id FROM emails WHERE account_id = 1 AND status = 'sent' ORDER BY id LIMIT 50")).rows.map((r) => r.id);
  if (mails.length === 0) throw new Error('benchTracking needs sent mails');
  const pixels = mails.map((id) => `/t/o/${openToken(box, id)}.gif`);
  const clicks = mails.map((id) => `/t/c/${clickToken(box, id, link)}`);
  const raw = await rawStack(redirect);
  const rawUrl = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
  const hits = async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM tracking_hits')).rows[0]!.n);

  console.log(`tracking (autocannon, ${CONNECTIONS} connections, ${SECONDS} s each, ${mails.length} mails):`);
  await cannon(server.url, pixels, 2); // warm-up (JIT, pool, plans), not reported
  const before = await hits();
  const pixel = await cannon(server.url, pixels);
  const pixelRecorded = (await hits()) - before;
  const rawPixel = await cannon(rawUrl, pixels);
  const beforeClicks = await hits();
  const click = await cannon(server.url, clicks);
  const clickRecorded = (await hits()) - beforeClicks;
  const rawClick = await cannon(rawUrl, clicks);
  raw.close();
  console.log(line('  open pixel, server', pixel));
  console.log(line('  open pixel, raw stack', rawPixel));
  console.log(line('  click redirect, server', click));
  console.log(line('  click redirect, raw stack', rawClick));
  console.log(`  recorded: ${pixelRecorded} opens for ${pixel.answered} pixels answered, ${clickRecorded} clicks for ${click.answered} redirects answered`);

  // The sweep decides the clicks after their settle window, in the background of the load above.
  const t0 = Date.now();
  const pending = async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM tracking_hits WHERE decided_at IS NULL')).rows[0]!.n);
  const left = await pending();
  while ((await pending()) > 0) await new Promise((r) => setTimeout(r, 100));
  console.log(`  click verdicts: ${left} still undecided when the load stopped, all decided ${((Date.now() - t0) / 1000).toFixed(1)} s later; settle-kind Agenda jobs: ${(await db.query("SELECT 1 FROM agenda_jobs WHERE name = 'tracking.decide-click'")).rowCount}`);
}
