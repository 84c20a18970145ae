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
  return pool;
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
