/**
 * Throttling of the public surface (server/public): a per-account budget on the DP hook shared by
 * every process through PostgreSQL, per-address budgets on every public route, and GET routes
 * that take no body. Over a limit the answer is 429 (413 for a body) and nothing is stored.
 */
import crypto from 'node:crypto';
import supertest from 'supertest';
import { startWorld, SUB, ACCOUNT_ID, type World } from '../support/world.js';
import { createTemplate } from '../support/send-helpers.js';
import { createPipelineAction, dpPayload, postDpHook } from '../support/pipeline-action.js';

const PER_ADDRESS = 4;
const PER_ACCOUNT = 6;
const TRACKING_PER_ADDRESS = 7;
const LIMITS = {
  RATE_LIMIT_PER_ADDRESS: String(PER_ADDRESS),
  RATE_LIMIT_TRACKING_PER_ADDRESS: String(TRACKING_PER_ADDRESS),
  RATE_LIMIT_DP_PER_ACCOUNT: String(PER_ACCOUNT),
};

let w: World;
let token: string;

beforeAll(async () => {
  w = await startWorld(LIMITS);
  const templateId = await createTemplate(w, w.admin, { name: 'Offer', subject: 'Offer', html: '<p>offer</p>' });
  // A long delay: these tests are about what is stored on receipt, not about sending.
  token = (await createPipelineAction(w, { templateId, delaySeconds: 3600 })).token;
});
afterAll(async () => {
  await w.stop();
});

const db = () => w.server.services.db;

function newLead(): { leadId: number; statusId: number; pipelineId: number } {
  const lead = w.kommo.sim.addLead(SUB, { name: 'Deal', responsible_user_id: w.crm.userId, pipeline_id: w.crm.pipelineId });
  return { leadId: lead.id, statusId: lead.status_id, pipelineId: lead.pipeline_id };
}

const deliver = (lead = newLead(), action = token) => postDpHook(w, dpPayload(lead, { action }, { accountId: ACCOUNT_ID, subdomain: SUB }));
const eventsOf = async (leadId: number) => (await db().query('SELECT id FROM dp_events WHERE lead_id = $1', [leadId])).rows;

describe('DP hook budgets', () => {
  it('valid deliveries do not spend the address budget; past the account budget the answer is 429 and nothing is stored', async () => {
    // More valid deliveries than the address allows: Kommo calls every account from a few addresses.
    for (let i = 0; i < PER_ACCOUNT; i++) expect((await deliver()).status).toBe(200);
    const lead = newLead();
    const over = await deliver(lead);
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe('RATE_LIMITED');
    expect(over.body.error.message).toMatch(/for this account/);
    expect(over.headers['retry-after']).toBeDefined();
    expect(await eventsOf(lead.leadId)).toHaveLength(0);
  });

  it('the account budget lives in PostgreSQL: a restarted process still counts it', async () => {
    await w.restart(LIMITS);
    const lead = newLead();
    expect((await deliver(lead)).status).toBe(429);
    expect(await eventsOf(lead.leadId)).toHaveLength(0);
    const row = await db().query("SELECT hits FROM rate_limit_hits WHERE key = $1", [`dp-account:${ACCOUNT_ID}`]);
    expect(row.rows[0].hits).toBeGreaterThan(PER_ACCOUNT);
  });

  it('refused calls spend the address budget: a forger is answered 429 after a few tries', async () => {
    const forged = `${crypto.randomUUID()}.${ACCOUNT_ID}.${'A'.repeat(22)}`;
    for (let i = 0; i < PER_ADDRESS; i++) expect((await deliver(newLead(), forged)).status).toBe(403);
    const res = await deliver(newLead(), forged);
    expect(res.status).toBe(429);
    expect(res.body.error.message).toMatch(/from this address/);
  });
});

describe('tracking and install routes', () => {
  const get = (path: string) => supertest(w.server.url).get(path);

  it('the open pixel and tracked links are throttled per address, with a budget of their own', async () => {
    for (let i = 0; i < TRACKING_PER_ADDRESS; i++) expect((await get(`/t/o/nothing-${i}.gif`)).status).toBe(200);
    expect((await get('/t/o/nothing.gif')).status).toBe(429);
    for (let i = 0; i < TRACKING_PER_ADDRESS; i++) expect((await get(`/t/c/nothing-${i}`)).status).toBe(404);
    expect((await get('/t/c/nothing')).status).toBe(429);
  });

  it('GET routes take no body: more than 1 kB is refused unread', async () => {
    const res = await supertest(w.server.url).get('/health').set('content-type', 'application/json').send(JSON.stringify({ pad: 'x'.repeat(4096) }));
    expect(res.status).toBe(413);
    const install = await supertest(w.server.url).get('/oauth/kommo/callback?code=x&referer=acme.kommo.com').set('content-type', 'text/plain').send('x'.repeat(4096));
    expect(install.status).toBe(413);
    expect(install.type).toBe('text/html');
    expect(w.kommo.sim.requestsFor(SUB, { path: '/oauth2/access_token' })).toHaveLength(0);
  });

  it('an anonymous caller cannot make the API read a large body: it is parsed only after the widget token', async () => {
    // Over the API's 12 MB limit: had it been read before the token check, this would be a 413.
    const res = await supertest(w.server.url).post('/api/templates').set('content-type', 'application/json').send(JSON.stringify({ html: 'x'.repeat(13 * 1024 * 1024) }));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('AUTH_MISSING');
  });
});
