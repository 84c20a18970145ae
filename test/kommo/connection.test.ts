import supertest from 'supertest';
import { startWorld, type World } from '../support/world.js';
import { TEST_CLIENT_SECRET, TEST_REDIRECT_URI } from '../support/widget-token.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
  w.kommo.sim.addIntegration({ clientId: 'test-client-id', clientSecret: TEST_CLIENT_SECRET, redirectUri: TEST_REDIRECT_URI });
  w.kommo.sim.addAccount({ subdomain: 'gamma', id: 3003 });
  w.kommo.sim.addLead('gamma', { name: 'Gamma lead' });
});
afterAll(async () => {
  await w.stop();
});

const tokenRow = async (accountId: number) =>
  (await w.server.services.db.query('SELECT * FROM kommo_tokens WHERE account_id = $1', [accountId])).rows[0];

describe('Kommo OAuth install', () => {
  it('exchanges the code, stores encrypted tokens, and the API then reads Kommo for that account', async () => {
    const code = w.kommo.sim.issueAuthorizationCode('gamma', 'test-client-id');
    const res = await supertest(w.server.url).get(`/oauth/kommo/callback?code=${code}&referer=gamma.kommo.com`);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/connected/);
    const row = await tokenRow(3003);
    expect(row.kind).toBe('oauth');
    expect(row.access_token_enc).toMatch(/^v1\./);
    expect(row.refresh_token_enc).toMatch(/^v1\./);
    expect(row.expires_at.getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);

    const status = await w.api({ accountId: 3003, subdomain: 'gamma', userId: 1 }).get('/api/kommo/status');
    expect(status.body).toMatchObject({ connected: true, kind: 'oauth' });
    expect(JSON.stringify(status.body)).not.toMatch(/sim_/);
  });

  it('refuses a bad code and an unknown referer with clear errors', async () => {
    // The callback is a browser page (test/api/oauth-callback.test.ts): a refused code is a 400 page.
    const bad = await supertest(w.server.url).get('/oauth/kommo/callback?code=nope&referer=gamma.kommo.com');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('expired or was already used');
    const ref = await supertest(w.server.url).get('/oauth/kommo/callback?code=x&referer=evil.example.com');
    expect(ref.status).toBe(400);
    expect(ref.text).toContain('installation link is incomplete');
  });

  it('refreshes before expiry, rotating the refresh token, and two concurrent refreshes spend it once', async () => {
    // Make the stored token look nearly expired.
    await w.server.services.db.query("UPDATE kommo_tokens SET expires_at = now() + interval '1 minute' WHERE account_id = 3003");
    const before = await tokenRow(3003);
    w.kommo.sim.clearRequests();
    const tokens = w.server.services.tokens;
    const [a, b, c] = await Promise.all([tokens.getAccessToken(3003), tokens.getAccessToken(3003), tokens.getAccessToken(3003)]);
    expect(new Set([a, b, c]).size).toBe(1);
    const refreshCalls = w.kommo.sim.requestsFor('gamma', { method: 'POST', path: '/oauth2/access_token' });
    expect(refreshCalls).toHaveLength(1);
    const after = await tokenRow(3003);
    expect(after.refresh_token_enc).not.toBe(before.refresh_token_enc);
    expect(after.version).toBe(before.version + 1);

    // The new refresh token is the live one: a forced refresh with it succeeds.
    const forced = await tokens.getAccessToken(3003, true);
    expect(forced).not.toBe(a);
    const crm = await w.server.services.crmFor(3003);
    expect((await crm.listPipelines()).length).toBeGreaterThan(0);
  });

  it('recovers from a 401 by refreshing once', async () => {
    w.kommo.sim.expireAccessTokens({ subdomain: 'gamma' });
    const crm = await w.server.services.crmFor(3003);
    const users = await crm.listUsers();
    expect(users.length).toBeGreaterThan(0);
  });

  it('lets an admin store a long-lived token instead, checked against the account', async () => {
    const token = w.kommo.sim.addAccessToken('gamma');
    const user = { accountId: 3003, subdomain: 'gamma', userId: 1 };
    const denied = await w.api(user).put('/api/kommo/token').send({ accessToken: token });
    expect(denied.status).toBe(403);
    const ok = await w.api({ ...user, isAdmin: true }).put('/api/kommo/token').send({ accessToken: token });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ connected: true, kind: 'long_lived', expiresAt: null });
    const foreign = w.kommo.sim.addAccessToken('acme');
    const wrong = await w.api({ ...user, isAdmin: true }).put('/api/kommo/token').send({ accessToken: foreign });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toMatch(/^accessToken: Kommo rejected this token for gamma/);
  });
});
