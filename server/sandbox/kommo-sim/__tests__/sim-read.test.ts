import request from 'supertest';
import { createKommoSimulator, type KommoSimulator } from '../index.js';

describe('kommo simulator: reads', () => {
  let sim: KommoSimulator;
  let token: string;
  const auth = () => ({ authorization: `Bearer ${token}` });

  beforeEach(() => {
    sim = createKommoSimulator({ rateLimitPerSecond: null });
    sim.addAccount({ subdomain: 'acme', id: 31000001 });
    token = sim.addAccessToken('acme');
  });

  it('answers a lead with tags, contacts and companies as Kommo does', async () => {
    const company = sim.addCompany('acme', { name: 'ACME Ltd' });
    const contact = sim.addContact('acme', { first_name: 'Ann', last_name: 'Lee', email: 'ann@example.test', company_id: company.id });
    const lead = sim.addLead('acme', { name: 'Deal', price: 500, contacts: [contact.id], company_id: company.id, tags: ['hot'] });

    const res = await request(sim.app).get(`/acme/api/v4/leads/${lead.id}?with=contacts`).set(auth());
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/hal\+json/);
    expect(res.body).toMatchObject({
      id: lead.id,
      name: 'Deal',
      price: 500,
      status_id: lead.status_id,
      pipeline_id: lead.pipeline_id,
      account_id: 31000001,
      custom_fields_values: null,
      _embedded: {
        tags: [{ name: 'hot' }],
        contacts: [{ id: contact.id, is_main: true }],
        companies: [{ id: company.id }],
      },
    });
    expect(typeof res.body.created_at).toBe('number');

    const without = await request(sim.app).get(`/acme/api/v4/leads/${lead.id}`).set(auth());
    expect(without.body._embedded.contacts).toBeUndefined();
  });

  it('answers a contact with the EMAIL multitext value', async () => {
    const contact = sim.addContact('acme', { name: 'Bob', email: 'bob@example.test' });
    const res = await request(sim.app).get(`/acme/api/v4/contacts/${contact.id}`).set(auth());
    expect(res.status).toBe(200);
    expect(res.body.custom_fields_values).toEqual([
      expect.objectContaining({ field_code: 'EMAIL', field_type: 'multitext', values: [expect.objectContaining({ value: 'bob@example.test', enum_code: 'WORK' })] }),
    ]);
  });

  it('answers 404 problem+json for an unknown entity, and 204 when configured so', async () => {
    const res = await request(sim.app).get('/acme/api/v4/leads/999').set(auth());
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);

    const sim204 = createKommoSimulator({ missingEntityStatus: 204 });
    sim204.addAccount({ subdomain: 'acme' });
    const t = sim204.addAccessToken('acme');
    const res204 = await request(sim204.app).get('/acme/api/v4/contacts/999').set({ authorization: `Bearer ${t}` });
    expect(res204.status).toBe(204);
  });

  it('paginates with _page and _links.next, and answers 204 past the end', async () => {
    for (let i = 0; i < 5; i++) sim.addLead('acme', { name: `L${i}` });
    const p1 = await request(sim.app).get('/acme/api/v4/leads?limit=2&with=contacts').set(auth());
    expect(p1.body._page).toBe(1);
    expect(p1.body._embedded.leads.map((l: { name: string }) => l.name)).toEqual(['L0', 'L1']);
    const next = new URL(p1.body._links.next.href);
    expect(next.pathname).toBe('/acme/api/v4/leads');
    expect(next.searchParams.get('page')).toBe('2');
    expect(next.searchParams.get('with')).toBe('contacts');

    const p3 = await request(sim.app).get('/acme/api/v4/leads?limit=2&page=3').set(auth());
    expect(p3.body._embedded.leads).toHaveLength(1);
    expect(p3.body._links.next).toBeUndefined();

    const p4 = await request(sim.app).get('/acme/api/v4/leads?limit=2&page=4').set(auth());
    expect(p4.status).toBe(204);
    expect(p4.text).toBe('');
  });

  it('rejects limit above 250 with validation-errors', async () => {
    const res = await request(sim.app).get('/acme/api/v4/leads?limit=251').set(auth());
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, title: 'Bad Request', 'validation-errors': [{ request_id: '0', errors: [{ path: 'limit' }] }] });
  });

  it('answers an empty list with 204', async () => {
    const res = await request(sim.app).get('/acme/api/v4/companies').set(auth());
    expect(res.status).toBe(204);
  });

  it('filters lists by query: names any case, contacts also by phone and email; nothing found is 204', async () => {
    sim.addLead('acme', { name: 'Renewal 2027 for Globex' });
    sim.addLead('acme', { name: 'New website' });
    sim.addContact('acme', { name: 'Ann Lee', email: 'ann@globex.example', phone: '+1 555 0100' });
    sim.addContact('acme', { name: 'Bob Stone', email: 'bob@initech.example' });
    sim.addCompany('acme', { name: 'Globex Corporation' });
    const names = async (path: string) => ((await request(sim.app).get(`/acme/api/v4/${path}`).set(auth())).body._embedded as Record<string, { name: string }[]>);
    expect((await names('leads?query=renewal'))['leads']!.map((l) => l.name)).toEqual(['Renewal 2027 for Globex']);
    expect((await names('contacts?query=GLOBEX.example'))['contacts']!.map((c) => c.name)).toEqual(['Ann Lee']);
    expect((await names('contacts?query=555%200100'))['contacts']!.map((c) => c.name)).toEqual(['Ann Lee']);
    expect((await names('companies?query=globex'))['companies']!.map((c) => c.name)).toEqual(['Globex Corporation']);
    expect((await names('leads?query=e&limit=1'))['leads']).toHaveLength(1);
    const none = await request(sim.app).get('/acme/api/v4/contacts?query=nobody').set(auth());
    expect(none.status).toBe(204);
  });

  it('lists users and custom fields with totals, pipelines with 142/143', async () => {
    sim.addCustomField('acme', 'leads', { name: 'Stage', type: 'select', enums: ['A', 'B'] });
    const users = await request(sim.app).get('/acme/api/v4/users').set(auth());
    expect(users.body).toMatchObject({ _total_items: 1, _embedded: { users: [{ name: 'Admin', email: 'admin@acme.example' }] } });

    const fields = await request(sim.app).get('/acme/api/v4/leads/custom_fields').set(auth());
    expect(fields.body._embedded.custom_fields).toEqual([
      expect.objectContaining({ name: 'Stage', type: 'select', enums: [expect.objectContaining({ value: 'A' }), expect.objectContaining({ value: 'B' })] }),
    ]);

    const pipelines = await request(sim.app).get('/acme/api/v4/leads/pipelines').set(auth());
    const statuses = pipelines.body._embedded.pipelines[0]._embedded.statuses.map((s: { id: number }) => s.id);
    expect(statuses).toEqual(expect.arrayContaining([142, 143]));
  });

  it('refuses missing, unknown, expired and foreign tokens with 401 detail', async () => {
    sim.addAccount({ subdomain: 'other' });
    const foreign = sim.addAccessToken('other');
    const expiring = sim.addAccessToken('acme');
    sim.expireAccessTokens({ token: expiring });
    for (const header of [undefined, 'Bearer nope', `Bearer ${expiring}`, `Bearer ${foreign}`]) {
      const req = request(sim.app).get('/acme/api/v4/users');
      const res = await (header ? req.set('authorization', header) : req);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ status: 401, title: 'Unauthorized', detail: expect.any(String) });
    }
  });

  it('limits an account to 7 requests per second with a non-JSON 429', async () => {
    const limited = createKommoSimulator();
    limited.addAccount({ subdomain: 'acme' });
    const t = limited.addAccessToken('acme');
    const res = await Promise.all(Array.from({ length: 10 }, () => request(limited.app).get('/acme/api/v4/users').set({ authorization: `Bearer ${t}` })));
    const statuses = res.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(7);
    expect(statuses.filter((s) => s === 429)).toHaveLength(3);
    expect(res.find((r) => r.status === 429)!.headers['content-type']).toMatch(/^text\/plain/);
  });

  it('injects faults for the next N matching requests and logs every request', async () => {
    sim.faults.inject({ path: '/api/v4/users', status: 503, times: 2, retryAfterSec: 1 });
    const a = await request(sim.app).get('/acme/api/v4/users?page=1').set(auth());
    const b = await request(sim.app).get('/acme/api/v4/users').set(auth());
    const c = await request(sim.app).get('/acme/api/v4/users').set(auth());
    expect([a.status, b.status, c.status]).toEqual([503, 503, 200]);
    expect(a.headers['retry-after']).toBe('1');
    expect(sim.faults.remaining()).toBe(0);
    const log = sim.requestsFor('acme', { path: '/api/v4/users' });
    expect(log.map((r) => r.status)).toEqual([503, 503, 200]);
    expect(log[0]).toMatchObject({ method: 'GET', query: { page: '1' }, time: expect.any(Number) });
  });

  it('answers GET /account with the id and subdomain the token belongs to', async () => {
    const res = await request(sim.app).get('/acme/api/v4/account').set(auth());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 31000001, subdomain: 'acme', current_user_id: expect.any(Number) });
  });

  it('answers 404 for an unknown account', async () => {
    const res = await request(sim.app).get('/nobody/api/v4/users').set(auth());
    expect(res.status).toBe(404);
  });
});
