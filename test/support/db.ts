/** Each test file gets its own database inside the run's embedded PostgreSQL (global-setup.js). */
import crypto from 'node:crypto';
import pg from 'pg';

export async function createTestDatabase(): Promise<string> {
  const base = process.env.TEST_PG_URL;
  if (!base) throw new Error('TEST_PG_URL is not set: run the tests with `npm test` (jest globalSetup starts PostgreSQL)');
  const name = `t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: `${base}/postgres` });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return `${base}/${name}`;
}
