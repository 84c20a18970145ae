/** Every action but "Change field": the exact request Kommo receives, and the run in the mail's history. */
import { startWorld, SUB, type World } from '../support/world.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { createMailbox, createTemplate, sendEmail, waitForStatus } from '../support/send-helpers.js';
import { eventually } from '../support/eventually.js';
import type { EmailView } from '../../shared/schemas/email.js';
import type { TriggerRunView } from '../../shared/schemas/trigger.js';
import { createTrigger, emailEvent, entityEvent, fireAndFinish, writesSince } from './trigger-helpers.js';

let w: World;
let sink: SmtpSink;
let mailboxId: string;
let mail: EmailView;
let offers: { id: number; statuses: { id: number }[] };

beforeAll(async () => {
  w = await startWorld();
  offers = w.kommo.sim.addPipeline(SUB, { name: 'Offers', statuses: ['Offer sent', 'Familiar with the offer'] });
  sink = await startSmtpSink();
  mailboxId = await createMailbox(w, w.user, sink, { pacing: { messages: 100, seconds: 1 } });
  const id = await sendEmail(w, w.user, { mailboxId, subject: 'Offer for {{contact.first_name}}', html: '<p>x</p>', contactIds: [w.crm.contactId] });
  mail = await waitForStatus(w, w.user, id, 'sent');
});
afterAll(async () => {
  await sink.close();
  await w.stop();
});

const sentAtText = () => mail.sentAt!.slice(0, 16).replace('T', ' ');

/** Fires one trigger and returns the single write Kommo received, after checking plan = wire. */
async function fireOne(trigger: string, event = emailEvent(mail, [trigger])) {
  const since = Date.now();
  const run = await fireAndFinish(w, event);
  expect(run.error).toBeNull();
  expect(run.status).toBe('done');
  const writes = writesSince(w, since);
  expect(writes).toHaveLength(1);
  expect(run.calls[0]).toMatchObject({ status: 'done', body: writes[0]!.body });
  return { run, write: writes[0]! };
}

async function runInHistory(emailId: string, triggerId: string): Promise<TriggerRunView> {
  const res = await w.api(w.user).get(`/api/emails/${emailId}`);
  const run = (res.body.triggerRuns as TriggerRunView[]).find((r) => r.triggerId === triggerId);
  expect(run).toBeDefined();
  return run!;
}

it('add note: POST /leads/notes with {subject}, {sended_at}, {id} and template variables; shown in the mail’s history', async () => {
  const t = await createTrigger(w, { name: 'Note it', action: 'add_note', params: { text: 'Mail "{subject}" sent {sended_at} (id {id}) to {{contact.first_name}}' } });
  const { write, run } = await fireOne(t);
  const text = `Mail "Offer for John" sent ${sentAtText()} (id ${mail.id}) to John`;
  expect(write).toMatchObject({ method: 'POST', path: '/api/v4/leads/notes', body: [{ entity_id: w.crm.leadId, note_type: 'common', params: { text } }] });
  expect(w.kommo.sim.notes(SUB, { entity_type: 'leads', entity_id: w.crm.leadId }).map((n) => n.params.text)).toContain(text);

  const h = await runInHistory(mail.id, t);
  expect(h).toMatchObject({ name: 'Note it', action: 'add_note', point: 'sent', status: 'done', error: null });
  expect(h.calls).toEqual([expect.objectContaining({ kind: 'kommo', method: 'POST', path: '/leads/notes', status: 'done', answer: { id: expect.any(Number) } })]);
  expect(h.finishedAt).not.toBeNull();
  expect(run.result).toMatch(/^note \d+ added$/);
});

it('add note on a failed send can say why: event variables such as {error}, and {date}', async () => {
  const t = await createTrigger(w, { action: 'add_note', params: { text: 'Not delivered: {subject} ({error}), noted {date}' } });
  const { write, run } = await fireOne(t, emailEvent(mail, [t], { point: 'failed', vars: { error: '554 5.7.1 spam' } }));
  const day = run.started_at!.toISOString().slice(0, 10);
  expect(write.body).toEqual([{ entity_id: w.crm.leadId, note_type: 'common', params: { text: `Not delivered: Offer for John (554 5.7.1 spam), noted ${day}` } }]);
});

it('change lead status: PATCH /leads with status and pipeline', async () => {
  const statusId = offers.statuses[0]!.id;
  const t = await createTrigger(w, { action: 'change_status', params: { pipelineId: offers.id, statusId } });
  const { write } = await fireOne(t);
  expect(write).toMatchObject({ method: 'PATCH', path: '/api/v4/leads', body: [{ id: w.crm.leadId, status_id: statusId, pipeline_id: offers.id }] });
  expect(w.kommo.sim.lead(SUB, w.crm.leadId)).toMatchObject({ status_id: statusId, pipeline_id: offers.id });
});

it('change tags: tags_to_add and tags_to_delete, never _embedded.tags', async () => {
  const tagged = w.kommo.sim.addLead(SUB, { name: 'Tagged', tags: ['cold', 'keep'], contacts: [w.crm.contactId] });
  const t = await createTrigger(w, { action: 'change_tags', params: { add: ['emailed', 'hot'], remove: ['cold'] } });
  const { write } = await fireOne(t, entityEvent([t], { type: 'leads', id: tagged.id }));
  expect(write).toMatchObject({ method: 'PATCH', path: '/api/v4/leads' });
  expect(write.body).toEqual([{ id: tagged.id, tags_to_add: [{ name: 'emailed' }, { name: 'hot' }], tags_to_delete: [{ name: 'cold' }] }]);
  expect(w.kommo.sim.tagNames(SUB, 'leads', tagged.id).sort()).toEqual(['emailed', 'hot', 'keep']);
});

it('set task: relative deadline, the entity’s responsible user, text with variables', async () => {
  const t = await createTrigger(w, {
    action: 'set_task',
    params: { taskTypeId: 1, deadline: { kind: 'relative', amount: 2, unit: 'hours' }, responsible: 'entity', text: 'Call {{contact.name}} about "{subject}"' },
  });
  const { write, run } = await fireOne(t);
  expect(write).toMatchObject({ method: 'POST', path: '/api/v4/tasks' });
  const [task] = write.body as { complete_till: number }[];
  expect(task).toEqual({
    text: 'Call John Smith about "Offer for John"',
    complete_till: expect.any(Number),
    task_type_id: 1,
    entity_id: w.crm.leadId,
    entity_type: 'leads',
    responsible_user_id: w.crm.userId,
  });
  // Two hours after the trigger ran.
  expect(task!.complete_till).toBeGreaterThanOrEqual(Math.floor(run.started_at!.getTime() / 1000) + 7200);
  expect(task!.complete_till).toBeLessThanOrEqual(Math.ceil(run.finished_at!.getTime() / 1000) + 7200);
});

it('set task: end of day, a chosen user, a meeting', async () => {
  const t = await createTrigger(w, { action: 'set_task', params: { taskTypeId: 2, deadline: { kind: 'end_of_day' }, responsible: w.crm.otherUserId, text: 'Meet' } });
  const { write, run } = await fireOne(t);
  const day = run.started_at!;
  const endOfDay = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 23, 59, 59) / 1000;
  expect(write.body).toEqual([{ text: 'Meet', complete_till: endOfDay, task_type_id: 2, entity_id: w.crm.leadId, entity_type: 'leads', responsible_user_id: w.crm.otherUserId }]);
  expect(w.kommo.sim.tasks(SUB).some((x) => x.text === 'Meet' && x.responsible_user_id === w.crm.otherUserId)).toBe(true);
});

it('create lead: POST /leads with the contact the mail went to embedded', async () => {
  const statusId = offers.statuses[1]!.id;
  const t = await createTrigger(w, {
    action: 'create_lead',
    params: { name: 'Repeat order: {subject}', pipelineId: offers.id, statusId, responsible: w.crm.otherUserId },
  });
  const { write, run } = await fireOne(t, emailEvent(mail, [t], { contactIds: [w.crm.secondContactId] }));
  expect(write).toMatchObject({ method: 'POST', path: '/api/v4/leads' });
  expect(write.body).toEqual([
    { name: 'Repeat order: Offer for John', pipeline_id: offers.id, status_id: statusId, responsible_user_id: w.crm.otherUserId, _embedded: { contacts: [{ id: w.crm.secondContactId }] } },
  ]);
  const created = w.kommo.sim.lead(SUB, (run.calls[0]!.answer as { id: number }).id)!;
  expect(created).toMatchObject({ name: 'Repeat order: Offer for John', status_id: statusId, contacts: [{ id: w.crm.secondContactId, is_main: true }] });
});

it('create lead for a contact mail without recipients: the contact itself, its responsible user', async () => {
  const t = await createTrigger(w, { action: 'create_lead', params: { name: 'From {{contact.name}}', pipelineId: offers.id, statusId: offers.statuses[0]!.id, responsible: 'entity' } });
  const { write } = await fireOne(t, entityEvent([t], { type: 'contacts', id: w.crm.contactId }));
  const responsible = w.kommo.sim.contact(SUB, w.crm.contactId)!.responsible_user_id;
  expect(write.body).toEqual([
    { name: 'From John Smith', pipeline_id: offers.id, status_id: offers.statuses[0]!.id, responsible_user_id: responsible, _embedded: { contacts: [{ id: w.crm.contactId }] } },
  ]);
});

it('send email: the template goes to the entity’s contacts from the original mailbox, marked as a trigger mail with its own trigger points', async () => {
  const noteOnSent = await createTrigger(w, { action: 'add_note', params: { text: 'Follow-up {subject} sent' } });
  const tpl = await createTemplate(w, w.user, { name: 'Follow-up', subject: 'Follow-up: {{lead.name}}', html: '<p>Hello {{contact.first_name}}</p>', triggers: { sent: [noteOnSent] } });
  const t = await createTrigger(w, { action: 'send_email', params: { templateId: tpl, mailbox: 'original' } });
  const run = await fireAndFinish(w, emailEvent(mail, [t], { point: 'not_opened' }));
  expect(run.status).toBe('done');
  const answer = run.calls[0]!.answer as { status: string; emailId: string };
  expect(run.calls[0]).toMatchObject({ kind: 'email', op: 'send_email', templateId: tpl, mailboxId: mail.mailboxId, status: 'done' });
  expect(answer.status).toBe('queued');

  const child = await waitForStatus(w, w.user, answer.emailId, 'sent');
  expect(child).toMatchObject({ subject: 'Follow-up: Big deal', templateId: tpl, mailboxId: mail.mailboxId });
  const msg = await eventually(() => {
    const m = sink.messages.find((x) => x.parsed.headers.get('x-leadmail-email-id') === child.id);
    expect(m).toBeDefined();
    return m!;
  });
  expect(msg.envelope.rcptTo.sort()).toEqual(['jane@client.example', 'john@client.example']);
  const row = await w.server.services.db.query('SELECT source, parent_email_id, contact_ids::text[] AS contact_ids FROM emails WHERE id = $1', [child.id]);
  expect(row.rows[0]).toEqual({ source: 'trigger', parent_email_id: mail.id, contact_ids: [String(w.crm.contactId), String(w.crm.secondContactId)] });
  // The template's trigger points were copied onto the new mail, and its "sent" trigger ran.
  await eventually(async () => expect((await runInHistory(child.id, noteOnSent)).status).toBe('done'), { timeoutMs: 15_000 });
  expect((await runInHistory(mail.id, t)).calls[0]!.answer).toMatchObject({ emailId: child.id });
});
