/**
 * Tracking endpoints under load: autocannon (in a child process, so the load generator does not
 * share the server's event loop) against the real server's open pixel and click redirect, and
 * against a bare Node http server answering the same GIF / 302 (the "raw stack"), in one run.
 * Three rounds, medians printed. Then: whether every answered hit was recorded, and the rate at which
 * the click decision sweep decides a backlog of due clicks.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import pg from 'pg';
import type { AddressInfo } from 'node:net';
import type { RunningServer } from '../server/app/server.js';
import { clickToken } from '../server/modules/tracking/click-token.js';
import { openToken, PIXEL_GIF } from '../server/modules/tracking/open-pixel.js';

const CONNECTIONS = 50;
const SECONDS = 5;
/** BENCH_TRACKING_ROUNDS=1 for a quick look (a profile); the figures to report are medians of 3. */
/**
 * Hits spread over this many mails, as a mailing's opens are (each connection walks the list); a
 * handful of mails hit thousands of times a second would measure contention on their rows instead.
 */
const MAILS = 1000;
const ROUNDS = Number(process.env.BENCH_TRACKING_ROUNDS ?? 3);
/** The issue's throughput target: latency is also measured with exactly this load offered. */
const TARGET_RATE = 3_000;
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

/**
 * Closed loop by default (each connection sends its next request when the answer comes: the most
 * the server answers, latency then mostly queueing behind 50 connections). With `rate`: that many
 * requests per second offered in all, i.e. what a visitor waits while the server takes that
 * load. Autocannon's coordinated-omission correction is off there: with a list of paths its pacing
 * overshoots the rate and the correction then reports ≈ 400 ms p99 for a bare http server that
 * answers in 5 ms (measured here), so the raw stack is measured the same way beside it.
 */
export function cannon(url: string, paths: string[], seconds = SECONDS, rate?: number): Promise<Result> {
  const script = `import autocannon from 'autocannon';
import fs from 'node:fs';
const o = JSON.parse(fs.readFileSync(process.argv[1], 'utf8'));
const r = await autocannon({ url: o.url, connections: o.c, duration: o.d, ...(o.rate ? { overallRate: o.rate, ignoreCoordinatedOmission: true } : {}), headers: { 'user-agent': o.ua }, requests: o.paths.map((path) => ({ method: 'GET', path })) });
console.log(JSON.stringify({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, answered: r['2xx'] + r['3xx'], other: r['1xx'] + r['4xx'] + r['5xx'], errors: r.errors + r.timeouts }));`;
  // The paths go through a file: a thousand of them would not fit in one argument.
  const file = path.join(os.tmpdir(), `leadmail-cannon-${process.pid}-${Date.now()}.json`);
  fs.writeFileSync(file, JSON.stringify({ url, c: CONNECTIONS, d: seconds, ua: CHROME, paths, rate }));
  return new Promise<Result>((resolve, reject) =>
    execFile(process.execPath, ['--input-type=module', '-e', script, file], { cwd: process.cwd(), maxBuffer: 1 << 20 }, (err, stdout) =>
      err ? reject(err) : resolve(JSON.parse(stdout.trim().split('\n').pop()!) as Result),
    ),
  ).finally(() => fs.rmSync(file, { force: true }));
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

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const medianOf = (rs: Result[]): Result => ({
  rps: median(rs.map((r) => r.rps)),
  p50: median(rs.map((r) => r.p50)),
  p99: median(rs.map((r) => r.p99)),
  answered: rs.reduce((n, r) => n + r.answered, 0),
  other: rs.reduce((n, r) => n + r.other, 0),
  errors: rs.reduce((n, r) => n + r.errors, 0),
});

const line = (what: string, r: Result) =>
  `${what.padEnd(34)} ${String(Math.round(r.rps)).padStart(6)} req/s  p50 ${String(r.p50).padStart(3)} ms  p99 ${String(r.p99).padStart(3)} ms`;
const round = (rs: Result[]) => rs.map((r) => `${Math.round(r.rps)}/${r.p99}`).join(', ');

/** Every statement any pg client of this process sends while `fn` runs. */
async function countingStatements<T>(fn: () => Promise<T>): Promise<{ value: T; statements: number }> {
  let statements = 0;
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    statements++;
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    return { value: await fn(), statements };
  } finally {
    pg.Client.prototype.query = original;
  }
}

/**
 * Needs account 1 with a mailbox and RATE_LIMIT_TRACKING_PER_ADDRESS far above the load; sends
 * nothing: its mails are written as sent an hour ago (so their clicks can be human).
 */
export async function benchTracking(server: RunningServer): Promise<void> {
  const { db, box } = server.services;
  const redirect = 'https://example.com/offer';
  const link = (await db.query<{ id: number }>("INSERT INTO trigger_links (account_id, name, redirect_url) VALUES (1, 'Bench', $1) RETURNING id", [redirect])).rows[0]!.id;
  const mails = (
    await db.query<{ id: string }>(
      `INSERT INTO emails (id, account_id, user_id, mailbox_id, entity_type, entity_id, status, message_id, to_addresses, subject, body_html, sent_at)
       SELECT gen_random_uuid(), 1, 1, (SELECT id FROM mailboxes WHERE account_id = 1 LIMIT 1), 'leads', 1, 'sent', '<tracking-' || n || '@bench>',
              '["r@client.example"]', 'Tracking bench', '<p>hi</p>', now() - interval '1 hour'
       FROM generate_series(1, $1) AS n RETURNING id`,
      [MAILS],
    )
  ).rows.map((r) => r.id);
  const pixels = mails.map((id) => `/t/o/${openToken(box, id)}.gif`);
  const clicks = mails.map((id) => `/t/c/${clickToken(box, id, link)}`);
  const raw = await rawStack(redirect);
  const rawUrl = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
  const hits = async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM tracking_hits')).rows[0]!.n);

  // What one durable write costs here, serially: the floor under every group commit.
  const serial = async (sql: string) => {
    const ms: number[] = [];
    for (let i = 0; i < 100; i++) {
      const t = process.hrtime.bigint();
      await db.query(sql);
      ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    return median(ms).toFixed(2);
  };
  await db.query('CREATE TABLE IF NOT EXISTS bench_commit (x int)');
  console.log(`tracking: PostgreSQL round trip p50 ${await serial('SELECT 1')} ms, one-row INSERT with its commit (fsync) p50 ${await serial('INSERT INTO bench_commit VALUES (1)')} ms`);
  await db.query('DROP TABLE bench_commit');
  console.log(`tracking (autocannon in its own process, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS} s each, ${mails.length} mails; medians, round by round req/s / p99 ms):`);
  await cannon(server.url, pixels, 2); // warm-up (JIT, pool, plans), not reported
  await cannon(server.url, clicks, 2);
  const pending = async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM tracking_hits WHERE decided_at IS NULL')).rows[0]!.n);
  const settled = async () => {
    const t = Date.now();
    while ((await pending()) > 0 && Date.now() - t < 60_000) await new Promise((r) => setTimeout(r, 100));
  };
  const res = { pixel: [] as Result[], rawPixel: [] as Result[], click: [] as Result[], rawClick: [] as Result[], pixelAt: [] as Result[], clickAt: [] as Result[], rawClickAt: [] as Result[] };
  let pixelRecorded = 0;
  let clickRecorded = 0;
  const hitsBefore = await hits();
  for (let i = 0; i < ROUNDS; i++) {
    // Each round starts with the previous round's clicks decided, so rounds compare like with like
    // (the sweep still runs during the click round: its clicks settle after 2 s).
    await settled();
    let before = await hits();
    res.pixel.push(await cannon(server.url, pixels));
    pixelRecorded += (await hits()) - before;
    res.rawPixel.push(await cannon(rawUrl, pixels));
    await settled();
    before = await hits();
    res.click.push(await cannon(server.url, clicks));
    clickRecorded += (await hits()) - before;
    res.rawClick.push(await cannon(rawUrl, clicks));
    await settled();
    res.pixelAt.push(await cannon(server.url, pixels, SECONDS, TARGET_RATE));
    await settled();
    res.clickAt.push(await cannon(server.url, clicks, SECONDS, TARGET_RATE));
    res.rawClickAt.push(await cannon(rawUrl, clicks, SECONDS, TARGET_RATE));
  }
  raw.close();
  const [pixel, rawPixel, click, rawClick] = [medianOf(res.pixel), medianOf(res.rawPixel), medianOf(res.click), medianOf(res.rawClick)];
  console.log(`${line('  open pixel, server', pixel)}   rounds ${round(res.pixel)}`);
  console.log(`${line('  open pixel, raw http server', rawPixel)}   rounds ${round(res.rawPixel)}`);
  console.log(`${line('  click redirect, server', click)}   rounds ${round(res.click)}`);
  console.log(`${line('  click redirect, raw http server', rawClick)}   rounds ${round(res.rawClick)}`);
  const [pixelAt, clickAt, rawClickAt] = [medianOf(res.pixelAt), medianOf(res.clickAt), medianOf(res.rawClickAt)];
  console.log(`  with ${TARGET_RATE} req/s offered (autocannon's overallRate; its pacing overshoots a little):`);
  console.log(`${line('  open pixel, server', pixelAt)}   rounds ${round(res.pixelAt)}`);
  console.log(`${line('  click redirect, server', clickAt)}   rounds ${round(res.clickAt)}`);
  console.log(`${line('  click redirect, raw http server', rawClickAt)}   rounds ${round(res.rawClickAt)}`);
  console.log(
    `  durable: ${pixelRecorded} opens recorded for ${pixel.answered} pixels answered, ${clickRecorded} clicks for ${click.answered} redirects answered ` +
      `(${pixel.other + click.other} non-2xx/3xx, ${pixel.errors + click.errors} errors)`,
  );

  // The sweep under the load: what was still undecided when it stopped, and how long it took.
  let t0 = Date.now();
  const left = await pending();
  while ((await pending()) > 0 && Date.now() - t0 < 120_000) await new Promise((r) => setTimeout(r, 100));
  const after = await pending();
  console.log(
    `  click verdicts after the load: ${left} undecided when it stopped, ${after === 0 ? 'all' : `all but ${after}`} decided ${((Date.now() - t0) / 1000).toFixed(1)} s later ` +
      `(${(await hits()) - hitsBefore} hits written)`,
  );

  // The sweep alone: a backlog of clicks on the bench's mails, spread over the last hour, all due at once.
  const backlog = 5_000;
  await db.query(
    `INSERT INTO tracking_hits (account_id, email_id, kind, link_id, ip, user_agent, at, settle_at)
     SELECT 1, ($1::uuid[])[1 + n % array_length($1::uuid[], 1)], 'click', $2, '198.51.' || (n % 250) || '.' || (n / 250 % 250), $3, now() - n * interval '700 ms', now()
     FROM generate_series(1, $4) AS n`,
    [mails, link, CHROME, backlog],
  );
  let polls = 0;
  t0 = Date.now();
  const due = await pending();
  const { statements } = await countingStatements(async () => {
    while ((polls++, await pending()) > 0) await new Promise((r) => setTimeout(r, 20));
  });
  const secs = (Date.now() - t0) / 1000;
  console.log(
    `  click decision sweep: ${due} due clicks decided in ${secs.toFixed(2)} s = ${Math.round(due / secs)} clicks/s, ` +
      `${((statements - polls) / due).toFixed(2)} SQL statements per click (every statement of the process meanwhile, the bench's own polls excluded)`,
  );
}
