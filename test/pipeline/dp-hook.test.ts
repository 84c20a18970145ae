/**
 * The digital pipeline hook end to end with signed pipeline actions: an admin creates the action
 * through the API, Kommo's widget-action POST (JSON and form-encoded) carries its token →
 * dp_events row → queue job → lead re-read from the Kommo simulator → mail through real SMTP.
 */
import { SUB, ACCOUNT_ID, type World } from '../support/world.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import { eventually } from '../support/eventually.js';
import { createMailbox, createTemplate } from '../support/send-helpers.js';
import { createPipelineAction, dpPayload, postDpHook, type ActionOptions } from '../support/pipeline-action.js';
import { useWorldAndSink } from '../support/use-world.js';

let w: World;
let sink: SmtpSink;
let templateId: string;
let offer: { id: string; token: string };
let eventTime = 1_700_000_000;

useWorldAndSink({}, (x) => ({ w, sink } = x));
beforeAll(async () => {
  await createMailbox(w, w.user, sink, { pacing: { messages: 100, seconds: 1 } });
  templateId = await createTemplate(w, w.user, { name: 'Offer', subject: 'Offer for {{contact.first_name}}', html: '<p>Hello {{contact.name}}, about {{lead.name}}</p>', isPublic: true });
  offer = await createPipelineAction(w, { name: 'Offer on entry', templateId });
});

const sim = () => w.kommo.sim;
const db = () => w.server.services.db;

/** A fresh lead (own contact and address) so each test reads only its own mail. */
function newLead(opts: { tags?: string[]; responsible?: number; budget?: number } = {}): { leadId: number; statusId: number; pipelineId: number; address: string } {
  const address = `client${Math.floor(Math.random() * 1e9)}@client.example`;
  const contact = sim().addContact(SUB, { name: 'Ann Client', first_name: 'Ann', email: address });
  const lead = sim().addLead(SUB, {
    name: 'Pipeline deal',
    responsible_user_id: opts.responsible ?? w.crm.userId,
    pipeline_id: w.crm.pipelineId,
    contacts: [contact.id],
    tags: opts.tags,
    custom_fields_values: opts.budget === undefined ? [] : [{ field_id: w.crm.budgetFieldId, values: [{ value: opts.budget }] }],
  });
  return { leadId: lead.id, statusId: lead.status_id, pipelineId: lead.pipeline_id, address };
}

const payload = (l: { leadId: number; statusId: number; pipelineId: number }, settings: Record<string, unknown>, time = ++eventTime) =>
  dpPayload(l, settings, { accountId: ACCOUNT_ID, subdomain: SUB, time });

const action = (o: Partial<ActionOptions> = {}) => createPipelineAction(w, { templateId, ...o });

/** `a[b][c]=v` pairs, as Kommo's form-encoded deliveries look. */
function formEncode(obj: unknown, prefix = ''): string[] {
  if (obj === null || typeof obj !== 'object') return [`${encodeURIComponent(prefix)}=${encodeURIComponent(String(obj))}`];
  return Object.entries(obj as Record<string, unknown>).flatMap(([k, v]) => formEncode(v, prefix ? `${prefix}[${k}]` : k));
}

const hook = (body: unknown) => postDpHook(w, body);

async function outcomeOf(eventId: string): Promise<{ outcome: string; email_id: string | null; received_at: Date }> {
  return eventually(
    async () => {
      const r = await db().query('SELECT outcome, email_id, received_at FROM dp_events WHERE id = $1', [eventId]);
      expect(r.rows[0]?.outcome).toBeTruthy();
      return r.rows[0];
    },
    { timeoutMs: 15_000, intervalMs: 100 },
  );
}

const emailsOfLead = async (leadId: number) =>
  (await db().query("SELECT id, source, status, template_id, to_addresses, created_at FROM emails WHERE entity_type = 'leads' AND entity_id = $1", [leadId])).rows;
const eventsOfLead = async (leadId: number) => (await db().query('SELECT * FROM dp_events WHERE lead_id = $1', [leadId])).rows;

const waitForMail = (address: string) =>
  eventually(
    () => {
      const m = sink.messages.find((x) => x.envelope.rcptTo.includes(address));
      expect(m).toBeDefined();
      return m!;
    },
    { timeoutMs: 15_000, intervalMs: 100 },
  );

describe('POST /hooks/kommo/dp with a signed pipeline action', () => {
  it('accepts the JSON payload before doing the work, and sends the action’s template to the lead’s contacts from the queue', async () => {
    const l = newLead();
    const res = await hook(payload(l, { action: offer.token }));
    // The answer comes before any work: no outcome yet (how fast it comes is measured by npm run bench).
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ duplicate: false, outcome: null });

    const o = await outcomeOf(res.body.eventId);
    expect(o.outcome).toBe('queued');
    const msg = await waitForMail(l.address);
    expect(msg.parsed.subject).toBe('Offer for Ann');
    expect(msg.parsed.html).toContain('Hello Ann Client, about Pipeline deal');
    const [email] = await emailsOfLead(l.leadId);
    expect(email).toMatchObject({ id: o.email_id, source: 'pipeline', to_addresses: [l.address] });
    const [event] = await eventsOfLead(l.leadId);
    expect(event.action_id).toBe(offer.id);
    // The payload was only a hint: the lead was read back from Kommo with the stored token.
    expect(sim().requestsFor(SUB, { method: 'GET', path: `/api/v4/leads/${l.leadId}` }).length).toBeGreaterThan(0);
  });

  it('accepts the form-encoded payload (event[data][id]=…)', async () => {
    const l = newLead();
    const body = formEncode(payload(l, { action: offer.token })).join('&');
    expect(body).toContain(encodeURIComponent('event[data][id]'));
    const res = await postDpHook(w, undefined).type('form').send(body);
    expect(res.status).toBe(200);
    expect((await outcomeOf(res.body.eventId)).outcome).toBe('queued');
    await waitForMail(l.address);
    expect(await emailsOfLead(l.leadId)).toHaveLength(1);
  });

  it('ignores template, delay and filter settings added to the payload: the stored action decides', async () => {
    const other = await createTemplate(w, w.admin, { name: 'Other', subject: 'Other mail', html: '<p>other</p>' });
    const l = newLead();
    const res = await hook(
      payload(l, { action: offer.token, template: other, delay: '1 day', filter_tag: 'nobody-has-this', filter_field: 'Budget', filter_value: '1', filter: { tag: 'x' } }),
    );
    expect(res.status).toBe(200);
    // No delay: the job is due at once, not in a day.
    expect(new Date(res.body.runAt).getTime()).toBeLessThan(Date.now() + 60_000);
    expect((await outcomeOf(res.body.eventId)).outcome).toBe('queued');
    const msg = await waitForMail(l.address);
    expect(msg.parsed.subject).toBe('Offer for Ann');
    const emails = await emailsOfLead(l.leadId);
    expect(emails.map((e) => e.template_id)).toEqual([templateId]);
  });

  it('sends once when Kommo delivers the same event repeatedly, whatever event.time says', async () => {
    const l = newLead();
    const p = payload(l, { action: offer.token });
    const again = payload(l, { action: offer.token }); // a later event.time
    // …and whatever else the caller may vary: the event type, the optional pipeline id.
    const retyped = { ...payload(l, { action: offer.token }), event: { type: 14, data: { id: l.leadId, status_id: l.statusId }, time: 7 } };
    const answers = await Promise.all([
      hook(p),
      hook(again),
      hook(payload(l, { action: offer.token }, 42)),
      hook(retyped),
      postDpHook(w, undefined).type('form').send(formEncode(p).join('&')),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers.filter((a) => a.body.duplicate === false)).toHaveLength(1);
    const first = answers.find((a) => !a.body.duplicate)!.body.eventId;
    expect(answers.every((a) => a.body.eventId === first)).toBe(true);
    await outcomeOf(first);
    await waitForMail(l.address);
    // A late repeat, after the mail went out, is still the same event.
    expect((await hook(payload(l, { action: offer.token }, 1_900_000_000))).body).toMatchObject({ duplicate: true, eventId: first });
    expect(await emailsOfLead(l.leadId)).toHaveLength(1);
    expect(await eventsOfLead(l.leadId)).toHaveLength(1);
  });

  it('does nothing for a lead that left the status before the job ran', async () => {
    const slow = await action({ name: 'Slow', delaySeconds: 2 });
    const l = newLead();
    const res = await hook(payload(l, { action: slow.token }));
    expect(res.status).toBe(200);
    const pipeline = sim().state.account(SUB).pipelines.get(l.pipelineId)!;
    sim().lead(SUB, l.leadId)!.status_id = pipeline.statuses.find((s) => s.id !== l.statusId && s.id !== 142 && s.id !== 143)!.id;
    const o = await outcomeOf(res.body.eventId);
    expect(o.outcome).toMatch(/^skipped: lead left the status/);
    expect(await emailsOfLead(l.leadId)).toHaveLength(0);
  });

  it('does nothing for a payload naming a status the lead is not in, or a lead Kommo does not have', async () => {
    const l = newLead();
    const wrong = await hook(payload({ ...l, statusId: 142 }, { action: offer.token }));
    expect((await outcomeOf(wrong.body.eventId)).outcome).toMatch(/^skipped: lead left the status/);
    const missing = await hook(payload({ ...l, leadId: 987654321 }, { action: offer.token }));
    expect((await outcomeOf(missing.body.eventId)).outcome).toBe('skipped: lead 987654321 not found in Kommo');
    expect(await emailsOfLead(l.leadId)).toHaveLength(0);
  });

  it('applies the action’s filter to the lead as Kommo has it: tag present, field value equal', async () => {
    const byTag = await action({ name: 'VIP only', filter: { tag: 'VIP' } });
    const byBudget = await action({ name: 'Budget 900', filter: { field: 'Budget', value: '900' } });
    const vip = newLead({ tags: ['vip'], budget: 500 });
    const plain = newLead({ budget: 900 });
    const a = await hook(payload(vip, { action: byTag.token }));
    const b = await hook(payload(plain, { action: byTag.token }));
    expect((await outcomeOf(a.body.eventId)).outcome).toBe('queued');
    expect((await outcomeOf(b.body.eventId)).outcome).toBe('skipped: filter: the lead has no tag "VIP"');

    const byField = await hook(payload(plain, { action: byBudget.token }));
    const notField = await hook(payload(vip, { action: byBudget.token }));
    expect((await outcomeOf(byField.body.eventId)).outcome).toBe('queued');
    expect((await outcomeOf(notField.body.eventId)).outcome).toBe('skipped: filter: field "Budget" is "500", not "900"');
    await waitForMail(plain.address);
    expect(await emailsOfLead(vip.leadId)).toHaveLength(1);
    expect(await emailsOfLead(plain.leadId)).toHaveLength(1);
  });

  it('honours the action’s delay: nothing is created before it is over', async () => {
    const later = await action({ name: 'Later', delaySeconds: 3 });
    const l = newLead();
    const res = await hook(payload(l, { action: later.token }));
    expect(res.body.runAt).toBeTruthy();
    const job = await db().query("SELECT next_run_at FROM agenda_jobs WHERE name = 'pipeline.dp-event' AND data->>'eventId' = $1", [res.body.eventId]);
    expect(new Date(job.rows[0].next_run_at).getTime() - Date.now()).toBeGreaterThan(2000);
    expect(await emailsOfLead(l.leadId)).toHaveLength(0);
    const o = await outcomeOf(res.body.eventId);
    expect(o.outcome).toBe('queued');
    const [email] = await emailsOfLead(l.leadId);
    expect(new Date(email.created_at).getTime() - new Date(o.received_at).getTime()).toBeGreaterThanOrEqual(3000);
  });

  it('a switched-off or deleted action does nothing and keeps nothing; switching it off during the delay stops the send', async () => {
    const a = await action({ name: 'Switchable', delaySeconds: 3600 });
    const l = newLead();
    const pending = await hook(payload(l, { action: a.token }));
    expect(pending.body.runAt).toBeTruthy();

    expect((await w.api(w.admin).patch(`/api/pipeline-actions/${a.id}`).send({ active: false })).status).toBe(200);
    const off = await hook(payload(newLead(), { action: a.token }));
    expect(off.status).toBe(200);
    expect(off.body).toEqual({ eventId: null, duplicate: false, outcome: 'skipped: pipeline action "Switchable" is switched off', runAt: null });
    // The event received before it was switched off is decided as skipped when its time comes.
    await db().query("UPDATE agenda_jobs SET next_run_at = now() WHERE name = 'pipeline.dp-event' AND data->>'eventId' = $1", [pending.body.eventId]);
    expect((await outcomeOf(pending.body.eventId)).outcome).toBe('skipped: pipeline action "Switchable" is switched off');

    expect((await w.api(w.admin).delete(`/api/pipeline-actions/${a.id}`)).status).toBe(204);
    const gone = newLead();
    const deleted = await hook(payload(gone, { action: a.token }));
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ eventId: null, outcome: 'skipped: the pipeline action was deleted' });
    expect(await eventsOfLead(gone.leadId)).toHaveLength(0);
    expect(await emailsOfLead(l.leadId)).toHaveLength(0);
  });

  it('records why nothing was sent when the mailbox or the template cannot work', async () => {
    // Pedro is responsible and has no mailbox; the template's owner (the admin) has none either.
    const adminOnly = await createTemplate(w, w.admin, { name: 'Admin only', subject: 'Hi', html: '<p>x</p>' });
    const a = await action({ name: 'No mailbox', templateId: adminOnly });
    const l = newLead({ responsible: w.crm.otherUserId });
    const o = await outcomeOf((await hook(payload(l, { action: a.token }))).body.eventId);
    expect(o.outcome).toMatch(/^skipped: no mailbox to send from/);

    const doomed = await createTemplate(w, w.admin, { name: 'Doomed', subject: 'Hi', html: '<p>x</p>' });
    const b = await action({ name: 'Loses its template', templateId: doomed });
    expect((await w.api(w.admin).delete(`/api/templates/${doomed}`)).status).toBe(204);
    const viewed = await w.api(w.admin).get(`/api/pipeline-actions/${b.id}`);
    expect(viewed.body).toMatchObject({ templateId: null, templateName: null });
    const m = newLead();
    expect((await outcomeOf((await hook(payload(m, { action: b.token }))).body.eventId)).outcome).toBe('skipped: the template of pipeline action "Loses its template" was deleted');
    expect(await emailsOfLead(l.leadId)).toHaveLength(0);
    expect(await emailsOfLead(m.leadId)).toHaveLength(0);
  });

  it('answers 400 naming the field for a payload that is not a widget action or has no token, and stores nothing', async () => {
    const before = (await db().query('SELECT count(*)::int AS n FROM dp_events')).rows[0].n;
    const res = await hook({ event: { data: {} }, subdomain: SUB });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION');
    const noToken = await hook(payload(newLead(), { template: templateId }));
    expect(noToken.status).toBe(400);
    expect(noToken.body.error.message).toMatch(/^body\.action\.settings\.widget\.settings\.action: is required/);
    expect((await db().query('SELECT count(*)::int AS n FROM dp_events')).rows[0].n).toBe(before);
  });
});
