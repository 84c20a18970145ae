import { AppError, ErrorCode } from '../../../errors.js';
import type { RunningKommoSimulator } from '../../../sandbox/kommo-sim/index.js';
import { exchangeAuthorizationCode, refreshAccessToken } from '../kommo-oauth.js';
import { KommoCrmClient } from '../kommo.client.js';
import { startSim } from './kommo-fixtures.js';

const REDIRECT = 'https://leadmail.example/oauth/kommo';

describe('Kommo OAuth helpers', () => {
  let running: RunningKommoSimulator;
  let baseUrl: string;
  const creds = () => ({ baseUrl, clientId: 'cid', clientSecret: 'shh', redirectUri: REDIRECT });

  beforeAll(async () => {
    running = await startSim({ accessTokenTtlSec: 3600 });
    running.sim.addAccount({ subdomain: 'oauth', id: 555 });
    running.sim.addIntegration({ clientId: 'cid', clientSecret: 'shh', redirectUri: REDIRECT });
    baseUrl = `${running.url}/oauth`;
  });
  afterAll(() => running.close());

  it('exchanges an authorization code for tokens that work against the API', async () => {
    const before = Date.now();
    const tokens = await exchangeAuthorizationCode({ ...creds(), code: running.sim.issueAuthorizationCode('oauth', 'cid') });
    expect(tokens.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 3600_000);
    expect(tokens.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 3600_000);

    const client = new KommoCrmClient({ baseUrl, accountId: 555, getAccessToken: async () => tokens.accessToken });
    expect(await client.listUsers()).toHaveLength(1);
  });

  it('refreshes with rotation: the spent refresh token is rejected afterwards', async () => {
    const first = await exchangeAuthorizationCode({ ...creds(), code: running.sim.issueAuthorizationCode('oauth', 'cid') });
    const second = await refreshAccessToken({ ...creds(), refreshToken: first.refreshToken });
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.accessToken).not.toBe(first.accessToken);

    const err = await refreshAccessToken({ ...creds(), refreshToken: first.refreshToken }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: ErrorCode.KOMMO_UNAUTHORIZED, details: { status: 400, grantType: 'refresh_token', hint: 'Token has been revoked' } });

    // The rotated one still works.
    await expect(refreshAccessToken({ ...creds(), refreshToken: second.refreshToken })).resolves.toMatchObject({ accessToken: expect.any(String) });
  });

  it('rejects expired codes and wrong client secrets as KOMMO_UNAUTHORIZED', async () => {
    const code = running.sim.issueAuthorizationCode('oauth', 'cid');
    await expect(exchangeAuthorizationCode({ ...creds(), clientSecret: 'wrong', code })).rejects.toMatchObject({
      code: ErrorCode.KOMMO_UNAUTHORIZED,
      details: { status: 401, detail: 'Client authentication failed' },
    });
    running.sim.advanceTime(20 * 60_000 + 1000);
    await expect(exchangeAuthorizationCode({ ...creds(), code })).rejects.toMatchObject({
      code: ErrorCode.KOMMO_UNAUTHORIZED,
      details: { status: 400, hint: 'Authorization code has expired' },
    });
  });

  it('reports server failures as transient KOMMO_API errors', async () => {
    running.sim.faults.inject({ subdomain: 'oauth', path: '/oauth2/access_token', status: 503 });
    await expect(refreshAccessToken({ ...creds(), refreshToken: 'whatever' })).rejects.toMatchObject({
      code: ErrorCode.KOMMO_API,
      details: { status: 503, transient: true },
    });
  });
});
