/**
 * What the latency sections (history, mailing detail) start: an embedded PostgreSQL of their own,
 * the Kommo simulator with one account, an SMTP sink, the product's server on that database with
 * the account installed, a raw `pg` client for the SQL beside it, and widget tokens.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import { startBenchSink, type BenchSink } from './sink.js';
import { loadConfig } from '../server/infra/config/config.js';
import { createLogger } from '../server/infra/log/logger.js';
import { startEmbeddedPostgres } from '../server/infra/db/embedded-postgres.js';
import { startServer, type RunningServer } from '../server/app/server.js';
import { startKommoSimulator, type RunningKommoSimulator } from '../server/sandbox/kommo-sim/index.js';

export const BENCH_ACCOUNT = 9;

export interface BenchServer {
  server: RunningServer;
  kommo: RunningKommoSimulator;
  smtp: BenchSink;
  raw: pg.Client;
  adminUserId: number;
  /** The widget tokens' secret and audience (the widget host signs with them too). */
  secret: string;
  audience: string;
  /** A widget token for a user of the account. */
  tokenOf(userId: number, isAdmin: boolean): string;
  stop(): Promise<void>;
}

export async function startBenchServer(name: string, sub: string, env: Record<string, string> = {}): Promise<BenchServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `leadmail-bench-${name}-`));
  fs.chmodSync(dir, 0o755);
  const db = await startEmbeddedPostgres({ dataDir: dir, port: 20000 + Math.floor(Math.random() * 20000) });
  const kommo = await startKommoSimulator();
  const { adminUserId } = kommo.sim.addAccount({ subdomain: sub, id: BENCH_ACCOUNT });
  const smtp = await startBenchSink(() => {});
  const secret = `bench-${name}-secret`;
  const audience = 'http://localhost';
  const config = loadConfig({ PORT: '0', DATABASE_URL: db.url, ENCRYPTION_KEY: 'd'.repeat(64), KOMMO_CLIENT_SECRET: secret, KOMMO_REDIRECT_URI: `${audience}/cb`, KOMMO_API_URL: `${kommo.url}/{subdomain}`, LOG_LEVEL: 'silent', QUEUE_POLL_MS: '200', MAILBOX_PRIVATE_HOSTS: '127.0.0.1', ...env });
  const server = await startServer(config, createLogger('silent'));
  const raw = new pg.Client({ connectionString: db.url });
  await raw.connect();
  await server.services.db.query('INSERT INTO accounts (id, subdomain) VALUES ($1, $2)', [BENCH_ACCOUNT, sub]);
  await server.services.tokens.store(BENCH_ACCOUNT, 'long_lived', { accessToken: kommo.sim.addAccessToken(sub), refreshToken: null, expiresAt: null });
  return {
    server,
    kommo,
    smtp,
    raw,
    adminUserId: adminUserId!,
    secret,
    audience,
    tokenOf: (userId, isAdmin) => jwt.sign({ account_id: BENCH_ACCOUNT, subdomain: sub, user_id: userId, is_admin: isAdmin }, secret, { algorithm: 'HS256', audience, expiresIn: '1h' }),
    async stop() {
      await raw.end();
      await server.stop();
      await kommo.close();
      await smtp.close();
      await db.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
