/** Starting and stopping one server process; used by main.ts, the sandbox and the tests. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from '../infra/config/config.js';
import { loadOrCreateDevKey, SecretBox } from '../infra/crypto/secret-box.js';
import { createPool } from '../infra/db/db.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../infra/db/embedded-postgres.js';
import { migrate } from '../infra/db/migrate.js';
import type { Logger } from '../infra/log/logger.js';
import { createApp } from './app.js';
import { buildServices, type Services } from './container.js';
import { withTrackingFastPath } from '../modules/tracking/tracking-fast-path.js';

export interface RunningServer {
  port: number;
  url: string;
  services: Services;
  databaseKind: 'embedded' | 'external';
  stop(): Promise<void>;
}

export interface StartOptions {
  /** The embedded PostgreSQL died and could not be restarted (main.ts exits non-zero). */
  onFatal?: (err: Error) => void;
}

export async function startServer(config: AppConfig, log: Logger, options: StartOptions = {}): Promise<RunningServer> {
  let embedded: EmbeddedDatabase | null = null;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({
      dataDir: config.dataDir,
      port: config.embeddedPgPort,
      onEvent: (e) => (e.kind === 'orphan-stopped' ? log.warn(e, e.detail) : e.kind === 'restarted' ? log.warn(e, 'embedded PostgreSQL restarted') : log.error(e, 'embedded PostgreSQL is down')),
      onFatal: options.onFatal ?? ((err) => log.fatal({ err }, 'embedded PostgreSQL could not be restarted')),
    });
    databaseUrl = embedded.url;
  }
  const db = createPool(databaseUrl);
  try {
    await db.query('SELECT 1');
  } catch (err) {
    await embedded?.stop();
    throw new Error(`cannot reach PostgreSQL at ${redactUrl(databaseUrl)}: ${(err as Error).message}`, { cause: err });
  }
  await migrate(db);
  const key = config.encryptionKey ?? loadOrCreateDevKey(config.dataDir);
  const services = await buildServices({ config, db, log, box: new SecretBox(key) });
  // Nobody else can use an embedded database: what is leased in it belongs to our own dead runs.
  if (embedded) await services.queue.retirePredecessors();
  await services.queue.start();
  const { app } = createApp(services);
  const server = http.createServer(withTrackingFastPath(app, { tracking: services.tracking, limitPerAddress: config.publicRateLimits.trackingPerAddress, log }));
  await new Promise<void>((resolve) => server.listen(config.port, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    services,
    databaseKind: embedded ? 'embedded' : 'external',
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      // Hits still in a group commit are written before the pool closes.
      await services.tracking.stop();
      await services.queue.stop();
      services.transports.closeAll();
      await db.end();
      await embedded?.stop();
    },
  };
}

const redactUrl = (u: string): string => u.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
