/** Through the API: a disconnected account is visible and every call needing Kommo says why. */
import supertest from 'supertest';
import { kommoLimitKey } from '../../server/infra/crm/rate-limiter.js';
import { ACCOUNT_ID, startWorld, SUB, type World } from '../support/world.js';
import { TEST_CLIENT_SECRET, TEST_REDIRECT_URI } from '../support/widget-token.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
  w.kommo.sim.addIntegration({ clientId: 'test-client-id', clientSecret: TEST_CLIENT_SECRET, redirectUri: TEST_REDIRECT_URI });
});
afterAll(async () => {
  await w.stop();
});

it('the OAuth install calls take slots of the account’s shared rate limit', async () => {
  w.kommo.sim.addAccount({ subdomain: 'delta', id: 4004 });
  const code = w.kommo.sim.issueAuthorizationCode('delta', 'test-client-id');
  const res = await supertest(w.server.url).get(`/oauth/kommo/callback?code=${code}&referer=delta.kommo.com`);
  expect(res.status).toBe(200);
  const key = kommoLimitKey(`${w.kommo.url}/delta`);
  const slots = await w.server.services.db.query('SELECT count(*)::int AS n FROM rate_limit_slots WHERE key = $1', [key]);
  // The code exchange and GET /api/v4/account.
  expect(slots.rows[0].n).toBe(2);
});

it('a refresh token Kommo revoked: GET /api/account shows the account disconnected, Kommo calls answer 409 saying what to do', async () => {
  const pair = w.kommo.sim.state.issueTokenPair(SUB, 'test-client-id');
  await w.server.services.tokens.store(ACCOUNT_ID, 'oauth', { accessToken: pair.accessToken, refreshToken: pair.refreshToken, expiresAt: new Date(Date.now() + 60_000) });
  w.kommo.sim.state.refreshTokens.delete(pair.refreshToken);

  const vars = await w.api(w.user).get('/api/template-variables');
  expect(vars.status).toBe(409);
  expect(vars.body.error).toMatchObject({ code: 'KOMMO_NOT_CONNECTED', message: expect.stringMatching(/disconnected.*administrator must install leadmail again/) });

  const account = await w.api(w.user).get('/api/account');
  expect(account.status).toBe(200);
  expect(account.body).toMatchObject({ id: ACCOUNT_ID, subdomain: SUB, kommo: { connected: false, disconnectedAt: expect.any(String), disconnectedReason: expect.stringMatching(/refresh token/) } });
  expect((await w.api(w.user).get('/api/kommo/status')).body).toMatchObject({ connected: false });
  // Who asks: the widget hides the admin screens from users by it.
  expect(account.body.me).toEqual({ userId: w.user.userId, isAdmin: false });
  expect((await w.api(w.admin).get('/api/account')).body.me).toEqual({ userId: w.admin.userId, isAdmin: true });
});
