import request from 'supertest';
import { createKommoSimulator, type KommoSimulator } from '../index.js';

describe('kommo simulator: writes', () => {
  let sim: KommoSimulator;
  let token: string;
  const patch = (path: string, body: unknown) => request(sim.app).patch(`/acme/api/v4${path}`).set('authorization', `Bearer ${token}`).send(body as object);
  const post = (path: string, body: unknown) => request(sim.app).post(`/acme/api/v4${path}`).set('authorization', `Bearer ${token}`).send(body as object);

  beforeEach(() => {
    sim = createKommoSimulator({ rateLimitPerSecond: null });
    sim.addAccount({ subdomain: 'acme' });
    token = sim.addAccessToken('acme');
  });

  it('applies status, custom fields of every type and tags from a PATCH batch', async () => {
    const text = sim.addCustomField('acme', 'leads', { name: 'Note', type: 'text' });
    const num = sim.addCustomField('acme', 'leads', { name: 'Score', type: 'numeric' });
    const box = sim.addCustomField('acme', 'leads', { name: 'Mailed', type: 'checkbox' });
    const sel = sim.addCustomField('acme', 'leads', { name: 'Kind', type: 'select', enums: ['A', 'B'] });
    const multi = sim.addCustomField('acme', 'leads', { name: 'Topics', type: 'multiselect', enums: ['x', 'y', 'z'] });
    const date = sim.addCustomField('acme', 'leads', { name: 'Due', type: 'date' });
    const lead = sim.addLead('acme', { tags: ['old', 'keep'], custom_fields_values: [{ field_id: text.id, values: [{ value: 'to clear' }] }] });
    const oldTag = sim.state.account('acme').tags.leads.values().next().value!;

    const res = await patch('/leads', [
      {
        id: lead.id,
        status_id: 142,
        custom_fields_values: [
          { field_id: text.id, values: null },
          { field_id: num.id, values: [{ value: 42 }] },
          { field_id: box.id, values: [{ value: true }] },
          { field_id: sel.id, values: [{ enum_id: sel.enums![1]!.id }] },
          { field_id: multi.id, values: [{ enum_id: multi.enums![0]!.id }, { enum_id: multi.enums![2]!.id }] },
          { field_id: date.id, values: [{ value: 1735689600 }] },
        ],
        tags_to_add: [{ name: 'emailed' }],
        tags_to_delete: [{ id: oldTag.id }],
      },
    ]);
    expect(res.status).toBe(200);
    expect(res.body._embedded.leads).toEqual([expect.objectContaining({ id: lead.id, updated_at: expect.any(Number) })]);

    const stored = sim.lead('acme', lead.id)!;
    expect(stored.status_id).toBe(142);
    expect(stored.closed_at).toEqual(expect.any(Number));
    expect(sim.tagNames('acme', 'leads', lead.id).sort()).toEqual(['emailed', 'keep']);
    const byId = Object.fromEntries(stored.custom_fields_values.map((f) => [f.field_id, f.values]));
    expect(byId[text.id]).toBeUndefined();
    expect(byId[num.id]).toEqual([{ value: 42 }]);
    expect(byId[box.id]).toEqual([{ value: true }]);
    expect(byId[sel.id]).toEqual([{ value: 'B', enum_id: sel.enums![1]!.id }]);
    expect(byId[multi.id]!.map((v) => v.value)).toEqual(['x', 'z']);
    expect(byId[date.id]).toEqual([{ value: 1735689600 }]);
  });

  it('lets _embedded.tags replace the whole set and win over tags_to_add', async () => {
    const lead = sim.addLead('acme', { tags: ['a', 'b'] });
    const res = await patch(`/leads/${lead.id}`, { _embedded: { tags: [{ name: 'only' }] }, tags_to_add: [{ name: 'ignored' }] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: lead.id });
    expect(sim.tagNames('acme', 'leads', lead.id)).toEqual(['only']);
  });

  it('rejects unknown field, enum and status ids with validation-errors and applies nothing', async () => {
    const sel = sim.addCustomField('acme', 'leads', { name: 'Kind', type: 'select', enums: ['A'] });
    const good = sim.addLead('acme', { name: 'good' });
    const bad = sim.addLead('acme', { name: 'bad' });
    const res = await patch('/leads', [
      { id: good.id, name: 'renamed' },
      { id: bad.id, status_id: 777, custom_fields_values: [{ field_id: 1, values: [{ value: 'x' }] }, { field_id: sel.id, values: [{ enum_id: 9 }] }] },
    ]);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ title: 'Bad Request', status: 400, detail: 'Request validation failed' });
    expect(res.body['validation-errors']).toEqual([
      {
        request_id: '1',
        errors: expect.arrayContaining([
          expect.objectContaining({ code: 'NotSupportedChoice', path: 'custom_fields_values.0.field_id' }),
          expect.objectContaining({ code: 'NotSupportedChoice', path: 'custom_fields_values.1.values.0.enum_id' }),
          expect.objectContaining({ code: 'NotSupportedChoice', path: 'status_id' }),
        ]),
      },
    ]);
    expect(sim.lead('acme', good.id)!.name).toBe('good');
  });

  it('rejects wrongly typed values', async () => {
    const num = sim.addCustomField('acme', 'leads', { name: 'Score', type: 'numeric' });
    const lead = sim.addLead('acme');
    const res = await patch('/leads', [{ id: lead.id, custom_fields_values: [{ field_id: num.id, values: [{ value: 'many' }] }] }]);
    expect(res.status).toBe(400);
    expect(res.body['validation-errors'][0].errors[0]).toMatchObject({ code: 'InvalidType', path: 'custom_fields_values.0.values.0.value' });
  });

  it('moves a lead to another pipeline and checks the status belongs to it', async () => {
    const other = sim.addPipeline('acme', { name: 'Partners', statuses: ['New', 'Talking'] });
    const lead = sim.addLead('acme');
    const wrong = await patch(`/leads/${lead.id}`, { pipeline_id: other.id, status_id: lead.status_id });
    expect(wrong.status).toBe(400);
    const ok = await patch(`/leads/${lead.id}`, { pipeline_id: other.id, status_id: other.statuses[1]!.id });
    expect(ok.status).toBe(200);
    expect(sim.lead('acme', lead.id)).toMatchObject({ pipeline_id: other.id, status_id: other.statuses[1]!.id });
  });

  it('answers 404 for PATCH of an unknown lead', async () => {
    expect((await patch('/leads/424242', { name: 'x' })).status).toBe(404);
  });

  it('updates contacts and companies through their PATCH', async () => {
    const contact = sim.addContact('acme', { first_name: 'Ann' });
    const res = await patch('/contacts', [{ id: contact.id, first_name: 'Anna', tags_to_add: [{ name: 'vip' }] }]);
    expect(res.status).toBe(200);
    expect(sim.contact('acme', contact.id)!.first_name).toBe('Anna');
    expect(sim.tagNames('acme', 'contacts', contact.id)).toEqual(['vip']);
  });

  it('creates notes, tasks and leads, echoing request_id', async () => {
    const contact = sim.addContact('acme', { name: 'C' });
    const lead = sim.addLead('acme');
    const note = await post('/leads/notes', [{ entity_id: lead.id, note_type: 'common', params: { text: 'Email sent' } }]);
    expect(note.status).toBe(200);
    expect(note.body._embedded.notes).toEqual([expect.objectContaining({ id: expect.any(Number), entity_id: lead.id, request_id: '0' })]);
    expect(sim.notes('acme', { entity_type: 'leads', entity_id: lead.id })).toEqual([expect.objectContaining({ params: { text: 'Email sent' } })]);

    const task = await post('/tasks', [{ text: 'Call', complete_till: 1735689600, task_type_id: 1, entity_id: lead.id, entity_type: 'leads' }]);
    expect(task.status).toBe(200);
    expect(sim.tasks('acme')).toEqual([expect.objectContaining({ id: task.body._embedded.tasks[0].id, text: 'Call', entity_id: lead.id })]);

    const created = await post('/leads', [{ name: 'New', request_id: 'abc', _embedded: { contacts: [{ id: contact.id }] } }]);
    expect(created.status).toBe(200);
    const [entry] = created.body._embedded.leads;
    expect(entry).toMatchObject({ id: expect.any(Number), request_id: 'abc' });
    expect(sim.lead('acme', entry.id)).toMatchObject({ name: 'New', contacts: [{ id: contact.id, is_main: true }] });
  });

  it('validates notes and tasks', async () => {
    const note = await post('/leads/notes', [{ entity_id: 1, note_type: 'common', params: {} }]);
    expect(note.status).toBe(400);
    expect(note.body['validation-errors'][0].errors.map((e: { path: string }) => e.path).sort()).toEqual(['entity_id', 'params.text']);
    const task = await post('/tasks', [{ text: '', entity_type: 'deals', entity_id: 1 }]);
    expect(task.status).toBe(400);
    expect(task.body['validation-errors'][0].errors.map((e: { path: string }) => e.path).sort()).toEqual(['complete_till', 'entity_type', 'text']);
    const notArray = await post('/tasks', { text: 'x' });
    expect(notArray.status).toBe(400);
  });
});
