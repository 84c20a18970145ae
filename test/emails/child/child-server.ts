/**
 * A leadmail server in a child process (`server/main.ts`, the sources run through register.mjs),
 * on a test database: what a crash test needs to SIGKILL. Resolves once it answers /health.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { testEnv } from '../../support/world.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');

export interface ChildServer {
  url: string;
  proc: ChildProcess;
  /** What it printed on stdout until it was ready (later output flows on `proc.stdout`). */
  startupLog: string;
  /** SIGKILL: no drain, no cleanup, like a power cut of the process. Resolves once it is gone. */
  kill(): Promise<void>;
  /** SIGTERM: the graceful stop. */
  stop(): Promise<void>;
}

export async function startChildServer(databaseUrl: string, kommoUrl: string, env: Record<string, string> = {}, opts: { clockOffsetMs?: number } = {}): Promise<ChildServer> {
  return spawnLeadmail({
    ...testEnv(databaseUrl, kommoUrl, { LOG_LEVEL: 'info', ...env }),
    ...(opts.clockOffsetMs ? { FAKE_CLOCK_OFFSET_MS: String(opts.clockOffsetMs) } : {}),
  });
}

/**
 * `server/main.ts` in a child process with exactly this environment (and PATH). `detached`: in a
 * process group of its own, so it and everything it starts (an embedded PostgreSQL) can be
 * killed together.
 */
export async function spawnLeadmail(env: Record<string, string>, opts: { detached?: boolean } = {}): Promise<ChildServer> {
  const childEnv: Record<string, string> = { PATH: process.env.PATH ?? '', ...env };
  const proc = spawn(
    process.execPath,
    ['--import', path.join(here, 'fake-clock.mjs'), '--import', path.join(here, 'register.mjs'), path.join(root, 'server/main.ts')],
    { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: opts.detached ?? false },
  );
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  let stderr = '';
  proc.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  let buf = '';
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (c: Buffer): void => {
      buf += c.toString();
      const m = /"msg":"leadmail is running"/.test(buf) && /"port":(\d+)/.exec(buf);
      if (m) {
        proc.stdout!.off('data', onData);
        proc.stdout!.resume();
        resolve(Number(m[1]));
      }
    };
    proc.stdout!.on('data', onData);
    void exited.then(() => reject(new Error(`child server exited before it was ready:\n${stderr}\n${buf}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    proc,
    startupLog: buf,
    async kill() {
      proc.kill('SIGKILL');
      await exited;
    },
    async stop() {
      proc.kill('SIGTERM');
      await exited;
    },
  };
}
