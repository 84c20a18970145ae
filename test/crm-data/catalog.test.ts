/**
 * GET /api/crm/catalog: what the trigger editor's pickers offer, read from the account's Kommo
 * (the simulator): pipelines with statuses, active users, task types, custom fields of every
 * entity with their type, options and whether "Change field" can set them, and every lead tag
 * (more than one Kommo page of them). Users are refused: the answer lists the account's users.
 */
import { startWorld, SUB, type World } from '../support/world.js';

let w: World;

beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w.stop();
});

it('gives an administrator pipelines, users, task types, fields by entity and every lead tag', async () => {
  const sim = w.kommo.sim;
  const second = sim.addPipeline(SUB, { name: 'Partners', statuses: ['New', 'Offer sent'] });
  sim.addUser(SUB, { name: 'Gone Away', email: 'gone@acme.example', is_active: false });
  const color = sim.addCustomField(SUB, 'leads', { name: 'Color', type: 'select', enums: ['Red', 'Blue'] });
  const birthday = sim.addCustomField(SUB, 'contacts', { name: 'Birthday', type: 'birthday' });
  const site = sim.addCustomField(SUB, 'companies', { name: 'Site', type: 'url' });
  // 260 tags: more than one Kommo page (250), so the client must follow `_links.next`.
  const names = Array.from({ length: 260 }, (_, i) => `tag-${String(i).padStart(3, '0')}`);
  sim.addLead(SUB, { name: 'Tagged', tags: names });

  const res = await w.api(w.admin).get('/api/crm/catalog');
  expect(res.status).toBe(200);
  const body = res.body;

  expect(body.pipelines).toEqual([
    { id: w.crm.pipelineId, name: 'Sales', statuses: expect.arrayContaining([expect.objectContaining({ name: 'Initial contact' }), { id: 142, name: 'Closed - won' }]) },
    { id: second.id, name: 'Partners', statuses: second.statuses.map((s) => ({ id: s.id, name: s.name })) },
  ]);
  expect(body.users.map((u: { name: string }) => u.name)).toEqual(['Admin', 'Maria Sales', 'Pedro Sales']);
  expect(body.users[1]).toEqual({ id: w.crm.userId, name: 'Maria Sales', email: 'maria@acme.example' });
  expect(body.taskTypes).toEqual([
    { id: 1, code: 'FOLLOW_UP', name: 'Follow-up' },
    { id: 2, code: 'MEETING', name: 'Meeting' },
  ]);

  expect(body.fields.leads).toEqual([
    { id: w.crm.budgetFieldId, name: 'Budget', code: null, type: 'numeric', enums: null, settable: true },
    { id: color.id, name: 'Color', code: null, type: 'select', enums: color.enums!.map((e) => ({ id: e.id, value: e.value })), settable: true },
  ]);
  // The predefined multitext fields (phone, email) can only be cleared by a trigger.
  expect(body.fields.contacts).toEqual([
    expect.objectContaining({ code: 'PHONE', type: 'multitext', settable: false }),
    expect.objectContaining({ code: 'EMAIL', type: 'multitext', settable: false }),
    { id: birthday.id, name: 'Birthday', code: null, type: 'birthday', enums: null, settable: true },
  ]);
  expect(body.fields.companies).toEqual([{ id: site.id, name: 'Site', code: null, type: 'url', enums: null, settable: true }]);

  expect(body.tags).toHaveLength(260);
  expect(body.tags.map((t: { name: string }) => t.name)).toEqual(names);
});

it('refuses a user: the catalogue lists the account’s users', async () => {
  const res = await w.api(w.user).get('/api/crm/catalog');
  expect(res.status).toBe(403);
  expect(res.body.error.message).toMatch(/only an account administrator/);
});
