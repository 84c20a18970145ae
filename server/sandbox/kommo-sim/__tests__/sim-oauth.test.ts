import request from 'supertest';
import { createKommoSimulator, type KommoSimulator } from '../index.js';

const client = { client_id: 'cid', client_secret: 'secret', redirect_uri: 'https://app.example/oauth' };

describe('kommo simulator: oauth2/access_token', () => {
  let sim: KommoSimulator;
  beforeEach(() => {
    sim = createKommoSimulator({ accessTokenTtlSec: 60 });
    sim.addAccount({ subdomain: 'acme' });
    sim.addIntegration({ clientId: 'cid', clientSecret: 'secret', redirectUri: client.redirect_uri });
  });
  const token = (body: object) => request(sim.app).post('/acme/oauth2/access_token').send(body);

  it('exchanges a code once for a Bearer pair that opens the API', async () => {
    const code = sim.issueAuthorizationCode('acme', 'cid');
    const res = await token({ ...client, grant_type: 'authorization_code', code });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ token_type: 'Bearer', expires_in: 60, access_token: expect.any(String), refresh_token: expect.any(String) });
    const api = await request(sim.app).get('/acme/api/v4/users').set('authorization', `Bearer ${res.body.access_token}`);
    expect(api.status).toBe(200);

    const again = await token({ ...client, grant_type: 'authorization_code', code });
    expect(again.status).toBe(400);
  });

  it('rejects an expired code, a bad secret and an unknown grant type', async () => {
    const code = sim.issueAuthorizationCode('acme', 'cid');
    const secret = await token({ ...client, client_secret: 'wrong', grant_type: 'authorization_code', code });
    expect(secret.status).toBe(401);
    expect(secret.headers['content-type']).toMatch(/^application\/problem\+json/);

    sim.advanceTime(21 * 60_000);
    const expired = await token({ ...client, grant_type: 'authorization_code', code });
    expect(expired.status).toBe(400);
    expect(expired.body).toMatchObject({ status: 400, hint: 'Authorization code has expired' });

    const grant = await token({ ...client, grant_type: 'password' });
    expect(grant.status).toBe(400);
  });

  it('rotates the refresh token: the old one is revoked on use', async () => {
    const first = await token({ ...client, grant_type: 'authorization_code', code: sim.issueAuthorizationCode('acme', 'cid') });
    const second = await token({ ...client, grant_type: 'refresh_token', refresh_token: first.body.refresh_token });
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.body.refresh_token);

    const reuse = await token({ ...client, grant_type: 'refresh_token', refresh_token: first.body.refresh_token });
    expect(reuse.status).toBe(400);
    expect(reuse.body.hint).toBe('Token has been revoked');
  });

  it('expires access tokens after their lifetime', async () => {
    const pair = await token({ ...client, grant_type: 'authorization_code', code: sim.issueAuthorizationCode('acme', 'cid') });
    sim.advanceTime(61_000);
    const res = await request(sim.app).get('/acme/api/v4/users').set('authorization', `Bearer ${pair.body.access_token}`);
    expect(res.status).toBe(401);
    expect(res.body.detail).toBe('Access token has expired');
  });

  it('accepts form-encoded token requests', async () => {
    const code = sim.issueAuthorizationCode('acme', 'cid', 'fixed-code');
    const res = await request(sim.app)
      .post('/acme/oauth2/access_token')
      .type('form')
      .send({ ...client, grant_type: 'authorization_code', code });
    expect(res.status).toBe(200);
    expect(code).toBe('fixed-code');
  });
});
