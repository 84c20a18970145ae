/**
 * Issue 7 §2 at full scale (`BENCH_ONLY=scale npm run bench`): a 100,000-recipient mailing on a
 * server in a process of its own, started as `npm start` starts it (the built dist/server/main.js
 * on its own embedded PostgreSQL), so the server's memory is measured alone.
 *   - accepting it: the POST /api/mailings answer time (target < 1 s)
 *   - resolving: 100,000 leads with their contacts from the Kommo simulator at 7 requests/s
 *   - server RSS (VmRSS of the node process, sampled from /proc every 100 ms) while it resolves
 *     and drains, peak reported (target < 300 MB); PostgreSQL's processes are not included
 *   - the drain rate meanwhile, into a local smtp-server, from an unpaced mailbox
 * BENCH_SCALE_RECIPIENTS overrides the 100,000 (a quick run of the same path).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import jwt from 'jsonwebtoken';
import { startBenchSink } from './sink.js';
import { startKommoSimulator } from '../server/sandbox/kommo-sim/index.js';

const mainJs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../server/main.js');
const SECRET = 'bench-scale-secret';
const REDIRECT = 'http://localhost/oauth/kommo/callback';
const SUB = 'scale';
const ACCOUNT = 7;

const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

/** Resident set of one process in kB (VmRSS), or null once it is gone. */
function rssKb(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export async function benchMailingScale(): Promise<void> {
  const n = Number(process.env.BENCH_SCALE_RECIPIENTS ?? 100_000);
  const kommo = await startKommoSimulator();
  const { adminUserId, pipeline } = kommo.sim.addAccount({ subdomain: SUB, id: ACCOUNT });
  const seed0 = Date.now();
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = kommo.sim.addContact(SUB, { name: `Person ${i}`, first_name: `P${i}`, email: `p${i}@client.example` });
    ids.push(kommo.sim.addLead(SUB, { name: `Deal ${i}`, responsible_user_id: adminUserId!, pipeline_id: pipeline!.id, contacts: [{ id: c.id, is_main: true }] }).id);
  }
  const seedMs = Date.now() - seed0;

  let received = 0;
  let firstAt = 0;
  let lastAt = 0;
  const sink = await startBenchSink(() => {
    received++;
    lastAt = Date.now();
    firstAt ||= lastAt;
  });
  const smtpPort = sink.port;

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadmail-scale-'));
  fs.chmodSync(dataDir, 0o755);
  const port = await freePort();
  const env = {
    PATH: process.env.PATH ?? '',
    PORT: String(port),
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(await freePort()),
    ENCRYPTION_KEY: 'c'.repeat(64),
    KOMMO_CLIENT_ID: 'bench',
    KOMMO_CLIENT_SECRET: SECRET,
    KOMMO_REDIRECT_URI: REDIRECT,
    KOMMO_API_URL: `${kommo.url}/{subdomain}`,
    MAILBOX_PRIVATE_HOSTS: '127.0.0.1',
    LOG_LEVEL: 'warn',
  };
  const proc = spawn(process.execPath, [mainJs], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (proc.exitCode !== null) throw new Error('bench: the scale server exited during start-up');
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (ok) break;
    await sleep(100);
  }
  const token = jwt.sign({ account_id: ACCOUNT, subdomain: SUB, user_id: adminUserId, is_admin: true }, SECRET, { algorithm: 'HS256', audience: new URL(REDIRECT).origin, expiresIn: '2h' });
  const call = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(`${url}${p}`, { method, headers: { 'content-type': 'application/json', 'x-auth-token': token }, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`bench: ${method} ${p} answered ${res.status}: ${JSON.stringify(json)}`);
    return json;
  };
  await call('PUT', '/api/kommo/token', { accessToken: kommo.sim.addAccessToken(SUB, { ttlSec: 86_400 }) });
  const mailbox = await call('POST', '/api/mailboxes', { displayName: 'Scale', fromAddress: 'bench@acme.example', smtp: { host: '127.0.0.1', port: smtpPort, security: 'none', auth: false }, pacing: { messages: 10_000, seconds: 1 }, dailyCap: null });
  const rssIdle = rssKb(proc.pid!)!;

  let peak = rssIdle;
  let peakDuring = '';
  let phase = 'accept';
  const sampler = setInterval(() => {
    const kb = rssKb(proc.pid!);
    if (kb !== null && kb > peak) {
      peak = kb;
      peakDuring = phase;
    }
  }, 100);

  const body = { entityType: 'leads', ids, mailboxId: mailbox.id, subject: 'Offer for {{contact.first_name}}', html: `<p>Hello {{contact.name}}, about {{lead.name}}. ${'Personalised text. '.repeat(150)}</p>` };
  // Two mailings accepted and cancelled at once (answer time only), then the one that is sent.
  const acceptMs: number[] = [];
  for (let i = 0; i < 2; i++) {
    const t = Date.now();
    const m = await call('POST', '/api/mailings', body);
    acceptMs.push(Date.now() - t);
    await call('POST', `/api/mailings/${m.id}/cancel`, {});
  }
  const t0 = Date.now();
  const mailing = await call('POST', '/api/mailings', body);
  acceptMs.push(Date.now() - t0);
  phase = 'resolve';
  let resolvedAt = 0;
  let sentAtResolved = 0;
  // Read as a widget watching the mailing would (every 2 s): each read aggregates the whole
  // mailing, so polling faster would load the database and the figures with the bench's own reads.
  const viewMs: number[] = [];
  let lastView = 0;
  while (received < n) {
    if (!resolvedAt && Date.now() - lastView >= 2000) {
      lastView = Date.now();
      const view = await call('GET', `/api/mailings/${mailing.id}`);
      viewMs.push(Date.now() - lastView);
      if (view.status !== 'resolving') {
        resolvedAt = Date.now();
        sentAtResolved = received;
        phase = 'drain';
      }
    }
    if (proc.exitCode !== null) throw new Error('bench: the scale server exited during the mailing');
    await sleep(50);
  }
  const v0 = Date.now();
  const view = await call('GET', `/api/mailings/${mailing.id}`);
  const finalViewMs = Date.now() - v0;
  clearInterval(sampler);
  const rssEnd = rssKb(proc.pid!)!;

  const secs = (a: number, b: number) => ((b - a) / 1000).toFixed(1);
  const drainRate = n / ((lastAt - firstAt) / 1000);
  const tailRate = lastAt > resolvedAt ? (n - sentAtResolved) / ((lastAt - resolvedAt) / 1000) : NaN;
  console.log(`mailing at scale (${n.toLocaleString('en')} leads with contacts, simulator seeded in ${(seedMs / 1000).toFixed(1)} s; server in its own process on its embedded PostgreSQL):`);
  console.log(`  accepting ${n.toLocaleString('en')} ids: POST /api/mailings answered in ${acceptMs.join(', ')} ms (three mailings; target < 1000 ms)`);
  console.log(`  resolving: ${secs(t0, resolvedAt)} s for ${n.toLocaleString('en')} leads and their contacts at 7 Kommo requests/s (${received === n ? sentAtResolved : '?'} mails already delivered by then)`);
  console.log(
    `  drain: ${n.toLocaleString('en')} mails in ${secs(firstAt, lastAt)} s from the first to the last = ${drainRate.toFixed(0)} msg/s overall, ` +
      `${tailRate.toFixed(0)} msg/s once resolving had finished; accept → last mail ${secs(t0, lastAt)} s; mailing ${view.status}`,
  );
  viewMs.sort((a, b) => a - b);
  console.log(`  GET /api/mailings/:id (counts over the whole mailing): ${viewMs[Math.floor(viewMs.length / 2)]} ms median, ${viewMs.at(-1)} ms max while resolving; ${finalViewMs} ms at the end`);
  console.log(`  server RSS: idle ${mb(rssIdle)}, peak ${mb(peak)} (during ${peakDuring}; target < 300 MB), at the end ${mb(rssEnd)}`);

  proc.kill('SIGTERM');
  await exited;
  await sink.close();
  await kommo.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
