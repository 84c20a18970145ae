/**
 * A leadmail server as `npm start` runs it: no DATABASE_URL, so it starts its own embedded
 * PostgreSQL with data in `dataDir`. The process gets a process group of its own, so `killAll()`
 * is a power cut: SIGKILL to the server, its postmaster and every backend at once, leaving a
 * stale postmaster.pid and whatever the write-ahead log holds. Restarting on the same `dataDir`
 * is what a user does after a crash.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawnLeadmail, type ChildServer } from '../emails/child/child-server.js';
import { testEnv } from '../support/world.js';
import { eventually } from '../support/eventually.js';
import { processAlive } from '../../server/infra/db/orphaned-postmaster.js';

export { processAlive };

export interface EmbeddedServer extends ChildServer {
  /** SIGKILL to the whole process group (server and its PostgreSQL); resolves once all are gone. */
  killAll(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

/** The postmaster's pid, from the first line of its lock file (null if there is none). */
export function postmasterPid(dataDir: string): number | null {
  const file = path.join(dataDir, 'pg', 'postmaster.pid');
  if (!fs.existsSync(file)) return null;
  const pid = Number(fs.readFileSync(file, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

export async function startEmbeddedServer(p: { dataDir: string; pgPort: number; kommoUrl: string; env?: Record<string, string> }): Promise<EmbeddedServer> {
  const env = testEnv('', p.kommoUrl, {
    LOG_LEVEL: 'info',
    DATA_DIR: p.dataDir,
    EMBEDDED_PG_PORT: String(p.pgPort),
    // Production lengths: what frees a dead process's mail is its stale heartbeat, not a lock expiring.
    QUEUE_LOCK_LIFETIME_MS: '300000',
    ...p.env,
  });
  delete env.DATABASE_URL;
  const child = await spawnLeadmail(env, { detached: true });
  // Every run's log, kept beside its data for when the test fails.
  const log = fs.createWriteStream(path.join(p.dataDir, 'server.log'), { flags: 'a' });
  log.write(`--- server pid ${child.proc.pid} started ---\n${child.startupLog}`);
  child.proc.stdout!.on('data', (c: Buffer) => log.write(c));
  child.proc.once('exit', () => log.end());
  const postmaster = postmasterPid(p.dataDir);
  if (postmaster === null) throw new Error(`no postmaster.pid in ${p.dataDir} after the server started`);
  return {
    ...child,
    async killAll() {
      process.kill(-child.proc.pid!, 'SIGKILL');
      await child.kill();
      // Backends are in the same group; the postmaster must be gone before a restart can use the data.
      await eventually(() => expect(processAlive(postmaster)).toBe(false), { timeoutMs: 10_000, intervalMs: 20 });
    },
  };
}
