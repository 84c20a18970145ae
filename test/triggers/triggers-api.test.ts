import { startWorld, SUB, type World } from '../support/world.js';
import type { TokenClaims } from '../support/widget-token.js';
import { createTemplate } from '../support/send-helpers.js';
import { createTrigger } from './trigger-helpers.js';

let w: World;
let otherAdmin: TokenClaims;
const f = { channel: 0, vip: 0, nextCall: 0, site: 0 };
let offers: { id: number; statuses: { id: number; name: string }[] };

beforeAll(async () => {
  w = await startWorld();
  const sim = w.kommo.sim;
  f.channel = sim.addCustomField(SUB, 'leads', { name: 'Channel', type: 'select', enums: ['Email', 'Phone', 'Web'] }).id;
  f.vip = sim.addCustomField(SUB, 'leads', { name: 'VIP', type: 'checkbox' }).id;
  f.nextCall = sim.addCustomField(SUB, 'leads', { name: 'Next call', type: 'date' }).id;
  f.site = sim.addCustomField(SUB, 'companies', { name: 'Site', type: 'url' }).id;
  offers = sim.addPipeline(SUB, { name: 'Offers', statuses: ['Offer sent', 'Familiar with the offer'] });

  const { adminUserId } = sim.addAccount({ subdomain: 'beta', id: 2002 });
  otherAdmin = { accountId: 2002, subdomain: 'beta', userId: adminUserId!, isAdmin: true };
  await w.server.services.db.query("INSERT INTO accounts (id, subdomain) VALUES (2002, 'beta') ON CONFLICT DO NOTHING");
  await w.server.services.tokens.store(2002, 'long_lived', { accessToken: sim.addAccessToken('beta'), refreshToken: null, expiresAt: null });
});
afterAll(async () => {
  await w.stop();
});

const stage = () => ({ pipelineId: offers.id, statusId: offers.statuses[0]!.id });

describe('trigger CRUD', () => {
  it('lets an admin create, change and delete a trigger, and any user list and read them', async () => {
    const created = await w.api(w.admin).post('/api/triggers').send({ name: 'Move to Offer sent', action: 'change_status', params: stage(), delaySeconds: 90 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Move to Offer sent', action: 'change_status', params: stage(), delaySeconds: 90, active: true });
    const id = created.body.id as string;

    const list = await w.api(w.user).get('/api/triggers');
    expect(list.status).toBe(200);
    expect(list.body.map((t: { id: string }) => t.id)).toContain(id);
    expect((await w.api(w.user).get(`/api/triggers/${id}`)).body.params).toEqual(stage());

    const changed = await w.api(w.admin).put(`/api/triggers/${id}`).send({ name: 'Renamed', action: 'add_note', params: { text: 'Mail {subject} sent' }, active: false });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ name: 'Renamed', action: 'add_note', params: { text: 'Mail {subject} sent' }, delaySeconds: 0, active: false });

    expect((await w.api(w.admin).delete(`/api/triggers/${id}`)).status).toBe(204);
    expect((await w.api(w.admin).get(`/api/triggers/${id}`)).status).toBe(404);
  });

  it('refuses writes from a user who is not an administrator', async () => {
    const id = await createTrigger(w, { action: 'add_note', params: { text: 'x' } });
    const body = { name: 'n', action: 'add_note', params: { text: 'y' } };
    for (const res of [
      await w.api(w.user).post('/api/triggers').send(body),
      await w.api(w.user).put(`/api/triggers/${id}`).send(body),
      await w.api(w.user).delete(`/api/triggers/${id}`),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
    expect((await w.api(w.admin).get(`/api/triggers/${id}`)).body.params.text).toBe('x');
  });

  it('refuses to delete a trigger a template uses, naming the template', async () => {
    const id = await createTrigger(w, { action: 'add_note', params: { text: 'sent' } });
    await createTemplate(w, w.admin, { name: 'Offer', subject: 's', html: '<p>x</p>', triggers: { sent: [id] } });
    const res = await w.api(w.admin).delete(`/api/triggers/${id}`);
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain('template "Offer"');
    expect((await w.api(w.admin).get(`/api/triggers/${id}`)).status).toBe(200);
  });

  it('refuses a send_email trigger that would make a template send itself again, spelling out the loop', async () => {
    const second = await createTemplate(w, w.admin, { name: 'Second', subject: 's', html: '<p>x</p>' });
    const resend = await createTrigger(w, { name: 'Resend', action: 'send_email', params: { templateId: second, mailbox: 'original' } });
    const offer = await createTemplate(w, w.admin, { name: 'Looping offer', subject: 's', html: '<p>x</p>', triggers: { notOpened: { afterSeconds: 86_400, triggerIds: [resend] } } });
    const res = await w.api(w.admin).put(`/api/triggers/${resend}`).send({ name: 'Resend', action: 'send_email', params: { templateId: offer, mailbox: 'original' } });
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues[0].path).toBe('params.templateId');
    expect(res.body.error.message).toContain('"Looping offer"');
    expect((await w.api(w.admin).get(`/api/triggers/${resend}`)).body.params.templateId).toBe(second);
  });

  it('keeps accounts apart: another account gets 404 and does not see the trigger', async () => {
    const id = await createTrigger(w, { action: 'add_note', params: { text: 'mine' } });
    expect((await w.api(otherAdmin).get(`/api/triggers/${id}`)).status).toBe(404);
    expect((await w.api(otherAdmin).put(`/api/triggers/${id}`).send({ name: 'stolen', action: 'add_note', params: { text: 'x' } })).status).toBe(404);
    expect((await w.api(otherAdmin).delete(`/api/triggers/${id}`)).status).toBe(404);
    expect((await w.api(otherAdmin).get('/api/triggers')).body).toEqual([]);
    expect((await w.api(w.admin).get(`/api/triggers/${id}`)).body.params.text).toBe('mine');
  });
});

describe('save-time validation against the account’s Kommo data', () => {
  const refused = async (body: Record<string, unknown>) => {
    const res = await w.api(w.admin).post('/api/triggers').send({ name: 'bad', ...body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION');
    return { message: res.body.error.message as string, path: res.body.error.details.issues[0].path as string };
  };

  it('names a status that is not in the chosen pipeline', async () => {
    const sales = w.crm.pipelineId;
    const e = await refused({ action: 'change_status', params: { pipelineId: sales, statusId: offers.statuses[1]!.id } });
    expect(e.message).toBe(`params.statusId: status ${offers.statuses[1]!.id} is not in pipeline "Sales"`);
    expect(e.path).toBe('params.statusId');
  });

  it('names a pipeline that does not exist', async () => {
    const e = await refused({ action: 'create_lead', params: { name: 'New', pipelineId: 99, statusId: 1, responsible: 'entity' } });
    expect(e.path).toBe('params.pipelineId');
    expect(e.message).toContain('pipeline 99 does not exist');
  });

  it('refuses text in a numeric field', async () => {
    const e = await refused({ action: 'change_field', params: { entity: 'leads', fieldId: w.crm.budgetFieldId, value: '12k' } });
    expect(e.message).toBe('params.value: "12k" is not a number (field "Budget" is numeric: digits only, e.g. 42 or 12.5)');
  });

  it('refuses a value that is not an option of a list field, listing the options', async () => {
    const e = await refused({ action: 'change_field', params: { entity: 'leads', fieldId: f.channel, value: 'Fax' } });
    expect(e.message).toBe('params.value: "Fax" is not an option of the list field "Channel" (options: "Email", "Phone", "Web")');
  });

  it('refuses a user who is not in the account', async () => {
    const e = await refused({ action: 'set_task', params: { taskTypeId: 1, deadline: { kind: 'end_of_day' }, responsible: 424242, text: 'Call' } });
    expect(e.message).toBe('params.responsible: user 424242 is not a user of this Kommo account');
  });

  it.each([
    ['a switch that is neither 1 nor 0', () => ({ entity: 'leads', fieldId: f.vip, value: 'yes' }), 'params.value', 'write 1 to turn it on or 0 to turn it off'],
    ['a date that does not exist', () => ({ entity: 'leads', fieldId: f.nextCall, value: '2024-02-31' }), 'params.value', 'is not a date'],
    ['a URL field given something else', () => ({ entity: 'companies', fieldId: f.site, value: 'not a link' }), 'params.value', 'is not a URL'],
    ['a field of another entity', () => ({ entity: 'contacts', fieldId: f.vip, value: '1' }), 'params.fieldId', 'is not a contact field'],
  ])('refuses %s', async (_label, params, path, text) => {
    const e = await refused({ action: 'change_field', params: params() });
    expect(e.path).toBe(path);
    expect(e.message).toContain(text);
  });

  it('refuses a template or mailbox that does not exist', async () => {
    const t = await refused({ action: 'send_email', params: { templateId: '00000000-0000-4000-8000-000000000000', mailbox: 'original' } });
    expect(t.path).toBe('params.templateId');
    const tpl = await createTemplate(w, w.admin, { subject: 's', html: '<p>x</p>' });
    const m = await refused({ action: 'send_email', params: { templateId: tpl, mailbox: '00000000-0000-4000-8000-000000000000' } });
    expect(m.path).toBe('params.mailbox');
  });

  it('refuses a text whose template syntax is broken, and malformed parameters', async () => {
    const e = await refused({ action: 'add_note', params: { text: 'Hello {{#if lead.name}}open' } });
    expect(e.path).toBe('params.text');
    const shape = await refused({ action: 'set_task', params: { taskTypeId: 3, deadline: { kind: 'end_of_day' }, responsible: 'entity', text: 'x' } });
    expect(shape.path).toBe('body.params.taskTypeId');
    const tags = await refused({ action: 'change_tags', params: { add: [], remove: [] } });
    expect(tags.path).toBe('body.params.add');
  });

  it('accepts every field kind with a value that fits', async () => {
    for (const [fieldId, value] of [
      [w.crm.budgetFieldId, '42'],
      [f.vip, '0'],
      [f.channel, 'Phone'],
      [f.nextCall, '2018-08-29'],
      [f.nextCall, '{date}'],
      [f.channel, '{reset}'],
    ] as const) {
      const res = await w.api(w.admin).post('/api/triggers').send({ name: 'ok', action: 'change_field', params: { entity: 'leads', fieldId, value } });
      expect([fieldId, value, res.status]).toEqual([fieldId, value, 201]);
    }
  });
});
