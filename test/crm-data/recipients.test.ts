/**
 * GET /api/entities/:type/:id/recipients: the contacts the mail editor offers as recipients, with
 * the same address rule the send path applies (a value that is not one valid address is left out),
 * main contact first; Kommo view rights hold; bad input is a 400 naming the field.
 */
import { ACCOUNT_ID, startWorld, SUB, type World } from '../support/world.js';
import type { TokenClaims } from '../support/widget-token.js';

let w: World;
const as = (userId: number): TokenClaims => ({ accountId: ACCOUNT_ID, subdomain: SUB, userId });

beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w.stop();
});

const recipients = (who: TokenClaims, type: string, id: number | string) => w.api(who).get(`/api/entities/${type}/${id}/recipients`);

it('lists a lead’s contacts, main first, with only their valid addresses', async () => {
  const messy = w.kommo.sim.addContact(SUB, { name: 'Messy Data', email: ['n/a', 'a@x.example; b@y.example', 'ok@client.example'] });
  const none = w.kommo.sim.addContact(SUB, { name: 'No Mail' });
  const lead = w.kommo.sim.addLead(SUB, { name: 'Deal', responsible_user_id: w.crm.userId, contacts: [{ id: none.id, is_main: false }, { id: w.crm.contactId, is_main: true }, { id: messy.id, is_main: false }] });
  const res = await recipients(w.user, 'leads', lead.id);
  expect(res.status).toBe(200);
  expect(res.body).toEqual([
    { contactId: w.crm.contactId, name: 'John Smith', isMain: true, emails: ['john@client.example'] },
    { contactId: none.id, name: 'No Mail', isMain: false, emails: [] },
    { contactId: messy.id, name: 'Messy Data', isMain: false, emails: ['ok@client.example'] },
  ]);
});

it('lists the contact itself on a contact card and a company’s contacts on a company card', async () => {
  const own = await recipients(w.user, 'contacts', w.crm.secondContactId);
  expect(own.status).toBe(200);
  expect(own.body).toEqual([{ contactId: w.crm.secondContactId, name: 'Jane Doe', isMain: true, emails: ['jane@client.example'] }]);
  const company = await recipients(w.user, 'companies', w.crm.companyId);
  expect(company.status).toBe(200);
  expect(company.body.map((r: { contactId: number }) => r.contactId)).toContain(w.crm.contactId);
});

it('answers 404 for an unknown entity, 400 naming the field for a bad type or id, 403 where Kommo would hide it', async () => {
  expect((await recipients(w.user, 'leads', 987654)).status).toBe(404);
  const badType = await recipients(w.user, 'deals', w.crm.leadId);
  expect(badType.status).toBe(400);
  expect(badType.body.error.message).toMatch(/^params\.type: /);
  const badId = await recipients(w.user, 'leads', 'abc');
  expect(badId.status).toBe(400);
  expect(badId.body.error.message).toBe('params.id: must be an entity id');
  const denied = w.kommo.sim.addUser(SUB, { name: 'Dan Denied', email: 'dan@acme.example', view: { leads: 'D' } });
  const res = await recipients(as(denied.id), 'leads', w.crm.leadId);
  expect(res.status).toBe(403);
  expect(res.body.error.message).toMatch(/do not allow viewing leads/);
});
