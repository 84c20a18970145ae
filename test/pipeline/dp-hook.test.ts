/**
 * The digital pipeline hook end to end: Kommo's widget-action POST (JSON and form-encoded) →
 * dp_events row → queue job → lead re-read from the Kommo simulator → mail through real SMTP.
 */
import supertest from 'supertest';
import { startWorld, SUB, ACCOUNT_ID, type World } from '../support/world.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { eventually } from '../support/eventually.js';
import { createMailbox, createTemplate } from '../support/send-helpers.js';

let w: World;
let sink: SmtpSink;
let templateId: string;
let eventTime = 1_700_000_000;

beforeAll(async () => {
  w = await startWorld();
  sink = await startSmtpSink();
  await createMailbox(w, w.user, sink, { pacing: { messages: 100, seconds: 1 } });
  templateId = await createTemplate(w, w.user, { name: 'Offer', subject: 'Offer for {{contact.first_name}}', html: '<p>Hello {{contact.name}}, about {{lead.name}}</p>' });
});
afterAll(async () => {
  await sink.close();
  await w.stop();
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

function payload(l: { leadId: number; statusId: number; pipelineId: number }, settings: Record<string, unknown>, over: { account_id?: number; subdomain?: string; time?: number } = {}) {
  return {
    event: {
      type: 15,
      type_code: 'lead_appeared_in_status',
      data: { id: l.leadId, element_type: 2, status_id: l.statusId, pipeline_id: l.pipelineId },
      time: over.time ?? ++eventTime,
    },
    action: { settings: { widget: { settings: settings } } },
    subdomain: over.subdomain ?? SUB,
    account_id: over.account_id ?? ACCOUNT_ID,
  };
}

/** `a[b][c]=v` pairs, as Kommo's form-encoded deliveries look. */
function formEncode(obj: unknown, prefix = ''): string[] {
  if (obj === null || typeof obj !== 'object') return [`${encodeURIComponent(prefix)}=${encodeURIComponent(String(obj))}`];
  return Object.entries(obj as Record<string, unknown>).flatMap(([k, v]) => formEncode(v, prefix ? `${prefix}[${k}]` : k));
}

const hook = () => supertest(w.server.url).post('/hooks/kommo/dp');

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
  (await db().query("SELECT id, source, status, to_addresses, created_at FROM emails WHERE entity_type = 'leads' AND entity_id = $1", [leadId])).rows;

const waitForMail = (address: string) =>
  eventually(
    () => {
      const m = sink.messages.find((x) => x.envelope.rcptTo.includes(address));
      expect(m).toBeDefined();
      return m!;
    },
    { timeoutMs: 15_000, intervalMs: 100 },
  );

describe('POST /hooks/kommo/dp', () => {
  it('accepts the JSON payload before doing the work, and sends the template to the lead’s contacts from the queue', async () => {
    const l = newLead();
    const res = await hook().send(payload(l, { template: 'Offer' }));
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
    // The payload was only a hint: the lead was read back from Kommo with the stored token.
    expect(sim().requestsFor(SUB, { method: 'GET', path: `/api/v4/leads/${l.leadId}` }).length).toBeGreaterThan(0);
  });

  it('accepts the form-encoded payload (event[data][id]=…) and names the template by id', async () => {
    const l = newLead();
    const body = formEncode(payload(l, { template: templateId })).join('&');
    expect(body).toContain(encodeURIComponent('event[data][id]'));
    const res = await hook().type('form').send(body);
    expect(res.status).toBe(200);
    expect((await outcomeOf(res.body.eventId)).outcome).toBe('queued');
    await waitForMail(l.address);
    expect(await emailsOfLead(l.leadId)).toHaveLength(1);
  });

  it('sends once when Kommo delivers the same event repeatedly', async () => {
    const l = newLead();
    const p = payload(l, { template: 'Offer' });
    const answers = await Promise.all([hook().send(p), hook().send(p), hook().type('form').send(formEncode(p).join('&'))]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.filter((a) => a.body.duplicate === false)).toHaveLength(1);
    const first = answers.find((a) => !a.body.duplicate)!.body.eventId;
    expect(answers.every((a) => a.body.eventId === first)).toBe(true);
    await outcomeOf(first);
    await waitForMail(l.address);
    // A late repeat, after the mail went out, is still the same event.
    expect((await hook().send(p)).body).toMatchObject({ duplicate: true, eventId: first });
    expect(await emailsOfLead(l.leadId)).toHaveLength(1);
    const rows = await db().query('SELECT count(*)::int AS n FROM dp_events WHERE lead_id = $1', [l.leadId]);
    expect(rows.rows[0].n).toBe(1);
  });

  it('does nothing for an account that never installed the integration', async () => {
    const l = newLead();
    const res = await hook().send(payload(l, { template: 'Offer' }, { account_id: 424242, subdomain: 'stranger' }));
    expect(res.status).toBe(200);
    expect(res.body.outcome).toMatch(/^skipped: unknown account 424242/);
    const row = await db().query('SELECT outcome, email_id FROM dp_events WHERE id = $1', [res.body.eventId]);
    expect(row.rows[0]).toMatchObject({ outcome: expect.stringMatching(/unknown account/), email_id: null });
    // Claiming a known account under another subdomain is not that account either.
    const spoof = await hook().send(payload(l, { template: 'Offer' }, { subdomain: 'stranger' }));
    expect(spoof.body.outcome).toMatch(/^skipped: unknown account 1001/);
    expect(sim().requestsFor('stranger')).toHaveLength(0);
    expect(sim().requestsFor(SUB, { path: `/api/v4/leads/${l.leadId}` })).toHaveLength(0);
    expect(await emailsOfLead(l.leadId)).toHaveLength(0);
  });

  it('does nothing for a lead that left the status before the job ran', async () => {
    const l = newLead();
    const res = await hook().send(payload(l, { template: 'Offer', delay: '2 seconds' }));
    expect(res.status).toBe(200);
    const pipeline = sim().state.account(SUB).pipelines.get(l.pipelineId)!;
    sim().lead(SUB, l.leadId)!.status_id = pipeline.statuses.find((s) => s.id !== l.statusId && s.id !== 142 && s.id !== 143)!.id;
    const o = await outcomeOf(res.body.eventId);
    expect(o.outcome).toMatch(/^skipped: lead left the status/);
    expect(await emailsOfLead(l.leadId)).toHaveLength(0);
  });

  it('does nothing for a payload naming a status the lead is not in, or a lead Kommo does not have', async () => {
    const l = newLead();
    const wrong = await hook().send(payload({ ...l, statusId: 142 }, { template: 'Offer' }));
    expect((await outcomeOf(wrong.body.eventId)).outcome).toMatch(/^skipped: lead left the status/);
    const missing = await hook().send(payload({ ...l, leadId: 987654321 }, { template: 'Offer' }));
    expect((await outcomeOf(missing.body.eventId)).outcome).toBe('skipped: lead 987654321 not found in Kommo');
    expect(await emailsOfLead(l.leadId)).toHaveLength(0);
  });

  it('applies the action’s filter to the lead as Kommo has it: tag present, field value equal', async () => {
    const vip = newLead({ tags: ['vip'], budget: 500 });
    const plain = newLead({ budget: 900 });
    const a = await hook().send(payload(vip, { template: 'Offer', filter_tag: 'VIP' }));
    const b = await hook().send(payload(plain, { template: 'Offer', filter_tag: 'vip' }));
    expect((await outcomeOf(a.body.eventId)).outcome).toBe('queued');
    expect((await outcomeOf(b.body.eventId)).outcome).toBe('skipped: filter: the lead has no tag "vip"');

    const byField = await hook().send(payload(plain, { template: 'Offer', filter: { field: 'Budget', value: '900' } }));
    const notField = await hook().send(payload(vip, { template: 'Offer', filter_field: 'Budget', filter_value: '900' }));
    expect((await outcomeOf(byField.body.eventId)).outcome).toBe('queued');
    expect((await outcomeOf(notField.body.eventId)).outcome).toBe('skipped: filter: field "Budget" is "500", not "900"');
    await waitForMail(plain.address);
    expect(await emailsOfLead(vip.leadId)).toHaveLength(1);
    expect(await emailsOfLead(plain.leadId)).toHaveLength(1);
  });

  it('honours the action’s delay: nothing is created before it is over', async () => {
    const l = newLead();
    const res = await hook().send(payload(l, { template: 'Offer', delay: '3s' }));
    expect(res.body.runAt).toBeTruthy();
    const job = await db().query("SELECT next_run_at FROM agenda_jobs WHERE name = 'pipeline.dp-event' AND data->>'eventId' = $1", [res.body.eventId]);
    expect(new Date(job.rows[0].next_run_at).getTime() - Date.now()).toBeGreaterThan(2000);
    expect(await emailsOfLead(l.leadId)).toHaveLength(0);
    const o = await outcomeOf(res.body.eventId);
    expect(o.outcome).toBe('queued');
    const [email] = await emailsOfLead(l.leadId);
    expect(new Date(email.created_at).getTime() - new Date(o.received_at).getTime()).toBeGreaterThanOrEqual(3000);
  });

  it('records why nothing was sent when the settings or the mailbox cannot work', async () => {
    const l = newLead({ responsible: w.crm.otherUserId });
    const badDelay = await hook().send(payload(l, { template: 'Offer', delay: 'soon' }));
    expect(badDelay.body.outcome).toMatch(/^skipped: settings: delay "soon" is not a duration/);
    const noTemplate = await hook().send(payload(l, { template: 'Nope' }));
    expect((await outcomeOf(noTemplate.body.eventId)).outcome).toBe('skipped: template "Nope" not found');

    // Pedro is responsible and has no mailbox; the template's owner (the admin) has none either.
    const res = await w.api(w.admin).post('/api/templates').send({ name: 'Admin only', subject: 'Hi', html: '<p>x</p>' });
    const o = await outcomeOf((await hook().send(payload(l, { template: res.body.id }))).body.eventId);
    expect(o.outcome).toMatch(/^skipped: no mailbox to send from/);
    expect(await emailsOfLead(l.leadId)).toHaveLength(0);
  });

  it('answers 400 for a payload that is not a widget action', async () => {
    const res = await hook().send({ event: { data: {} }, subdomain: SUB });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION');
  });
});
