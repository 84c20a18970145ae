/**
 * The PostgreSQL pool and a transaction helper. Repositories take a `Queryable` so the same
 * code runs inside or outside a transaction.
 */
import pg from 'pg';

export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;
export type Db = pg.Pool;

// BIGINT (int8) ids from Kommo fit in a JS number (< 2^53); parse them as numbers, not strings.
pg.types.setTypeParser(20, (v) => Number(v));
// …and arrays of them (int8[], e.g. emails.contact_ids); ids are never NULL inside.
pg.types.setTypeParser(1016 as Parameters<typeof pg.types.setTypeParser>[0], (v: string) => (v === '{}' ? [] : v.slice(1, -1).split(',').map(Number)));

export function createPool(connectionString: string, max = 10): Db {
  const pool = new pg.Pool({ connectionString, max });
  // An idle client that loses its server must not crash the process; the next query fails visibly.
  pool.on('error', () => {});
  // A client checked out and waiting between two statements (a transaction awaiting other work,
  // a job's held connection) is outside the pool's idle handler: losing the server would emit
  // 'error' with no listener and kill the process. Its next statement fails instead.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

/**
 * Errors that mean "the database is not there right now" rather than "this query is wrong": the
 * server refused or dropped the connection, or is shutting down / starting up. The error handler
 * answers them 503 DB_UNAVAILABLE (retry later) instead of a 500.
 */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);
const UNAVAILABLE_MESSAGES = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i;

export function isDbUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message, errors } = e as { code?: unknown; message?: unknown; errors?: unknown };
    if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)) return true;
    // Connecting to "localhost" tries every address and reports an AggregateError.
    if (Array.isArray(errors) && errors.some(isDbUnavailable)) return true;
  }
  return false;
}

export async function withTransaction<T>(db: Db, fn: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
