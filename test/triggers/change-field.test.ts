/** "Change field" for every field kind: the exact PATCH Kommo receives, and what Kommo then holds. */
import { startWorld, SUB, type World } from '../support/world.js';
import { createTrigger, emailEvent, entityEvent, fireAndFinish, writesSince } from './trigger-helpers.js';
import { createMailbox, sendEmail, waitForStatus } from '../support/send-helpers.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import type { EmailView } from '../../shared/schemas/email.js';

let w: World;
let sink: SmtpSink;
let mail: EmailView;
const f = { note: 0, vip: 0, channel: 0, interests: 0, nextCall: 0, contactNote: 0, companyNote: 0 };
const opt: Record<string, number> = {};
let multiLead: number;

beforeAll(async () => {
  w = await startWorld();
  const sim = w.kommo.sim;
  f.note = sim.addCustomField(SUB, 'leads', { name: 'Last mail', type: 'text' }).id;
  f.vip = sim.addCustomField(SUB, 'leads', { name: 'VIP', type: 'checkbox' }).id;
  const channel = sim.addCustomField(SUB, 'leads', { name: 'Channel', type: 'select', enums: ['Email', 'Phone'] });
  const interests = sim.addCustomField(SUB, 'leads', { name: 'Interests', type: 'multiselect', enums: ['A', 'B', 'C'] });
  f.channel = channel.id;
  f.interests = interests.id;
  for (const e of [...channel.enums!, ...interests.enums!]) opt[e.value] = e.id;
  f.nextCall = sim.addCustomField(SUB, 'leads', { name: 'Next call', type: 'date' }).id;
  f.contactNote = sim.addCustomField(SUB, 'contacts', { name: 'Mailed about', type: 'textarea' }).id;
  f.companyNote = sim.addCustomField(SUB, 'companies', { name: 'Status', type: 'text' }).id;
  multiLead = sim.addLead(SUB, { name: 'Multi', custom_fields_values: [{ field_id: f.interests, values: [{ enum_id: opt.A }] }] }).id;

  sink = await startSmtpSink();
  const mailboxId = await createMailbox(w, w.user, sink, { pacing: { messages: 100, seconds: 1 } });
  const id = await sendEmail(w, w.user, { mailboxId, subject: 'Offer for {{contact.first_name}}', html: '<p>x</p>', contactIds: [w.crm.contactId] });
  mail = await waitForStatus(w, w.user, id, 'sent');
});
afterAll(async () => {
  await sink.close();
  await w.stop();
});

const lead = () => ({ type: 'leads' as const, id: w.crm.leadId });
const storedValues = (entity: 'leads' | 'contacts' | 'companies', id: number, fieldId: number) =>
  w.kommo.sim.state.account(SUB)[entity].get(id)!.custom_fields_values.find((v) => v.field_id === fieldId)?.values;

/** Saves a change_field trigger, fires it, and returns the one PATCH Kommo received and the run. */
async function change(params: { entity?: string; fieldId: number; value: string }, event = (t: string) => entityEvent([t], lead())) {
  const trigger = await createTrigger(w, { action: 'change_field', params: { entity: 'leads', ...params } });
  const since = Date.now();
  const run = await fireAndFinish(w, event(trigger));
  expect(run.error).toBeNull();
  expect(run.status).toBe('done');
  const patches = writesSince(w, since);
  expect(patches).toHaveLength(1);
  // What was planned and recorded is exactly what went over the wire.
  expect(run.calls[0]).toMatchObject({ status: 'done', method: patches[0]!.method, body: patches[0]!.body });
  expect(`/api/v4${run.calls[0]!.kind === 'kommo' ? run.calls[0]!.path : ''}`).toBe(patches[0]!.path);
  return { patch: patches[0]!, run };
}

const cf = (id: number, fieldId: number, values: unknown) => [{ id, custom_fields_values: [{ field_id: fieldId, values }] }];

it('text: replaces the value, with template and trigger variables filled in', async () => {
  const { patch } = await change({ fieldId: f.note, value: '{subject} ({{lead.name}})' }, (t) => emailEvent(mail, [t]));
  expect(patch).toMatchObject({ method: 'PATCH', path: '/api/v4/leads', body: cf(w.crm.leadId, f.note, [{ value: 'Offer for John (Big deal)' }]) });
  expect(storedValues('leads', w.crm.leadId, f.note)).toEqual([{ value: 'Offer for John (Big deal)' }]);
});

it('numeric: sends a number', async () => {
  const { patch } = await change({ fieldId: w.crm.budgetFieldId, value: '42' });
  expect(patch.body).toEqual(cf(w.crm.leadId, w.crm.budgetFieldId, [{ value: 42 }]));
  expect(storedValues('leads', w.crm.leadId, w.crm.budgetFieldId)).toEqual([{ value: 42 }]);
});

it('switch: 1 turns it on, 0 turns it off', async () => {
  expect((await change({ fieldId: f.vip, value: '1' })).patch.body).toEqual(cf(w.crm.leadId, f.vip, [{ value: true }]));
  expect(storedValues('leads', w.crm.leadId, f.vip)).toEqual([{ value: true }]);
  expect((await change({ fieldId: f.vip, value: '0' })).patch.body).toEqual(cf(w.crm.leadId, f.vip, [{ value: false }]));
  expect(storedValues('leads', w.crm.leadId, f.vip)).toEqual([{ value: false }]);
});

it('list: the option written is sent as its enum_id', async () => {
  const { patch } = await change({ fieldId: f.channel, value: 'Phone' });
  expect(patch.body).toEqual(cf(w.crm.leadId, f.channel, [{ enum_id: opt.Phone }]));
  expect(storedValues('leads', w.crm.leadId, f.channel)).toEqual([{ value: 'Phone', enum_id: opt.Phone }]);
});

it('multi-list: adds the option and keeps those already checked', async () => {
  const { patch } = await change({ fieldId: f.interests, value: 'C' }, (t) => entityEvent([t], { type: 'leads', id: multiLead }));
  expect(patch.body).toEqual(cf(multiLead, f.interests, [{ enum_id: opt.A }, { enum_id: opt.C }]));
  expect(storedValues('leads', multiLead, f.interests)!.map((v) => v.value)).toEqual(['A', 'C']);
});

it('date: YYYY-MM-DD is sent as unix seconds (UTC midnight)', async () => {
  const { patch } = await change({ fieldId: f.nextCall, value: '2025-01-01' });
  expect(patch.body).toEqual(cf(w.crm.leadId, f.nextCall, [{ value: 1735689600 }]));
});

it('date: {date} is the day the trigger runs', async () => {
  const { patch, run } = await change({ fieldId: f.nextCall, value: '{date}' });
  const day = new Date(run.started_at!);
  const midnight = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate()) / 1000;
  expect(patch.body).toEqual(cf(w.crm.leadId, f.nextCall, [{ value: midnight }]));
});

it('{reset} clears the field with values: null', async () => {
  expect(storedValues('leads', w.crm.leadId, w.crm.budgetFieldId)).toBeDefined();
  const { patch } = await change({ fieldId: w.crm.budgetFieldId, value: '{reset}' });
  expect(patch.body).toEqual(cf(w.crm.leadId, w.crm.budgetFieldId, null));
  expect(storedValues('leads', w.crm.leadId, w.crm.budgetFieldId)).toBeUndefined();
});

it('a contact field from a lead mail changes the contacts the mail went to, else the main contact', async () => {
  const toSecond = await change({ entity: 'contacts', fieldId: f.contactNote, value: 'offer' }, (t) => emailEvent(mail, [t], { contactIds: [w.crm.secondContactId] }));
  expect(toSecond.patch).toMatchObject({ path: '/api/v4/contacts', body: cf(w.crm.secondContactId, f.contactNote, [{ value: 'offer' }]) });
  const toMain = await change({ entity: 'contacts', fieldId: f.contactNote, value: 'main' });
  expect(toMain.patch.body).toEqual(cf(w.crm.contactId, f.contactNote, [{ value: 'main' }]));
});

it('a company field from a lead mail changes the lead’s company', async () => {
  const { patch } = await change({ entity: 'companies', fieldId: f.companyNote, value: 'mailed' });
  expect(patch).toMatchObject({ path: '/api/v4/companies', body: cf(w.crm.companyId, f.companyNote, [{ value: 'mailed' }]) });
});
