/**
 * The "Widget setup example" of seed 004, end to end against the Kommo simulator, real
 * PostgreSQL, real SMTP and the real queue:
 *   a lead entering "Qualified" gets the "Offer" mail (digital pipeline) → moves to "Offer sent";
 *   a human open creates the "Call the client" task; a click on the offer link moves the lead to
 *   "Familiar with the offer" once; no open within 24 h sends the second mail.
 * The 24 h timer is real: the test moves its queued job to "now" instead of waiting a day.
 */
import supertest from 'supertest';
import { startWorld, SUB, type World } from '../support/world.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { eventually } from '../support/eventually.js';
import { createMailbox, createTemplate } from '../support/send-helpers.js';
import { createPipelineAction } from '../support/pipeline-action.js';
import { clickPaths, deliveredMinuteAgo, hit, pixelPath, settledTracking, UA } from '../tracking/tracking-helpers.js';

let w: World;
let sink: SmtpSink;
const ids = {} as {
  pipeline: number; qualified: number; offerSent: number; familiar: number;
  tOfferSent: string; tTask: string; tFamiliar: string; tResend: string; link: number;
  offer: string; reminder: string; action: string;
};

beforeAll(async () => {
  w = await startWorld();
  sink = await startSmtpSink();
  const sim = w.kommo.sim;
  const p = sim.addPipeline(SUB, { name: 'Offers', statuses: ['Incoming', 'Qualified', 'Offer sent', 'Familiar with the offer'] });
  const st = (name: string) => p.statuses.find((s) => s.name === name)!.id;
  Object.assign(ids, { pipeline: p.id, qualified: st('Qualified'), offerSent: st('Offer sent'), familiar: st('Familiar with the offer') });

  // The responsible manager's mailbox sends pipeline mail (seed 004: "select from whom to send").
  await createMailbox(w, w.user, sink, { pacing: { messages: 100, seconds: 1 } });

  const trigger = async (body: Record<string, unknown>) => {
    const res = await w.api(w.admin).post('/api/triggers').send(body);
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  ids.tOfferSent = await trigger({ name: 'Change stage to Offer sent', action: 'change_status', params: { pipelineId: p.id, statusId: ids.offerSent } });
  ids.tTask = await trigger({ name: 'Set Task', action: 'set_task', params: { taskTypeId: 1, deadline: { kind: 'relative', amount: 1, unit: 'days' }, responsible: 'entity', text: 'Call the client that has opened the offer "{subject}"' } });
  ids.tFamiliar = await trigger({ name: 'Change stage to Familiar with the offer', action: 'change_status', params: { pipelineId: p.id, statusId: ids.familiar } });
  const link = await w.api(w.admin).post('/api/trigger-links').send({ name: 'Link to the offer', executeOnce: true, redirectUrl: 'https://acme.example/offer.pdf', triggerIds: [ids.tFamiliar] });
  expect(link.status).toBe(201);
  ids.link = link.body.id;

  ids.reminder = await createTemplate(w, w.admin, { name: 'Offer reminder', subject: 'Did you see our offer, {{contact.first_name}}?', html: '<p>Just checking in.</p>' });
  ids.tResend = await trigger({ name: 'Resend email', action: 'send_email', params: { templateId: ids.reminder, mailbox: 'original' } });
  ids.offer = await createTemplate(w, w.admin, {
    name: 'Offer',
    isPublic: true,
    subject: 'Our offer for {{lead.name}}',
    html: `<p>Dear {{contact.first_name}},</p><p><a href="{triggerlink:${ids.link}}">Read the offer</a>.</p>`,
    triggers: { sent: [ids.tOfferSent], opened: [ids.tTask], notOpened: { afterSeconds: 24 * 3600, triggerIds: [ids.tResend] }, failed: [] },
  });
  // The admin puts the widget's action on the "Qualified" stage (its signed token goes into Kommo).
  ids.action = (await createPipelineAction(w, { name: 'Send the offer', templateId: ids.offer })).token;
});
afterAll(async () => {
  await sink.close();
  await w.stop();
});

function newQualifiedLead(first: string): { leadId: number; address: string } {
  const address = `${first.toLowerCase()}@client.example`;
  const contact = w.kommo.sim.addContact(SUB, { name: `${first} Client`, first_name: first, email: address });
  const lead = w.kommo.sim.addLead(SUB, { name: `Deal with ${first}`, responsible_user_id: w.crm.userId, pipeline_id: ids.pipeline, status_id: ids.qualified, contacts: [{ id: contact.id, is_main: true }] });
  return { leadId: lead.id, address };
}

/** Kommo's digital pipeline calling the widget's webhook (kommo-reference.md). */
async function leadEntersQualified(leadId: number): Promise<void> {
  const res = await supertest(w.server.url)
    .post('/hooks/kommo/dp')
    .send({
      event: { type: 15, type_code: 'lead_appeared_in_status', data: { id: leadId, element_type: 2, status_id: ids.qualified, pipeline_id: ids.pipeline }, time: Math.floor(Date.now() / 1000) },
      action: { settings: { widget: { settings: { action: ids.action } } } },
      subdomain: SUB,
      account_id: w.admin.accountId,
    });
  expect(res.status).toBe(200);
}

async function offerMailTo(address: string, subjectPrefix = 'Our offer') {
  const msg = await eventually(() => {
    const m = sink.messages.find((x) => x.envelope.rcptTo.includes(address) && x.parsed.subject?.startsWith(subjectPrefix));
    expect(m).toBeDefined();
    return m!;
  }, { timeoutMs: 15_000, intervalMs: 100 });
  return { msg, emailId: msg.parsed.headers.get('x-leadmail-email-id') as string, html: msg.parsed.html as string };
}

const statusOf = (leadId: number) => w.kommo.sim.lead(SUB, leadId)!.status_id;
const statusPatches = (leadId: number, statusId: number) =>
  w.kommo.sim
    .requestsFor(SUB, { method: 'PATCH', path: /^\/api\/v4\/leads/ })
    .filter((r) => r.status === 200 && JSON.stringify(r.body).includes(`"id":${leadId}`) && JSON.stringify(r.body).includes(`"status_id":${statusId}`));

/** Move the not-opened timer of an email to now, as if 24 h had passed. */
async function fastForwardNotOpened(emailId: string): Promise<void> {
  const r = await w.server.services.db.query(
    "UPDATE agenda_jobs SET next_run_at = now() WHERE name = 'email.not-opened' AND data->>'emailId' = $1 AND next_run_at IS NOT NULL",
    [emailId],
  );
  expect(r.rowCount).toBe(1);
}

describe('seed 004 "Widget setup example"', () => {
  it('offer → Offer sent → task on a human open → Familiar once on the link → no reminder', async () => {
    const { leadId, address } = newQualifiedLead('Ann');
    await leadEntersQualified(leadId);
    const offer = await offerMailTo(address);
    expect(offer.msg.parsed.subject).toBe(`Our offer for Deal with Ann`);

    // After sending: the lead moves to "Offer sent".
    await eventually(() => expect(statusOf(leadId)).toBe(ids.offerSent), { timeoutMs: 10_000 });

    // A privacy proxy fetching the pixel is not a reader: no task.
    await hit(w, pixelPath(offer.html), UA.gmailProxy);
    await settledTracking(w, offer.emailId);
    expect(w.kommo.sim.tasks(SUB).filter((t) => t.entity_id === leadId)).toHaveLength(0);

    // A human open: "Call the client" task for the responsible manager.
    await hit(w, pixelPath(offer.html), UA.safari);
    const task = await eventually(() => {
      const t = w.kommo.sim.tasks(SUB).find((x) => x.entity_id === leadId);
      expect(t).toBeDefined();
      return t!;
    }, { timeoutMs: 10_000 });
    expect(task).toMatchObject({ entity_type: 'leads', task_type_id: 1, responsible_user_id: w.crm.userId, text: 'Call the client that has opened the offer "Our offer for Deal with Ann"' });

    // Clicking the offer link (a person, a minute after delivery) moves the lead, once.
    await deliveredMinuteAgo(w, offer.emailId);
    const link = clickPaths(offer.html).find((c) => c.linkId === ids.link)!;
    const first = await hit(w, link.path, UA.chrome);
    expect(first.status).toBe(302);
    expect(first.headers.location).toBe('https://acme.example/offer.pdf');
    await eventually(() => expect(statusOf(leadId)).toBe(ids.familiar), { timeoutMs: 10_000 });
    await hit(w, link.path, UA.chrome);
    await settledTracking(w, offer.emailId);
    expect(statusPatches(leadId, ids.familiar)).toHaveLength(1);

    // The 24 h timer comes due after the open: nothing is sent.
    await fastForwardNotOpened(offer.emailId);
    await eventually(async () => {
      const left = await w.server.services.db.query("SELECT 1 FROM agenda_jobs WHERE name = 'email.not-opened' AND data->>'emailId' = $1 AND next_run_at IS NOT NULL", [offer.emailId]);
      expect(left.rowCount).toBe(0);
    });
    const runs = (await w.api(w.user).get(`/api/emails/${offer.emailId}`)).body.triggerRuns.map((r: { name: string; status: string }) => `${r.name}:${r.status}`);
    expect(runs.sort()).toEqual(['Change stage to Familiar with the offer:done', 'Change stage to Offer sent:done', 'Set Task:done'].sort());
    expect(sink.messages.filter((m) => m.envelope.rcptTo.includes(address))).toHaveLength(1);
  });

  it('no open within 24 h sends the second mail; repeated webhook deliveries send once', async () => {
    const { leadId, address } = newQualifiedLead('Bob');
    await leadEntersQualified(leadId);
    await leadEntersQualified(leadId); // Kommo may deliver the same event more than once
    const offer = await offerMailTo(address);
    await eventually(() => expect(statusOf(leadId)).toBe(ids.offerSent), { timeoutMs: 10_000 });

    await fastForwardNotOpened(offer.emailId);
    const reminder = await offerMailTo(address, 'Did you see our offer');
    expect(reminder.msg.parsed.subject).toBe('Did you see our offer, Bob?');
    expect(sink.messages.filter((m) => m.envelope.rcptTo.includes(address) && m.parsed.subject?.startsWith('Our offer'))).toHaveLength(1);
    expect(w.kommo.sim.tasks(SUB).filter((t) => t.entity_id === leadId)).toHaveLength(0);
  });

  it('the dry run predicts what really happened', async () => {
    const { leadId } = newQualifiedLead('Cid');
    const never = await w.api(w.admin).post(`/api/templates/${ids.offer}/dry-run`).send({ entityType: 'leads', entityId: leadId, scenario: { kind: 'never_opened' } });
    expect(never.status).toBe(200);
    const fired = (steps: { kind: string; trigger: { name: string } | null; offsetSeconds: number }[]) =>
      steps.filter((s) => s.kind === 'trigger').map((s) => `${s.trigger!.name}@${s.offsetSeconds}`);
    expect(fired(never.body.steps)).toEqual(['Change stage to Offer sent@0', 'Resend email@86400']);
    expect(never.body.steps.filter((s: { kind: string }) => s.kind === 'send').map((s: { templateName: string }) => s.templateName)).toEqual(['Offer', 'Offer reminder']);

    const opened = await w.api(w.admin).post(`/api/templates/${ids.offer}/dry-run`).send({ entityType: 'leads', entityId: leadId, scenario: { kind: 'opened', afterSeconds: 600 } });
    expect(fired(opened.body.steps)).toEqual(['Change stage to Offer sent@0', 'Set Task@600']);
    const clicked = await w.api(w.admin).post(`/api/templates/${ids.offer}/dry-run`).send({ entityType: 'leads', entityId: leadId, scenario: { kind: 'clicked', linkId: ids.link, afterSeconds: 60 } });
    // A click proves an open, so "opened" fires with the link's own trigger (same moment, any order).
    expect(fired(clicked.body.steps).sort()).toEqual(['Change stage to Familiar with the offer@60', 'Change stage to Offer sent@0', 'Set Task@60']);
    // Nothing was sent or changed for this lead.
    expect(statusOf(leadId)).toBe(ids.qualified);
    expect(sink.messages.filter((m) => m.envelope.rcptTo.includes('cid@client.example'))).toHaveLength(0);
  });
});
