import net from 'node:net';
import pg from 'pg';

describe('test servers', () => {
  it('PostgreSQL answers', async () => {
    const c = new pg.Client({ connectionString: process.env.TEST_PG_URL + '/postgres' });
    await c.connect();
    const r = await c.query('select 1 as one');
    await c.end();
    expect(r.rows[0].one).toBe(1);
  });
  it('Dovecot greets', async () => {
    const greeting = await new Promise<string>((resolve, reject) => {
      const s = net.connect(Number(process.env.TEST_IMAP_PORT), '127.0.0.1');
      s.once('data', (d) => { s.end(); resolve(d.toString()); });
      s.on('error', reject);
    });
    expect(greeting).toMatch(/^\* OK/);
  });
});
