/**
 * The end of Kommo's install flow is opened in a person's browser: every outcome is an HTML page
 * that says what to do. A replayed or expired code (Kommo answers 400 to the exchange) is a 400
 * page telling the admin to install again from Kommo's integration settings, not a 502 JSON.
 */
import supertest from 'supertest';
import { startWorld, type World } from '../support/world.js';
import { TEST_CLIENT_SECRET, TEST_REDIRECT_URI } from '../support/widget-token.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
  w.kommo.sim.addIntegration({ clientId: 'test-client-id', clientSecret: TEST_CLIENT_SECRET, redirectUri: TEST_REDIRECT_URI });
  w.kommo.sim.addAccount({ subdomain: 'delta', id: 4004 });
});
afterAll(async () => {
  await w.stop();
});

const callback = (query: string) => supertest(w.server.url).get(`/oauth/kommo/callback?${query}`);
const tokenRow = async () => (await w.server.services.db.query('SELECT version, refresh_token_enc FROM kommo_tokens WHERE account_id = 4004')).rows[0];

describe('GET /oauth/kommo/callback', () => {
  it('answers a page when the install works, and a 400 page saying what to do when the same code comes again', async () => {
    const code = w.kommo.sim.issueAuthorizationCode('delta', 'test-client-id');
    const ok = await callback(`code=${code}&referer=delta.kommo.com`);
    expect(ok.status).toBe(200);
    expect(ok.type).toBe('text/html');
    expect(ok.text).toContain('leadmail is connected');
    const stored = await tokenRow();

    // A reloaded page replays the code: Kommo answers 400 invalid_grant.
    const replay = await callback(`code=${code}&referer=delta.kommo.com`);
    expect(replay.status).toBe(400);
    expect(replay.type).toBe('text/html');
    expect(replay.text).toContain('expired or was already used');
    expect(replay.text).toContain('Settings → Integrations');
    expect(replay.text).toContain('install it again');
    expect(w.kommo.sim.requestsFor('delta', { method: 'POST', path: '/oauth2/access_token' }).map((r) => r.status)).toEqual([200, 400]);
    // The tokens stored by the first visit are untouched.
    expect(await tokenRow()).toEqual(stored);
  });

  it('an expired code gets the same 400 page', async () => {
    const code = w.kommo.sim.issueAuthorizationCode('delta', 'test-client-id');
    w.kommo.sim.advanceTime(21 * 60_000); // codes live 20 minutes
    const res = await callback(`code=${code}&referer=delta.kommo.com`);
    expect(res.status).toBe(400);
    expect(res.type).toBe('text/html');
    expect(res.text).toContain('expired or was already used');
  });

  it('an incomplete link is a 400 page, Kommo failing a 502 page; neither is JSON nor echoes the request', async () => {
    const noCode = await callback('referer=delta.kommo.com');
    expect(noCode.status).toBe(400);
    expect(noCode.type).toBe('text/html');
    expect(noCode.text).toContain('installation link is incomplete');
    const evil = await callback('code=x&referer=%3Cscript%3Eevil.example.com');
    expect(evil.status).toBe(400);
    expect(evil.text).toContain('installation link is incomplete');
    expect(evil.text).not.toContain('<script');

    w.kommo.sim.faults.inject({ subdomain: 'delta', path: '/oauth2/access_token', status: 503 });
    const code = w.kommo.sim.issueAuthorizationCode('delta', 'test-client-id');
    const down = await callback(`code=${code}&referer=delta.kommo.com`);
    expect(down.status).toBe(502);
    expect(down.type).toBe('text/html');
    expect(down.text).toContain('Kommo could not be reached');
  });
});
