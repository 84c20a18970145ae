import type { RunningKommoSimulator } from '../../../sandbox/kommo-sim/index.js';
import { newAccount, startSim } from './kommo-fixtures.js';

describe('KommoCrmClient batched reads (filter[id][])', () => {
  let running: RunningKommoSimulator;
  beforeAll(async () => {
    running = await startSim({ rateLimitPerSecond: 7 });
  });
  afterAll(() => running.close());
  const sim = () => running.sim;

  it('reads 600 leads with their contacts in 3 requests of at most 250 ids; unknown ids are absent', async () => {
    const acct = newAccount(running);
    const contact = sim().addContact(acct.sub, { name: 'Ann', email: 'ann@example.test' });
    const ids = Array.from({ length: 600 }, (_, i) => sim().addLead(acct.sub, { name: `L${i}`, contacts: [contact.id] }).id);
    sim().addLead(acct.sub, { name: 'not selected' });

    const leads = await acct.client().getLeadsByIds([...ids, 999_999_999, ids[0]!]);
    expect(leads.map((l) => l.id).sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
    expect(leads[0]!.contacts).toEqual([{ id: contact.id, is_main: true }]);
    const reqs = sim().requestsFor(acct.sub, { method: 'GET', path: '/api/v4/leads' });
    expect(reqs).toHaveLength(3);
    for (const r of reqs) {
      expect(r.query.with).toBe('contacts');
      expect(Object.keys(r.query).filter((k) => k.startsWith('filter[id]')).length).toBeLessThanOrEqual(250);
    }
  });

  it('reads contacts and companies by id, and asks nothing for no ids', async () => {
    const acct = newAccount(running);
    const co = sim().addCompany(acct.sub, { name: 'ACME' });
    const a = sim().addContact(acct.sub, { name: 'A', email: 'a@example.test', company_id: co.id });
    sim().addContact(acct.sub, { name: 'B' });
    expect((await acct.client().getContactsByIds([a.id])).map((c) => [c.id, c.companies])).toEqual([[a.id, [{ id: co.id }]]]);
    expect((await acct.client().getCompaniesByIds([co.id])).map((c) => [c.name, c.contacts])).toEqual([['ACME', [{ id: a.id }]]]);
    const before = sim().requestsFor(acct.sub).length;
    expect(await acct.client().getContactsByIds([])).toEqual([]);
    expect(sim().requestsFor(acct.sub)).toHaveLength(before);
  });

  it('the simulator also takes the filter as repeated filter[id][] keys, as Kommo documents it', async () => {
    const acct = newAccount(running);
    const [a, b] = [sim().addContact(acct.sub, { name: 'A' }), sim().addContact(acct.sub, { name: 'B' }), sim().addContact(acct.sub, { name: 'C' })];
    const res = await fetch(`${running.url}/${acct.sub}/api/v4/contacts?filter[id][]=${a!.id}&filter[id][]=${b!.id}`, { headers: { authorization: `Bearer ${acct.token}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { _embedded: { contacts: { id: number }[] } };
    expect(body._embedded.contacts.map((c) => c.id)).toEqual([a!.id, b!.id]);
  });
});
