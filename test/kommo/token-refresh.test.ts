/**
 * Token refresh without locks: a refresh holds no row lock and no pool connection while Kommo
 * answers, takes a slot of the account's rate limit, happens once for concurrent callers and
 * for a 401 only while the refused token is still current; a refresh Kommo refuses for good
 * marks the account disconnected.
 */
import { createPool, type Db } from '../../server/infra/db/db.js';
import { migrate } from '../../server/infra/db/migrate.js';
import { loadConfig } from '../../server/infra/config/config.js';
import { SecretBox } from '../../server/infra/crypto/secret-box.js';
import { PgRateLimiter } from '../../server/infra/crm/pg-rate-limiter.js';
import { KOMMO_RATE_LIMIT, kommoLimitKey } from '../../server/infra/crm/rate-limiter.js';
import { KommoTokens } from '../../server/modules/accounts/kommo-tokens.service.js';
import { startKommoSimulator, type RunningKommoSimulator } from '../../server/sandbox/kommo-sim/index.js';
import { ErrorCode } from '../../server/errors.js';
import { createTestDatabase } from '../support/db.js';
import { eventually } from '../support/eventually.js';
import { testEnv } from '../support/world.js';
import { TEST_CLIENT_SECRET, TEST_REDIRECT_URI } from '../support/widget-token.js';

let kommo: RunningKommoSimulator;
let db: Db;
let probe: Db;
let tokens: KommoTokens;
let n = 0;

beforeAll(async () => {
  kommo = await startKommoSimulator({ rateLimitPerSecond: null });
  kommo.sim.addIntegration({ clientId: 'test-client-id', clientSecret: TEST_CLIENT_SECRET, redirectUri: TEST_REDIRECT_URI });
  const url = await createTestDatabase();
  db = createPool(url);
  probe = createPool(url);
  await migrate(db);
  const config = loadConfig(testEnv(url, kommo.url));
  tokens = new KommoTokens(db, new SecretBox(Buffer.alloc(32, 7)), config, { rateLimiter: new PgRateLimiter(probe, KOMMO_RATE_LIMIT), pollMs: 20 });
});
afterAll(async () => {
  await db.end();
  await probe.end();
  await kommo.close();
});

/** An installed account whose access token is about to expire. */
async function installed(): Promise<{ id: number; sub: string; access: string }> {
  const id = 9_100_000 + ++n;
  const sub = `tok${n}`;
  kommo.sim.addAccount({ subdomain: sub, id });
  const pair = kommo.sim.state.issueTokenPair(sub, 'test-client-id');
  await db.query('INSERT INTO accounts (id, subdomain) VALUES ($1, $2)', [id, sub]);
  await tokens.store(id, 'oauth', { accessToken: pair.accessToken, refreshToken: pair.refreshToken, expiresAt: new Date(Date.now() + 60_000) });
  return { id, sub, access: pair.accessToken };
}

const refreshes = (sub: string) => kommo.sim.requestsFor(sub, { method: 'POST', path: '/oauth2/access_token' });

it('holds no row lock and no pool connection while Kommo answers; others wait by polling, one refresh in all', async () => {
  const a = await installed();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  kommo.sim.faults.inject({ subdomain: a.sub, path: '/oauth2/access_token', gate });
  const first = tokens.getAccessToken(a.id);
  const second = tokens.getAccessToken(a.id);
  await eventually(() => expect(refreshes(a.sub)).toHaveLength(1));

  // Kommo is "answering" now: the row can be locked by anyone, and our pool holds nothing.
  const client = await probe.connect();
  try {
    await client.query('BEGIN');
    await client.query("SET LOCAL lock_timeout = '200ms'");
    await expect(client.query('SELECT 1 FROM kommo_tokens WHERE account_id = $1 FOR UPDATE NOWAIT', [a.id])).resolves.toBeDefined();
    await client.query('ROLLBACK');
  } finally {
    client.release();
  }
  await eventually(() => expect(db.totalCount - db.idleCount).toBe(0));
  const lease = await probe.query('SELECT refresh_lease_until FROM kommo_tokens WHERE account_id = $1', [a.id]);
  expect(lease.rows[0].refresh_lease_until).not.toBeNull();

  release();
  const [t1, t2] = await Promise.all([first, second]);
  expect(t1).toBe(t2);
  expect(t1).not.toBe(a.access);
  expect(refreshes(a.sub)).toHaveLength(1);
  const row = await probe.query('SELECT version, refresh_lease_until FROM kommo_tokens WHERE account_id = $1', [a.id]);
  expect(row.rows[0]).toMatchObject({ version: 2, refresh_lease_until: null });
});

it('takes a slot of the account’s shared rate limit for the refresh', async () => {
  const a = await installed();
  const key = kommoLimitKey(`${kommo.url}/${a.sub}`);
  await tokens.getAccessToken(a.id);
  const slots = await probe.query('SELECT count(*)::int AS n FROM rate_limit_slots WHERE key = $1', [key]);
  expect(slots.rows[0].n).toBe(1);
});

it('after a 401, refreshes only while the refused token is still the current one', async () => {
  const a = await installed();
  await tokens.refreshIfCurrent(a.id, a.access);
  // A second caller that got its 401 with the same old token: already replaced, nothing to do.
  await tokens.refreshIfCurrent(a.id, a.access);
  expect(refreshes(a.sub)).toHaveLength(1);
});

it('a refresh token Kommo refuses for good marks the account disconnected, visibly, until reinstalled', async () => {
  const a = await installed();
  for (const [t, g] of kommo.sim.state.refreshTokens) if (g.subdomain === a.sub) kommo.sim.state.refreshTokens.delete(t);
  const err = await tokens.getAccessToken(a.id).catch((e: unknown) => e);
  expect(err).toMatchObject({ code: ErrorCode.KOMMO_NOT_CONNECTED, message: expect.stringMatching(/disconnected.*install leadmail again/) });
  expect(await tokens.status(a.id)).toMatchObject({ connected: false, kind: 'oauth', disconnectedAt: expect.any(String), disconnectedReason: expect.stringMatching(/revoked/) });
  // No further refresh attempts while disconnected.
  await expect(tokens.getAccessToken(a.id)).rejects.toMatchObject({ code: ErrorCode.KOMMO_NOT_CONNECTED });
  expect(refreshes(a.sub)).toHaveLength(1);

  const pair = kommo.sim.state.issueTokenPair(a.sub, 'test-client-id');
  await tokens.store(a.id, 'oauth', { accessToken: pair.accessToken, refreshToken: pair.refreshToken, expiresAt: new Date(Date.now() + 86_400_000) });
  expect(await tokens.status(a.id)).toMatchObject({ connected: true, disconnectedAt: null });
  expect(await tokens.getAccessToken(a.id)).toBe(pair.accessToken);
});

it('a transient failure releases the claim, so the next caller can refresh', async () => {
  const a = await installed();
  kommo.sim.faults.inject({ subdomain: a.sub, path: '/oauth2/access_token', status: 503 });
  await expect(tokens.getAccessToken(a.id)).rejects.toMatchObject({ code: ErrorCode.KOMMO_API });
  expect((await tokens.status(a.id)).connected).toBe(true);
  await expect(tokens.getAccessToken(a.id)).resolves.not.toBe(a.access);
});
