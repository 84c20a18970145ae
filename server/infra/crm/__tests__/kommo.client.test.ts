import { AppError, ErrorCode } from '../../../errors.js';
import type { RunningKommoSimulator } from '../../../sandbox/kommo-sim/index.js';
import { newAccount, startSim } from './kommo-fixtures.js';

describe('KommoCrmClient against the simulator', () => {
  let running: RunningKommoSimulator;
  beforeAll(async () => {
    running = await startSim({ rateLimitPerSecond: 7 });
  });
  afterAll(() => running.close());
  const sim = () => running.sim;

  it('maps a lead with tags, contacts, companies and custom fields', async () => {
    const acct = newAccount(running);
    const field = sim().addCustomField(acct.sub, 'leads', { name: 'Kind', type: 'select', enums: ['A', 'B'] });
    const company = sim().addCompany(acct.sub, { name: 'ACME' });
    const c1 = sim().addContact(acct.sub, { name: 'One' });
    const c2 = sim().addContact(acct.sub, { name: 'Two' });
    const lead = sim().addLead(acct.sub, {
      name: 'Deal',
      price: 100,
      tags: ['hot'],
      contacts: [{ id: c1.id, is_main: false }, { id: c2.id, is_main: true }],
      company_id: company.id,
      custom_fields_values: [{ field_id: field.id, values: [{ enum_id: field.enums![0]!.id }] }],
    });

    const got = await acct.client().getLead(lead.id);
    expect(got).toEqual({
      id: lead.id,
      name: 'Deal',
      price: 100,
      responsible_user_id: lead.responsible_user_id,
      status_id: lead.status_id,
      pipeline_id: lead.pipeline_id,
      created_at: lead.created_at,
      updated_at: lead.updated_at,
      custom_fields_values: [{ field_id: field.id, field_name: 'Kind', field_code: null, field_type: 'select', values: [{ value: 'A', enum_id: field.enums![0]!.id }] }],
      tags: [{ id: expect.any(Number), name: 'hot' }],
      contacts: [{ id: c1.id, is_main: false }, { id: c2.id, is_main: true }],
      companies: [{ id: company.id }],
    });
    expect(sim().requestsFor(acct.sub, { path: `/api/v4/leads/${lead.id}` })[0]!.query).toEqual({ with: 'contacts' });
  });

  it('maps a contact with its email and leads, and a company with its contacts', async () => {
    const acct = newAccount(running);
    const company = sim().addCompany(acct.sub, { name: 'ACME' });
    const contact = sim().addContact(acct.sub, { first_name: 'Ann', last_name: 'Lee', email: 'ann@example.test', company_id: company.id });
    const lead = sim().addLead(acct.sub, { contacts: [contact.id] });
    const client = acct.client();

    const got = await client.getContact(contact.id);
    expect(got).toMatchObject({ id: contact.id, name: 'Ann Lee', first_name: 'Ann', last_name: 'Lee', companies: [{ id: company.id }], leads: [{ id: lead.id }] });
    expect(got!.custom_fields_values![0]).toMatchObject({ field_code: 'EMAIL', values: [{ value: 'ann@example.test', enum_code: 'WORK' }] });

    expect(await client.getCompany(company.id)).toMatchObject({ id: company.id, name: 'ACME', custom_fields_values: null, contacts: [{ id: contact.id }] });
  });

  it('returns null for unknown entities, whether Kommo says 404 or 204', async () => {
    const acct = newAccount(running);
    expect(await acct.client().getLead(123)).toBeNull();
    expect(await acct.client().getContact(123)).toBeNull();

    const quiet = await startSim({ missingEntityStatus: 204 });
    try {
      const other = newAccount(quiet);
      expect(await other.client().getCompany(123)).toBeNull();
      expect(quiet.sim.requestsFor(other.sub)[0]!.status).toBe(204);
    } finally {
      await quiet.close();
    }
  });

  it('collects every page of a list and maps users', async () => {
    const acct = newAccount(running);
    for (let i = 0; i < 260; i++) sim().addUser(acct.sub, { name: `User ${i}`, email: `u${i}@example.test` });
    const users = await acct.client().listUsers();
    expect(users).toHaveLength(261);
    expect(users[1]).toMatchObject({ id: expect.any(Number), name: 'User 0', email: 'u0@example.test' });
    expect(new Set(users.map((u) => u.id)).size).toBe(261);
    const pages = sim().requestsFor(acct.sub, { path: '/api/v4/users' }).map((r) => r.query);
    expect(pages).toEqual([
      { page: '1', limit: '250' },
      { page: '2', limit: '250' },
    ]);
  });

  it('maps custom field definitions and treats a 204 list as empty', async () => {
    const acct = newAccount(running);
    sim().addCustomField(acct.sub, 'leads', { name: 'Mailed', type: 'checkbox' });
    sim().addCustomField(acct.sub, 'leads', { name: 'Kind', type: 'multiselect', enums: ['x', 'y'] });
    const client = acct.client();
    expect(await client.listCustomFields('leads')).toEqual([
      { id: expect.any(Number), name: 'Mailed', code: null, type: 'checkbox', enums: null },
      { id: expect.any(Number), name: 'Kind', code: null, type: 'multiselect', enums: [expect.objectContaining({ value: 'x' }), expect.objectContaining({ value: 'y' })] },
    ]);
    expect(await client.listCustomFields('companies')).toEqual([]);
    expect(sim().requestsFor(acct.sub, { path: '/api/v4/companies/custom_fields' })[0]!.status).toBe(204);
  });

  it('lists pipelines with their statuses including won and lost', async () => {
    const acct = newAccount(running);
    const pipelines = await acct.client().listPipelines();
    expect(pipelines).toHaveLength(1);
    expect(pipelines[0]!.name).toBe('Sales');
    expect(pipelines[0]!.statuses.map((s) => s.id)).toEqual(expect.arrayContaining([142, 143]));
  });

  it('applies updates and sends them in batches of 50', async () => {
    const acct = newAccount(running);
    const leads = Array.from({ length: 60 }, () => sim().addLead(acct.sub));
    await acct.client().updateEntities('leads', leads.map((l) => ({ id: l.id, status_id: 142, tags_to_add: [{ name: 'emailed' }] })));
    const patches = sim().requestsFor(acct.sub, { method: 'PATCH', path: '/api/v4/leads' });
    expect(patches.map((p) => (p.body as unknown[]).length)).toEqual([50, 10]);
    for (const l of leads) {
      expect(sim().lead(acct.sub, l.id)!.status_id).toBe(142);
      expect(sim().tagNames(acct.sub, 'leads', l.id)).toEqual(['emailed']);
    }
  });

  it('surfaces validation errors with their details', async () => {
    const acct = newAccount(running);
    const lead = sim().addLead(acct.sub);
    const err = await acct
      .client()
      .updateEntities('leads', [{ id: lead.id, custom_fields_values: [{ field_id: 999, values: [{ value: 'x' }] }] }])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({
      code: ErrorCode.KOMMO_API,
      details: {
        status: 400,
        title: 'Bad Request',
        detail: 'Request validation failed',
        validationErrors: [{ request_id: '0', errors: [expect.objectContaining({ code: 'NotSupportedChoice', path: 'custom_fields_values.0.field_id' })] }],
      },
    });
  });

  it('creates notes, tasks and leads', async () => {
    const acct = newAccount(running);
    const contact = sim().addContact(acct.sub, { name: 'C' });
    const lead = sim().addLead(acct.sub);
    const client = acct.client();

    const note = await client.addNote('leads', lead.id, 'Email "Hello" sent');
    expect(sim().notes(acct.sub, { entity_id: lead.id })).toEqual([expect.objectContaining({ id: note.id, note_type: 'common', params: { text: 'Email "Hello" sent' } })]);

    const task = await client.createTask({ text: 'Follow up', complete_till: 1735689600, task_type_id: 1, entity_id: lead.id, entity_type: 'leads' });
    expect(sim().tasks(acct.sub)).toEqual([expect.objectContaining({ id: task.id, text: 'Follow up', entity_type: 'leads', entity_id: lead.id })]);

    const created = await client.createLead({ name: 'Inbound', contactId: contact.id });
    expect(sim().lead(acct.sub, created.id)).toMatchObject({ name: 'Inbound', contacts: [{ id: contact.id, is_main: true }] });
  });
});
