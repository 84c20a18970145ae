/**
 * `npm run bench`: measures and prints; asserts nothing (timing belongs here, not in tests).
 *  1. template rendering: renders per second and heap per cached template
 *  2. queue + SMTP: emails per second from one mailbox with no pacing, end to end through the
 *     real queue, SMTP server and PostgreSQL; memory of the process while doing it
 *  3. latency of a single mail on an idle mailbox, from the API call to the SMTP server
 *  4. the digital-pipeline hook's answer time
 *  5. crash recovery: SIGKILL of a process draining a queue → first delivery by its restart
 *  6. tracking endpoints (bench/tracking.ts): open pixel and click redirect req/s and p99 beside a raw http server
 *  7. scale (bench/mailing-scale.ts): a 100,000-recipient mailing on a server in its own process:
 *     accept time, resolve time, drain rate and the server's peak RSS
 *  8. the widget (bench/widget.ts): card panel render time beside the 100 ms target, script.js size
 *  9. a 5,000-mail mailing drained by the product beside a raw nodemailer pool, and where its time per mail goes
 * 10. the history page's list (bench/history.ts): GET /api/emails/search with 10,000 and 100,000 mails beside raw SQL
 * 11. the statistics endpoints (bench/stats.ts) on 10,000 mails beside raw SQL
 * BENCH_ONLY=name,… runs only those sections (bench/only.ts); unset runs all.
 */
import fs from 'node:fs';
import inspector from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import jwt from 'jsonwebtoken';
import { startBenchSink } from './sink.js';
import { loadConfig } from '../server/infra/config/config.js';
import { setHeapGrowingPercent } from '../server/infra/runtime/heap.js';
import { createLogger } from '../server/infra/log/logger.js';
import { startEmbeddedPostgres } from '../server/infra/db/embedded-postgres.js';
import { startServer } from '../server/app/server.js';
import { startKommoSimulator } from '../server/sandbox/kommo-sim/index.js';
import { renderTemplate } from '../server/modules/templates/render/render.js';
import { buildTemplateContext } from '../server/modules/templates/render/template-context.js';
import { htmlToText } from '../server/modules/templates/render/html-to-text.js';
import { reserveSlot, type Slot } from '../server/modules/emails/pacing.js';
import { scheduleDrain } from '../server/modules/emails/send-email.job.js';
import { benchCrashRecovery } from './crash-recovery.js';
import { benchTracking } from './tracking.js';
import { benchStats } from './stats.js';
import { benchMailingScale } from './mailing-scale.js';
import { wanted } from './only.js';
import { benchWidget } from './widget.js';
import { benchMailingDetail } from './mailing-detail.js';
import { benchHistory } from './history.js';
import nodemailer from 'nodemailer';
import pg from 'pg';
import type { Db } from '../server/infra/db/db.js';
import type { JobQueue } from '../server/infra/queue/job-queue.js';
import { enqueueBatch } from '../server/modules/emails/bulk-enqueue.js';
import type { MailboxRow } from '../server/modules/mailboxes/mailboxes.repository.js';


const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

function benchRender(): void {
  const lead = { id: 1, name: 'Website redesign', price: 5000, responsible_user_id: 1, status_id: 1, pipeline_id: 1, created_at: 1_700_000_000, updated_at: 1_700_000_000, custom_fields_values: [{ field_id: 10, values: [{ value: 12000 }] }], tags: [{ id: 1, name: 'VIP' }], contacts: [], companies: [] };
  const contact = { id: 2, name: 'John Smith', first_name: 'John', last_name: 'Smith', responsible_user_id: 1, custom_fields_values: [{ field_id: 20, field_code: 'EMAIL', values: [{ value: 'john@client.example', enum_code: 'WORK' }] }], companies: [], leads: [] };
  const ctx = buildTemplateContext({ lead, contact, fieldDefs: { leads: [{ id: 10, name: 'Budget', code: null, type: 'numeric', enums: null }] }, now: new Date() });
  const html = `<html><body>${'<p>Dear {{contact.first_name}}, about {{lead.name}} ({{lead.fields.[Budget]}}) — {{date}}</p>'.repeat(40)}</body></html>`;
  const n = 5_000;
  renderTemplate({ subject: 'Offer for {{contact.name}}', html }, ctx);
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) renderTemplate({ subject: 'Offer for {{contact.name}}', html }, ctx);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`render: ${n} renders of a ${(html.length / 1024).toFixed(1)} KB template in ${s.toFixed(2)} s = ${Math.round(n / s)} renders/s (heap change ${mb(process.memoryUsage().heapUsed - heap0)})`);
}

/** text/plain alternative of pathological HTML (issue 6: the old converter took 8 s on the first). */
function benchHtmlToText(): void {
  const cases: [string, string][] = [
    ['1.6 MB of "< "', '< '.repeat(800_000)],
    ['100,000 nested <div>', '<div>'.repeat(100_000) + 'x' + '</div>'.repeat(100_000)],
    ['7 MB of ordinary paragraphs', '<p>Dear <b>John</b>, see <a href="https://example.com/offer">the offer</a>.</p>'.repeat(90_000)],
  ];
  for (const [name, html] of cases) {
    const t0 = process.hrtime.bigint();
    htmlToText(html);
    console.log(`html → text: ${name} in ${Math.round(Number(process.hrtime.bigint() - t0) / 1e6)} ms`);
  }
}

/** Issue 6 §4: six nested {{#each}} over the whole context must be stopped within a second. */
function benchHostileTemplate(): void {
  const ctx = buildTemplateContext({ lead: { id: 1, name: 'L', price: 1, responsible_user_id: 1, status_id: 1, pipeline_id: 1, created_at: 1_700_000_000, updated_at: 1_700_000_000, custom_fields_values: [], tags: [{ id: 1, name: 'VIP' }], contacts: [], companies: [] }, contact: { id: 2, name: 'John Smith', first_name: 'John', last_name: 'Smith', responsible_user_id: 1, custom_fields_values: [], companies: [], leads: [] }, company: { id: 3, name: 'Globex', responsible_user_id: 1, custom_fields_values: [], contacts: [] }, responsible: { id: 1, name: 'Mary', email: 'mary@acme.example' }, sender: { id: 1, name: 'Mary', email: 'mary@acme.example' }, fieldDefs: {}, now: new Date() });
  const html = '{{#each @root}}'.repeat(6) + '{{@key}}' + '{{/each}}'.repeat(6);
  const t0 = process.hrtime.bigint();
  let outcome = 'rendered';
  try {
    renderTemplate({ subject: 's', html }, ctx);
  } catch (err) {
    outcome = (err as { code?: string }).code ?? (err as Error).message;
  }
  console.log(`hostile template: six nested {{#each @root}} → ${outcome} after ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(0)} ms`);
}

async function benchQueue(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadmail-bench-'));
  fs.chmodSync(dir, 0o755);
  const pg = await startEmbeddedPostgres({ dataDir: dir, port: 20000 + Math.floor(Math.random() * 20000) });
  const kommo = await startKommoSimulator();
  const { pipeline } = kommo.sim.addAccount({ subdomain: 'bench', id: 1 });
  const contact = kommo.sim.addContact('bench', { name: 'John', email: 'john@client.example' });
  const lead = kommo.sim.addLead('bench', { name: 'Lead', pipeline_id: pipeline!.id, contacts: [{ id: contact.id, is_main: true }] });
  const received: number[] = [];
  const smtp = await startBenchSink(() => received.push(Date.now()));
  const smtpPort = smtp.port;
  const secret = 'bench-secret';
  const config = loadConfig({ PORT: '0', DATABASE_URL: pg.url, ENCRYPTION_KEY: 'b'.repeat(64), KOMMO_CLIENT_SECRET: secret, KOMMO_REDIRECT_URI: 'http://localhost/cb', KOMMO_API_URL: `${kommo.url}/{subdomain}`, LOG_LEVEL: 'silent', QUEUE_POLL_MS: '200', MAILBOX_PRIVATE_HOSTS: '127.0.0.1', RATE_LIMIT_TRACKING_PER_ADDRESS: '100000000', ...(process.env.SMTP_UNPACED_PARALLEL ? { SMTP_UNPACED_PARALLEL: process.env.SMTP_UNPACED_PARALLEL } : {}) });
  // As main.ts does for `npm start`: the product's drain below runs with the heap setting it has in production.
  setHeapGrowingPercent(config.heapGrowingPercent);
  const server = await startServer(config, createLogger('silent'));
  const db = server.services.db;
  await db.query("INSERT INTO accounts (id, subdomain) VALUES (1, 'bench')");
  await server.services.tokens.store(1, 'long_lived', { accessToken: kommo.sim.addAccessToken('bench'), refreshToken: null, expiresAt: null });
  const token = jwt.sign({ account_id: 1, subdomain: 'bench', user_id: 1, is_admin: true }, secret, { algorithm: 'HS256', audience: 'http://localhost', expiresIn: '1h' });
  const call = (p: string, body: unknown) =>
    fetch(`${server.url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-auth-token': token }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<{ id: string }>);
  const mailbox = await call('/api/mailboxes', { displayName: 'Bench', fromAddress: 'bench@acme.example', smtp: { host: '127.0.0.1', port: smtpPort, security: 'none', auth: false }, pacing: { messages: 10_000, seconds: 1 }, dailyCap: null });

  if (wanted('queue')) await benchSingleAndBulk();
  async function benchSingleAndBulk(): Promise<void> {
    // 3. single-mail latency on an idle mailbox (API call → SMTP server), 10 samples.
    const latencies: number[] = [];
    for (let i = 0; i < 10; i++) {
      const before = received.length;
      const t = Date.now();
      await call('/api/emails', { entityType: 'leads', entityId: lead.id, mailboxId: mailbox.id, to: ['x@client.example'], subject: 'Hi', html: '<p>hi</p>' });
      while (received.length === before) await new Promise((r) => setTimeout(r, 2));
      latencies.push(received[received.length - 1]! - t);
  }
  latencies.sort((a, b) => a - b);
  console.log(`single mail, idle mailbox: API call → SMTP server p50 ${latencies[5]} ms, max ${latencies[9]} ms`);

  // 2. throughput: N queued emails (inserted the way the API persists them), one mailbox, no pacing.
  const n = 500;
  const row = (await db.query<MailboxRow>('SELECT * FROM mailboxes WHERE id = $1', [mailbox.id])).rows[0]!;
  const start = received.length;
  const rssBefore = process.memoryUsage().rss;
  const t0 = Date.now();
  const client = await db.connect();
  const jobs: { id: string; slot: Slot }[] = [];
  try {
    await client.query('BEGIN');
    for (let i = 0; i < n; i++) {
      const id = crypto.randomUUID();
      const slot = await reserveSlot(client, row);
      await client.query(
        `INSERT INTO emails (id, account_id, user_id, mailbox_id, entity_type, entity_id, status, message_id, to_addresses, subject, body_html, not_before)
         VALUES ($1, 1, 1, $2, 'leads', $3, 'queued', $4, '["r@client.example"]', 'Bulk', $5, $6)`,
        [id, mailbox.id, lead.id, `<${id}@bench>`, `<p>${'Personalised text. '.repeat(150)}</p>`, slot.at],
      );
      jobs.push({ id, slot });
    }
    await client.query('COMMIT');
  } finally {
    client.release();
  }
  await scheduleDrain(db, server.services.queue, mailbox.id, Math.min(...jobs.map((j) => j.slot.inMs)));
  let peakRss = 0;
  while (received.length - start < n) {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    await new Promise((r) => setTimeout(r, 20));
  }
  const secs = (Date.now() - t0) / 1000;
  console.log(`queue + SMTP: ${n} emails (3 KB each) from one unpaced mailbox in ${secs.toFixed(1)} s = ${(n / secs).toFixed(1)} emails/s; RSS ${mb(rssBefore)} → peak ${mb(peakRss)}`);

  }

  if (wanted('dp')) await benchDpHook();
  async function benchDpHook(): Promise<void> {
    // 4. digital-pipeline hook: Kommo wants a 2xx within 2 s; the work itself is queued.
    const tpl = await call('/api/templates', { name: 'DP', subject: 'Hi {{contact.name}}', html: '<p>hi</p>' });
    // The hook acts only on the signed token of a pipeline action (server/public/dp-hook.ts).
    const dpAction = (await call('/api/pipeline-actions', { name: 'DP', templateId: tpl.id })) as { id: string; token: string };
    const hookTimes: number[] = [];
    for (let i = 0; i < 20; i++) {
      // A lead per call: each one is a new event (repeats of one event collapse into one).
      const dpLead = kommo.sim.addLead('bench', { name: `DP lead ${i}`, pipeline_id: pipeline!.id });
      const t = Date.now();
      const res = await fetch(`${server.url}/hooks/kommo/dp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ event: { type: 15, data: { id: dpLead.id, element_type: 2, status_id: dpLead.status_id, pipeline_id: pipeline!.id }, time: 1_800_000_000 + i }, action: { settings: { widget: { settings: { action: dpAction.token } } } }, subdomain: 'bench', account_id: 1 }),
      });
      await res.text();
      hookTimes.push(Date.now() - t);
  }
  hookTimes.sort((a, b) => a - b);
  console.log(`digital pipeline hook: answer p50 ${hookTimes[10]} ms, max ${hookTimes[19]} ms (limit 2000 ms)`);
  }

  if (wanted('mailings')) await benchMailings(server.url, token, kommo, pipeline!.id, mailbox.id);
  if (wanted('tracking')) await benchTracking(server);
  if (wanted('stats')) await benchStats(server, (claims) => jwt.sign(claims, secret, { algorithm: 'HS256', audience: 'http://localhost', expiresIn: '1h' }));
  if (wanted('drain')) await benchDrainVersusRawPool(server.services.db, server.services.queue, call, config.sending.unpacedParallel);

  // 5. crash recovery: child processes on the same database, the in-process one only watches.
  await server.services.queue.stop();
  if (wanted('crash')) await benchCrashRecovery({
    db,
    queue: server.services.queue,
    env: { DATABASE_URL: pg.url, ENCRYPTION_KEY: 'b'.repeat(64), KOMMO_CLIENT_SECRET: secret, KOMMO_REDIRECT_URI: 'http://localhost/cb', KOMMO_API_URL: `${kommo.url}/{subdomain}`, QUEUE_POLL_MS: '200', MAILBOX_PRIVATE_HOSTS: '127.0.0.1' },
    mailboxId: mailbox.id,
    leadId: lead.id,
    received,
  });

  await server.stop();
  await kommo.close();
  await smtp.close();
  await pg.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * 5. mailings: accepting a 100,000-id mailing (answer time), and resolving 10,000 leads against
 * the simulator at Kommo's 7 requests/s (accept → every recipient queued). Its mails are planned
 * a day ahead and cancelled after, so SMTP does not enter the figure.
 */
async function benchMailings(url: string, token: string, kommo: Awaited<ReturnType<typeof startKommoSimulator>>, pipelineId: number, mailboxId: string): Promise<void> {
  const post = (p: string, body: unknown) =>
    fetch(`${url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-auth-token': token }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<{ id: string }>);
  const get = (p: string) => fetch(`${url}${p}`, { headers: { 'x-auth-token': token } }).then((r) => r.json() as Promise<{ status: string; resolved: number; counts: Record<string, number> }>);
  const content = { mailboxId, subject: 'Offer for {{contact.first_name}}', html: '<p>Hello {{contact.name}}, about {{lead.name}}.</p>' };

  const big = Array.from({ length: 100_000 }, (_, i) => 10_000_000 + i);
  let t = Date.now();
  const accepted = await post('/api/mailings', { entityType: 'leads', ids: big, ...content });
  console.log(`mailing: accepting 100,000 ids answered in ${Date.now() - t} ms`);
  await post(`/api/mailings/${accepted.id}/cancel`, {});

  const ids: number[] = [];
  for (let i = 0; i < 10_000; i++) {
    const c = kommo.sim.addContact('bench', { name: `Person ${i}`, first_name: `P${i}`, email: `p${i}@client.example` });
    ids.push(kommo.sim.addLead('bench', { name: `Deal ${i}`, pipeline_id: pipelineId, contacts: [{ id: c.id, is_main: true }] }).id);
  }
  // Jobs of the sections before (the digital-pipeline hooks) may still be reading Kommo: they
  // would share the account's 7 requests/s and blur this figure, so it starts once they are done.
  for (let seen = -1; seen !== kommo.sim.requestsFor('bench').length; ) {
    seen = kommo.sim.requestsFor('bench').length;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const requestsBefore = kommo.sim.requestsFor('bench').length;
  t = Date.now();
  const m = await post('/api/mailings', { entityType: 'leads', ids, ...content, startAt: new Date(Date.now() + 86_400_000).toISOString() });
  let view = await get(`/api/mailings/${m.id}`);
  while (view.status === 'resolving') {
    await new Promise((r) => setTimeout(r, 100));
    view = await get(`/api/mailings/${m.id}`);
  }
  const secs = (Date.now() - t) / 1000;
  const made = kommo.sim.requestsFor('bench').slice(requestsBefore);
  // Where the requests went: per path (and answers other than 2xx), to see any waste.
  const byKind = new Map<string, number>();
  for (const r of made) {
    const kind = `${r.path.replace(/\/\d+/g, '/:id')}${r.status && r.status >= 300 ? ` ${r.status}` : ''}`;
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
  }
  // Its own list reads (single-entity reads are other sections' leftovers sharing the budget).
  const lists = made.filter((r) => !/\/\d+$/.test(r.path));
  const at = (a: { time: number } | number | undefined, from: number | undefined) =>
    a === undefined || from === undefined ? '-' : (((typeof a === 'number' ? a : a.time) - from) / 1000).toFixed(1);
  console.log(
    `mailing: resolving 10,000 leads (batched Kommo reads, render, queue) took ${secs.toFixed(1)} s, ${made.length} Kommo requests ` +
      `(${[...byKind].map(([k, n]) => `${k} ×${n}`).join(', ')}), ${view.counts.queued} mails queued; ` +
      `its first page read after ${at(lists[0], t)} s, the last ${at(lists.at(-1), t)} s, done ${at(t + secs * 1000, lists.at(-1)?.time)} s after it`,
  );
  await post(`/api/mailings/${m.id}/cancel`, {});
}

/**
 * 6. a 5,000-mail mailing from an unpaced mailbox through the product's queue (enqueueBatch →
 * mailbox drain → SMTP), side by side with a raw nodemailer pool (5 connections) sending the same
 * rendered messages, into one SMTP sink. Three rounds (raw, then product, each time; the machine
 * is shared, so only a side-by-side ratio means anything) and their median; the SQL statements
 * per mail the queue cost (every pg client query of this process counted while the queue
 * drained: heartbeat and scheduler polls included); then one more, profiled round of the product
 * alone for where the time per mail goes.
 */
async function benchDrainVersusRawPool(db: Db, queue: JobQueue, call: (p: string, body: unknown) => Promise<{ id: string }>, inFlight: number): Promise<void> {
  const n = Number(process.env.BENCH_DRAIN_MAILS ?? 5_000);
  let received = 0;
  const sink = await startBenchSink(() => received++);
  const port = sink.port;
  const html = (i: number) => `<p>Hello Person ${i}, about Deal ${i}. ${'Personalised text. '.repeat(150)}</p>`;
  const until = async (count: number) => {
    while (received < count) await new Promise((r) => setTimeout(r, 2));
  };

  // Raw pool: what the SMTP path alone can do on this machine.
  const rawRound = async (): Promise<number> => {
    received = 0;
    const raw = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: 5, maxMessages: 100 });
    const t = Date.now();
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        raw.sendMail({ from: 'bench@acme.example', to: `p${i}@client.example`, subject: `Offer for P${i}`, html: html(i), text: htmlToText(html(i)), messageId: `<raw-${i}@bench>` }),
      ),
    );
    raw.close();
    return n / ((Date.now() - t) / 1000);
  };

  // The product: one mailing's batches of 500 handed to delivery, drained by the mailbox's drain.
  const productRound = async (): Promise<{ rate: number; statements: number; enqueueMs: number }> => {
    const mailbox = await call('/api/mailboxes', { displayName: 'Drain bench', fromAddress: 'bench@acme.example', smtp: { host: '127.0.0.1', port, security: 'none', auth: false }, pacing: { messages: 10_000, seconds: 1 }, dailyCap: null });
    received = 0;
    let statements = 0;
    let counted: number;
    const pgQuery = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      statements++;
      return (pgQuery as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof pgQuery;
    const t = Date.now();
    let enqueueMs = 0;
    try {
      for (let b = 0; b < n; b += 500) {
        const mails = Array.from({ length: Math.min(500, n - b) }, (_, k) => {
          const i = b + k;
          return { id: crypto.randomUUID(), entityType: 'leads' as const, entityId: 1, to: [`p${i}@client.example`], contactIds: [], subject: `Offer for P${i}`, html: html(i) };
        });
        const e0 = Date.now();
        await enqueueBatch(db, queue, 'bench.example', { accountId: 1, userId: 1, mailboxId: mailbox.id, templateId: null, linkAttachments: [], attachmentIds: [], points: { sent: [], opened: [], notOpened: null, failed: [] }, mails });
        enqueueMs += Date.now() - e0;
      }
      await until(n);
      counted = statements;
      // Delivered is not done: the last outcomes are still being recorded.
      while ((await db.query<{ n: number }>("SELECT count(*)::int AS n FROM emails WHERE mailbox_id = $1 AND status = 'sent'", [mailbox.id])).rows[0]!.n < n) {
        await new Promise((r) => setTimeout(r, 2));
      }
    } finally {
      pg.Client.prototype.query = pgQuery;
    }
    return { rate: n / ((Date.now() - t) / 1000), statements: counted / n, enqueueMs };
  };

  const ratios: number[] = [];
  for (let round = 1; round <= 3; round++) {
    const rawRate = await rawRound();
    const p = await productRound();
    ratios.push(p.rate / rawRate);
    console.log(
      `drain round ${round}: mailing of ${n} from an unpaced mailbox into one local smtp-server: raw nodemailer pool ${rawRate.toFixed(0)} msg/s, ` +
        `the product ${p.rate.toFixed(0)} msg/s with ${inFlight} in flight (SMTP_UNPACED_PARALLEL) (${(p.rate / rawRate).toFixed(2)} ×; enqueue ${p.enqueueMs} ms of it), ` +
        `${p.statements.toFixed(2)} SQL statements per mail`,
    );
  }
  ratios.sort((a, b) => a - b);
  console.log(`drain: median product / raw pool ${ratios[1]!.toFixed(2)} × (target ≥ 0.9)`);

  if (process.env.BENCH_DRAIN_PROFILE === '0') return;
  // Where the time per mail goes: a CPU profile of this process during one more product round.
  const session = new inspector.Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  const t0 = Date.now();
  const profiled = await productRound();
  const wallMs = Date.now() - t0;
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  const profileFile = path.join(os.tmpdir(), `leadmail-drain-${process.pid}.cpuprofile`);
  fs.writeFileSync(profileFile, JSON.stringify(profile));
  const split = cpuBreakdown(profile);
  const perMail = (ms: number) => `${((ms * 1000) / n).toFixed(0)} µs`;
  console.log(
    `drain profile (one more product round, ${profiled.rate.toFixed(0)} msg/s under the profiler; ${perMail(wallMs)} wall per mail, ` +
      `this process's main thread per mail; PostgreSQL runs in its own process; profile in ${profileFile}):\n` +
      split.map(([k, ms]) => `  ${k.padEnd(46)} ${perMail(ms).padStart(7)}  ${((ms / wallMs) * 100).toFixed(0).padStart(3)} %`).join('\n'),
  );
  // Not awaited: the product's pooled connections stay open until the server stops.
  await sink.close();
}

/** CPU time by what it was spent on: each sample goes to the nearest frame that names a category. */
function cpuBreakdown(profile: inspector.Profiler.Profile): [string, number][] {
  const categories: [RegExp, string][] = [
    [/html-to-text|htmlparser2|domhandler|selderee|parseley|leac|peberminta|deepmerge|dom-serializer|entities/, 'html → text'],
    [/nodemailer\/(lib|dist\/(cjs|esm))\/(mail-composer|mime-node|mime-funcs|qp|base64|libmime|punycode|addressparser|fetch|mime-types)/, 'MIME build (nodemailer composer)'],
    [/nodemailer\/(lib|dist\/(cjs|esm))\/(smtp-connection|smtp-pool|smtp-transport|mailer|shared|stream-transfer|nodemailer\.js)/, 'SMTP client (nodemailer)'],
    [/smtp-server|ipv6-normalize|base32/, 'SMTP sink (bench, same process)'],
    [/node_modules\/(pg|pg-protocol|pg-pool|pg-types|postgres-|pgpass|buffer-writer|packet-reader)\//, 'PostgreSQL client (pg: queries, rows)'],
    [/node_modules\/(agenda|@hokify|mongodb|cron|human-interval|date\.js)/, 'scheduler (Agenda)'],
    [/node_modules\/(pino|sonic-boom|thread-stream|fast-redact|quick-format)/, 'logging'],
    [/node_modules\/express|node_modules\/router|body-parser|bench\/run/, 'bench driver + HTTP'],
    [/modules\/emails\/(send-email\.job|send-outcome|pacing|outcome-batch)/, 'drain code (claim, record)'],
    [/modules\/emails\/(bulk-enqueue|email-queue)|modules\/mailings/, 'enqueue (mailing batches)'],
    [/modules\/tracking/, 'pixel + honeypot'],
    [/infra\/smtp/, 'transport adapter (compose, envelope)'],
    [/infra\/db|infra\/queue/, 'db + queue adapters'],
    [/dist\/server/, 'other product code'],
  ];
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const categoryOf = new Map<number, string>();
  const resolve = (id: number): string => {
    const known = categoryOf.get(id);
    if (known) return known;
    const node = byId.get(id)!;
    const fn = node.callFrame.functionName;
    let cat: string | undefined;
    if (fn === '(idle)') cat = 'idle (waiting: PostgreSQL, sockets, timers)';
    else if (fn === '(garbage collector)') cat = 'garbage collection';
    else if (fn === '(program)') cat = 'V8/native (program)';
    else cat = categories.find(([re]) => re.test(node.callFrame.url))?.[1];
    if (!cat) {
      const up = parent.get(id);
      cat = up === undefined ? 'node internals (sockets, streams, timers)' : resolve(up);
      if (cat === 'idle (waiting: PostgreSQL, sockets, timers)' || cat === 'V8/native (program)' || cat === 'garbage collection') cat = 'node internals (sockets, streams, timers)';
    }
    categoryOf.set(id, cat);
    return cat;
  };
  const totals = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const cat = resolve(samples[i]!);
    totals.set(cat, (totals.get(cat) ?? 0) + (deltas[i] ?? 0) / 1000);
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}

if (wanted('render')) benchRender();
if (wanted('html-to-text')) benchHtmlToText();
if (wanted('hostile-template')) benchHostileTemplate();
if (['queue', 'dp', 'mailings', 'tracking', 'stats', 'drain', 'crash'].some(wanted)) await benchQueue();
if (wanted('scale')) await benchMailingScale();
if (wanted('widget')) await benchWidget();
if (wanted('history')) await benchHistory();
if (wanted('history') || wanted('mailing-detail')) await benchMailingDetail();
