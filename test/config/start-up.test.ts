/**
 * The real product process (`node dist/server/main.js`, as `npm start` runs it) with its embedded
 * PostgreSQL: a taken port, a killed database, a database that cannot come back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { eventually } from '../support/eventually.js';
import { buildDist, ROOT } from '../support/build-dist.js';
import { TEST_CLIENT_SECRET, TEST_REDIRECT_URI, widgetToken } from '../support/widget-token.js';


interface Product {
  child: ChildProcess;
  port: number;
  dataDir: string;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });

const dirs: string[] = [];
const running: Product[] = [];

async function startProduct(env: Record<string, string>): Promise<Product> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadmail-start-'));
  fs.chmodSync(dataDir, 0o755);
  dirs.push(dataDir);
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/server/main.js'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(await freePort()),
      KOMMO_CLIENT_SECRET: TEST_CLIENT_SECRET,
      KOMMO_REDIRECT_URI: TEST_REDIRECT_URI,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const product = { child, port, dataDir, output: () => out, exited };
  running.push(product);
  return product;
}

const health = (p: Product): Promise<number> =>
  fetch(`http://127.0.0.1:${p.port}/health`).then((r) => r.status, () => 0);

const apiStatus = (p: Product): Promise<number> =>
  fetch(`http://127.0.0.1:${p.port}/api/templates`, { headers: { 'x-auth-token': widgetToken({ accountId: 77, subdomain: 'startup', userId: 1 }) } }).then((r) => r.status);

const postmasterPid = (p: Product): number => Number(fs.readFileSync(path.join(p.dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);

beforeAll(buildDist, 180_000);

afterAll(async () => {
  for (const p of running) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
    await p.exited;
  }
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
}, 60_000);

describe('the product process and its embedded PostgreSQL', () => {
  it('exits non-zero naming EMBEDDED_PG_PORT when the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      const p = await startProduct({ EMBEDDED_PG_PORT: String(taken) });
      const { code } = await p.exited;
      expect(code).not.toBe(0);
      expect(p.output()).toContain(`port ${taken} is already in use`);
      expect(p.output()).toContain('Set EMBEDDED_PG_PORT to a free port');
      expect(p.output()).not.toMatch(/Cannot read properties of undefined/);
    } finally {
      blocker.close();
    }
  }, 60_000);

  it('starts a killed PostgreSQL again and serves the API once it is back', async () => {
    const p = await startProduct({});
    await eventually(async () => expect(await health(p)).toBe(200), { timeoutMs: 60_000 });
    const first = postmasterPid(p);
    process.kill(first, 'SIGKILL');
    await eventually(async () => {
      expect(await health(p)).toBe(200);
      expect(postmasterPid(p)).not.toBe(first);
    }, { timeoutMs: 30_000 });
    expect(await apiStatus(p)).not.toBe(503);
    expect(p.child.exitCode).toBeNull();
    expect(p.output()).toContain('embedded PostgreSQL restarted');
  }, 120_000);

  it('answers 503 while the database is down, and exits non-zero with the reason when it cannot come back', async () => {
    const p = await startProduct({});
    await eventually(async () => expect(await health(p)).toBe(200), { timeoutMs: 60_000 });
    // Without PG_VERSION postgres refuses to start on this directory: every restart fails.
    fs.renameSync(path.join(p.dataDir, 'pg', 'PG_VERSION'), path.join(p.dataDir, 'pg', 'PG_VERSION.moved'));
    process.kill(postmasterPid(p), 'SIGKILL');
    await eventually(async () => {
      const res = await fetch(`http://127.0.0.1:${p.port}/api/templates`, { headers: { 'x-auth-token': widgetToken({ accountId: 77, subdomain: 'startup', userId: 1 }) } });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('DB_UNAVAILABLE');
    }, { timeoutMs: 10_000 });
    expect(await health(p)).toBe(503);
    const { code } = await p.exited;
    expect(code).not.toBe(0);
    expect(p.output()).toMatch(/leadmail stops: embedded PostgreSQL died \(postgres exited \(signal SIGKILL\)\) and could not be started again after \d+ attempts/);
  }, 120_000);
});
