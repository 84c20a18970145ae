/**
 * GET /api/entities/:type/search: the entity picker finds leads, contacts and companies by name
 * through Kommo's `query` (contacts also by email), and by id when digits are typed; `limit`
 * caps the list; Kommo view rights hold (a user with "own leads only" finds only those); bad
 * input is a 400 naming the field; Kommo down is the usual 502.
 */
import { ACCOUNT_ID, startWorld, SUB, type World } from '../support/world.js';
import type { TokenClaims } from '../support/widget-token.js';

let w: World;
const as = (userId: number): TokenClaims => ({ accountId: ACCOUNT_ID, subdomain: SUB, userId });
let renewal: number;
let ownLead: number;

beforeAll(async () => {
  w = await startWorld();
  const sim = w.kommo.sim;
  renewal = sim.addLead(SUB, { name: 'Renewal 2027 for Globex', price: 1200, pipeline_id: w.crm.pipelineId, responsible_user_id: w.crm.otherUserId }).id;
  ownLead = sim.addLead(SUB, { name: 'Renewal 2026 for Initech', pipeline_id: w.crm.pipelineId, responsible_user_id: w.crm.userId }).id;
  for (let i = 1; i <= 4; i++) sim.addLead(SUB, { name: `Zeta batch ${i}`, pipeline_id: w.crm.pipelineId });
  sim.addContact(SUB, { name: 'Ann Globex', email: 'ann@globex.example' });
  sim.addContact(SUB, { name: 'Bob No Mail' });
});
afterAll(async () => {
  await w.stop();
});

const search = (who: TokenClaims, type: string, query: Record<string, string | number>) => w.api(who).get(`/api/entities/${type}/search`).query(query);

it('finds leads by part of the name, any case, with pipeline, stage and price', async () => {
  const res = await search(w.user, 'leads', { query: 'renewal 2027' });
  expect(res.status).toBe(200);
  expect(res.body).toEqual([{ id: renewal, name: 'Renewal 2027 for Globex', price: 1200, pipeline: 'Sales', status: 'Incoming leads' }]);
  const queried = w.kommo.sim.requestsFor(SUB, { method: 'GET', path: '/api/v4/leads' }).at(-1);
  expect(queried?.query).toMatchObject({ query: 'renewal 2027' });
});

it('finds contacts by name or email and shows their address; companies by name', async () => {
  const byMail = await search(w.user, 'contacts', { query: 'globex.example' });
  expect(byMail.body).toEqual([{ id: expect.any(Number), name: 'Ann Globex', email: 'ann@globex.example' }]);
  const noMail = await search(w.user, 'contacts', { query: 'bob no' });
  expect(noMail.body).toEqual([{ id: expect.any(Number), name: 'Bob No Mail', email: null }]);
  const companies = await search(w.user, 'companies', { query: 'GLOBEX' });
  expect(companies.body).toEqual([{ id: w.crm.companyId, name: 'Globex' }]);
});

it('finds a record by its id when digits are typed, first in the list', async () => {
  const res = await search(w.user, 'leads', { query: String(renewal) });
  expect(res.status).toBe(200);
  expect(res.body[0]).toMatchObject({ id: renewal, name: 'Renewal 2027 for Globex' });
  const contact = await search(w.user, 'contacts', { query: String(w.crm.contactId) });
  expect(contact.body[0]).toMatchObject({ id: w.crm.contactId, name: 'John Smith', email: 'john@client.example' });
});

it('answers an empty list when nothing matches, and at most `limit` hits', async () => {
  const none = await search(w.user, 'leads', { query: 'no such deal anywhere' });
  expect(none.status).toBe(200);
  expect(none.body).toEqual([]);
  const two = await search(w.user, 'leads', { query: 'zeta batch', limit: 2 });
  expect(two.body.map((h: { name: string }) => h.name)).toEqual(['Zeta batch 1', 'Zeta batch 2']);
  expect((await search(w.user, 'leads', { query: 'zeta batch' })).body).toHaveLength(4);
});

it('finds only what Kommo lets the user see', async () => {
  const ownOnly = w.kommo.sim.addUser(SUB, { name: 'Olga Own', email: 'olga@acme.example', view: { leads: 'M' } });
  w.kommo.sim.addLead(SUB, { name: 'Renewal 2028 for Olga', pipeline_id: w.crm.pipelineId, responsible_user_id: ownOnly.id });
  const own = await search(as(ownOnly.id), 'leads', { query: 'renewal' });
  expect(own.status).toBe(200);
  expect(own.body.map((h: { name: string }) => h.name)).toEqual(['Renewal 2028 for Olga']);
  // Nor by typing the id of someone else's lead.
  expect((await search(as(ownOnly.id), 'leads', { query: String(renewal) })).body).toEqual([]);
  const denied = w.kommo.sim.addUser(SUB, { name: 'Dan Denied', email: 'dan@acme.example', view: { contacts: 'D' } });
  expect((await search(as(denied.id), 'contacts', { query: 'globex' })).body).toEqual([]);
  // Everyone else's view is whole: Maria (all leads) finds both renewals, her own and Pedro's.
  expect((await search(w.user, 'leads', { query: 'renewal 202' })).body.map((h: { id: number }) => h.id)).toEqual(expect.arrayContaining([renewal, ownLead]));
});

it('answers 400 naming the field for a bad type, query or limit', async () => {
  const badType = await search(w.user, 'deals', { query: 'x' });
  expect(badType.status).toBe(400);
  expect(badType.body.error.message).toMatch(/^params\.type: /);
  const noQuery = await w.api(w.user).get('/api/entities/leads/search');
  expect(noQuery.status).toBe(400);
  expect(noQuery.body.error.message).toBe('query.query: is required');
  const blank = await search(w.user, 'leads', { query: '   ' });
  expect(blank.body.error.message).toBe('query.query: is required');
  for (const limit of ['0', '51', 'ten', '2.5']) {
    const res = await search(w.user, 'leads', { query: 'x', limit });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('query.limit: must be a whole number from 1 to 50');
  }
});

it('answers 502 with Kommo’s trouble when Kommo is down', async () => {
  w.kommo.sim.faults.inject({ subdomain: SUB, method: 'GET', path: '/api/v4/leads', status: 503, times: 10 });
  try {
    const res = await search(w.user, 'leads', { query: 'renewal' });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('KOMMO_API');
  } finally {
    w.kommo.sim.faults.clear();
  }
});
