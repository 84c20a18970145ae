import { ErrorCode } from '../../../errors.js';
import { peakRequestsInWindow, type RunningKommoSimulator } from '../../../sandbox/kommo-sim/index.js';
import { KommoCrmClient } from '../kommo.client.js';
import { newAccount, startSim } from './kommo-fixtures.js';

describe('KommoCrmClient retries, auth and rate limiting', () => {
  let running: RunningKommoSimulator;
  beforeAll(async () => {
    running = await startSim({ rateLimitPerSecond: 7 });
  });
  afterAll(() => running.close());
  const sim = () => running.sim;

  it('retries a 429 and applies the PATCH exactly once', async () => {
    const acct = newAccount(running);
    const lead = sim().addLead(acct.sub);
    sim().faults.inject({ subdomain: acct.sub, method: 'PATCH', path: '/api/v4/leads', status: 429 });
    await acct.client().updateEntities('leads', [{ id: lead.id, status_id: 143 }]);
    const log = sim().requestsFor(acct.sub, { method: 'PATCH', path: '/api/v4/leads' });
    expect(log.map((r) => r.status)).toEqual([429, 200]);
    expect(sim().lead(acct.sub, lead.id)!.status_id).toBe(143);
  });

  it('retries 5xx answers to idempotent requests, whatever their body', async () => {
    const acct = newAccount(running);
    const lead = sim().addLead(acct.sub);
    sim().faults.inject({ subdomain: acct.sub, path: '/api/v4/leads', method: 'PATCH', status: 500 });
    sim().faults.inject({ subdomain: acct.sub, path: '/api/v4/leads', method: 'PATCH', status: 503 });
    await acct.client().updateEntities('leads', [{ id: lead.id, status_id: 143 }]);
    expect(sim().requestsFor(acct.sub, { method: 'PATCH', path: '/api/v4/leads' }).map((r) => r.status)).toEqual([500, 503, 200]);
    expect(sim().lead(acct.sub, lead.id)!.status_id).toBe(143);
  });

  it('does not send a POST again blindly after a 5xx: it reads the notes back first, then writes once', async () => {
    const acct = newAccount(running);
    const lead = sim().addLead(acct.sub);
    sim().faults.inject({ subdomain: acct.sub, path: '/api/v4/leads/notes', status: 502 });
    await acct.client({ verifyDelayMs: 1 }).addNote('leads', lead.id, 'hello');
    expect(sim().requestsFor(acct.sub).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'POST /api/v4/leads/notes 502',
      `GET /api/v4/leads/${lead.id}/notes 204`,
      'POST /api/v4/leads/notes 200',
    ]);
    expect(sim().notes(acct.sub, { entity_id: lead.id })).toHaveLength(1);
  });

  it('gives up with KOMMO_RATE_LIMITED after the configured attempts', async () => {
    const acct = newAccount(running);
    sim().faults.inject({ subdomain: acct.sub, path: '/api/v4/users', status: 429, times: 10 });
    const err = await acct
      .client({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 } })
      .listUsers()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.KOMMO_RATE_LIMITED, details: { status: 429, transient: true } });
    expect(sim().requestsFor(acct.sub)).toHaveLength(3);
  });

  it('gives up with a transient KOMMO_API error when 5xx persists', async () => {
    const acct = newAccount(running);
    sim().faults.inject({ subdomain: acct.sub, path: /^\/api\/v4\/leads\/\d+$/, status: 502, times: 10 });
    const err = await acct
      .client({ retry: { maxAttempts: 2 } })
      .getLead(1)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.KOMMO_API, details: { status: 502, transient: true, method: 'GET', path: '/leads/1' } });
    expect(sim().requestsFor(acct.sub)).toHaveLength(2);
  });

  it('waits at least Retry-After before retrying', async () => {
    const acct = newAccount(running);
    sim().faults.inject({ subdomain: acct.sub, path: '/api/v4/leads/pipelines', status: 429, retryAfterSec: 1 });
    await acct.client().listPipelines();
    const [first, second] = sim().requestsFor(acct.sub);
    expect(second!.time - first!.time).toBeGreaterThanOrEqual(1000);
  });

  it('does not sit out a Retry-After longer than allowed', async () => {
    const acct = newAccount(running);
    sim().faults.inject({ subdomain: acct.sub, path: '/api/v4/leads/pipelines', status: 503, retryAfterSec: 120 });
    await expect(acct.client().listPipelines()).rejects.toMatchObject({ code: ErrorCode.KOMMO_API, details: { status: 503 } });
    expect(sim().requestsFor(acct.sub)).toHaveLength(1);
  });

  it('calls onUnauthorized once on 401 and retries with the new token', async () => {
    const acct = newAccount(running);
    const stale = sim().addAccessToken(acct.sub);
    sim().expireAccessTokens({ token: stale });
    let current = stale;
    let refreshes = 0;
    const client = acct.client({
      getAccessToken: async () => current,
      onUnauthorized: async () => {
        refreshes++;
        current = acct.token;
      },
    });
    expect(await client.listPipelines()).toHaveLength(1);
    expect(refreshes).toBe(1);
    expect(sim().requestsFor(acct.sub).map((r) => r.status)).toEqual([401, 200]);
  });

  it('fails with KOMMO_UNAUTHORIZED when the retry is refused too, or when nobody can refresh', async () => {
    const acct = newAccount(running);
    let refreshes = 0;
    const stuck = acct.client({
      getAccessToken: async () => 'revoked',
      onUnauthorized: async () => {
        refreshes++;
      },
    });
    await expect(stuck.getLead(1)).rejects.toMatchObject({ code: ErrorCode.KOMMO_UNAUTHORIZED, details: { status: 401, detail: 'Invalid access token' } });
    expect(refreshes).toBe(1);
    expect(sim().requestsFor(acct.sub).map((r) => r.status)).toEqual([401, 401]);

    const bare = acct.client({ getAccessToken: async () => 'revoked' });
    await expect(bare.listUsers()).rejects.toMatchObject({ code: ErrorCode.KOMMO_UNAUTHORIZED });
  });

  it('keeps every client of an account at or under 7 requests in any second', async () => {
    const acct = newAccount(running);
    const leads = Array.from({ length: 10 }, () => sim().addLead(acct.sub));
    // Two clients of one account, as two concurrent jobs would build them: they share the budget.
    const a = acct.client();
    const b = new KommoCrmClient({ baseUrl: `${running.url}/${acct.sub}`, accountId: acct.accountId, getAccessToken: async () => acct.token });
    const results = await Promise.all(leads.flatMap((l) => [a.getLead(l.id), b.getLead(l.id)]));
    expect(results.every((r) => r !== null)).toBe(true);

    const log = sim().requestsFor(acct.sub);
    expect(log).toHaveLength(20);
    expect(log.every((r) => r.status === 200)).toBe(true);
    expect(peakRequestsInWindow(log, 1000)).toBeLessThanOrEqual(7);
    expect(peakRequestsInWindow(log, 1000)).toBeGreaterThan(1);
  });
});
