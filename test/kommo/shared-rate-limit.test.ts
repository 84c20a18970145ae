import { createPool, type Db } from '../../server/infra/db/db.js';
import { migrate } from '../../server/infra/db/migrate.js';
import { KommoCrmClient } from '../../server/infra/crm/kommo.client.js';
import { PgRateLimiter } from '../../server/infra/crm/pg-rate-limiter.js';
import { KOMMO_RATE_LIMIT } from '../../server/infra/crm/rate-limiter.js';
import { peakRequestsInWindow, startKommoSimulator, type RunningKommoSimulator } from '../../server/sandbox/kommo-sim/index.js';
import { createTestDatabase } from '../support/db.js';

let kommo: RunningKommoSimulator;
let pools: Db[];
beforeAll(async () => {
  kommo = await startKommoSimulator();
  kommo.sim.addAccount({ subdomain: 'acme', id: 1001 });
  const url = await createTestDatabase();
  // Two pools stand for two server processes sharing one database.
  pools = [createPool(url), createPool(url)];
  await migrate(pools[0]!);
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await kommo.close();
});

describe('Kommo rate limit shared through PostgreSQL', () => {
  it('two processes together stay within 7 requests per second for one account, none dropped', async () => {
    const token = kommo.sim.addAccessToken('acme');
    const clients = pools.map(
      (db) =>
        new KommoCrmClient({
          baseUrl: `${kommo.url}/acme`,
          accountId: 1001,
          getAccessToken: async () => token,
          rateLimiter: new PgRateLimiter(db, KOMMO_RATE_LIMIT),
          retry: { maxAttempts: 1 },
        }),
    );
    kommo.sim.clearRequests();
    const calls = clients.flatMap((c) => Array.from({ length: 10 }, () => c.listUsers()));
    const results = await Promise.all(calls);
    expect(results).toHaveLength(20);
    const log = kommo.sim.requestsFor('acme', { path: '/api/v4/users' });
    expect(log).toHaveLength(20);
    expect(log.every((r) => r.status === 200)).toBe(true);
    expect(peakRequestsInWindow(log, 1000)).toBeLessThanOrEqual(7);
  });
});
