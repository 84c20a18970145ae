import jwt from 'jsonwebtoken';
import supertest from 'supertest';
import { startWorld, type World } from '../support/world.js';
import { TEST_AUDIENCE, TEST_CLIENT_SECRET, widgetToken } from '../support/widget-token.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w.stop();
});

const call = (token?: string) => {
  const r = supertest(w.server.url).get('/api/mailboxes');
  return token === undefined ? r : r.set('X-Auth-Token', token);
};

describe('widget JWT (X-Auth-Token)', () => {
  it('accepts a valid Kommo token', async () => {
    const res = await call(widgetToken(w.user));
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });

  it.each([
    ['missing', undefined, 'AUTH_MISSING'],
    ['garbage', 'not-a-jwt', 'AUTH_MALFORMED'],
  ])('rejects a %s token', async (_name, token, code) => {
    const res = await call(token);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe(code);
  });

  it('rejects an expired token', async () => {
    const res = await call(widgetToken(w.user, { expiresInS: -10 }));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('AUTH_EXPIRED');
  });

  it('rejects a token that is not valid yet', async () => {
    const res = await call(widgetToken(w.user, { notBeforeS: 600 }));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('AUTH_NOT_YET_VALID');
  });

  it('rejects a token signed with another secret', async () => {
    const res = await call(widgetToken(w.user, { secret: 'someone-elses-secret' }));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('AUTH_BAD_SIGNATURE');
  });

  it('rejects a token for another audience', async () => {
    const res = await call(widgetToken(w.user, { audience: 'https://evil.example' }));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('AUTH_BAD_AUDIENCE');
  });

  it('rejects alg "none"', async () => {
    const now = Math.floor(Date.now() / 1000);
    const unsigned = jwt.sign(
      { account_id: w.user.accountId, subdomain: 'acme', user_id: w.user.userId, is_admin: true, aud: TEST_AUDIENCE, iat: now, exp: now + 600 },
      null as unknown as string,
      { algorithm: 'none' },
    );
    const res = await call(unsigned);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('AUTH_BAD_ALGORITHM');
  });

  it('rejects an HS512 token even with the right secret (algorithm pinned)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const t = jwt.sign({ account_id: 1001, subdomain: 'acme', user_id: 5, aud: TEST_AUDIENCE, iat: now, exp: now + 600 }, TEST_CLIENT_SECRET, { algorithm: 'HS512' });
    const res = await call(t);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('AUTH_BAD_ALGORITHM');
  });

  it('rejects a token without account or user claims', async () => {
    const now = Math.floor(Date.now() / 1000);
    const t = jwt.sign({ subdomain: 'acme', aud: TEST_AUDIENCE, iat: now, exp: now + 600 }, TEST_CLIENT_SECRET, { algorithm: 'HS256' });
    const res = await call(t);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('AUTH_BAD_CLAIMS');
    expect(res.body.error.message).toMatch(/account_id/);
  });
});

describe('CORS', () => {
  it('answers Kommo account origins', async () => {
    const res = await supertest(w.server.url).options('/api/mailboxes').set('Origin', 'https://acme.kommo.com').set('Access-Control-Request-Method', 'GET');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://acme.kommo.com');
    expect(res.headers['access-control-allow-headers']).toMatch(/X-Auth-Token/i);
  });

  it('does not answer other origins', async () => {
    const res = await supertest(w.server.url).get('/health').set('Origin', 'https://evil.example');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('health', () => {
  it('reports ok with the database', async () => {
    const res = await supertest(w.server.url).get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', db: 'ok' });
  });
});
