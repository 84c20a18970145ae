/**
 * The run-time brake: automation sends one template to one entity at most N times in 24 h
 * (account setting, default 3) and at most `repeatLimit` times in all; a held-back send leaves a
 * note in Kommo saying why and is recorded where the send came from.
 */
import supertest from 'supertest';
import { SUB, ACCOUNT_ID, type World } from '../support/world.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import { eventually } from '../support/eventually.js';
import { createMailbox, createTemplate, sendEmail, waitForStatus } from '../support/send-helpers.js';
import { createPipelineAction } from '../support/pipeline-action.js';
import { useWorldAndSink } from '../support/use-world.js';

let w: World;
let sink: SmtpSink;
let mailboxId: string;
let offerId: string;
let eventTime = 1_700_100_000;
let actionCount = 0;

useWorldAndSink({}, (x) => ({ w, sink } = x));
beforeAll(async () => {
  mailboxId = await createMailbox(w, w.user, sink, { pacing: { messages: 100, seconds: 1 } });
  offerId = await createTemplate(w, w.user, { name: 'Offer', subject: 'Offer', html: '<p>Our offer</p>' });
});

const db = () => w.server.services.db;

function newLead(): { id: number; statusId: number } {
  const contact = w.kommo.sim.addContact(SUB, { name: 'Capped Client', email: `cap${Math.floor(Math.random() * 1e9)}@client.example` });
  const lead = w.kommo.sim.addLead(SUB, { name: 'Capped deal', responsible_user_id: w.crm.userId, pipeline_id: w.crm.pipelineId, contacts: [contact.id] });
  return { id: lead.id, statusId: lead.status_id };
}

/**
 * One digital-pipeline event for the lead. Kommo's repeated deliveries of one event are one event
 * (dp-hook.test.ts), so each call uses its own pipeline action: distinct stages' actions that all
 * send the same template, which is what the cap is for.
 */
async function dpEvent(lead: { id: number; statusId: number }, templateId: string): Promise<string> {
  const { token } = await createPipelineAction(w, { name: `Send ${++actionCount}`, templateId });
  const res = await supertest(w.server.url)
    .post('/hooks/kommo/dp')
    .send({
      event: { type: 15, data: { id: lead.id, element_type: 2, status_id: lead.statusId, pipeline_id: w.crm.pipelineId }, time: ++eventTime },
      action: { settings: { widget: { settings: { action: token } } } },
      subdomain: SUB,
      account_id: ACCOUNT_ID,
    });
  expect(res.status).toBe(200);
  return res.body.eventId;
}

const outcomeOf = (eventId: string): Promise<string> =>
  eventually(
    async () => {
      const r = await db().query('SELECT outcome FROM dp_events WHERE id = $1', [eventId]);
      expect(r.rows[0]?.outcome).toBeTruthy();
      return r.rows[0].outcome as string;
    },
    { timeoutMs: 15_000, intervalMs: 100 },
  );

const emailCount = async (leadId: number, templateId: string): Promise<number> =>
  (await db().query("SELECT count(*)::int AS n FROM emails WHERE entity_type = 'leads' AND entity_id = $1 AND template_id = $2", [leadId, templateId])).rows[0].n;

const notesOf = (leadId: number): string[] => w.kommo.sim.notes(SUB, { entity_type: 'leads', entity_id: leadId }).map((n) => n.params.text as string);

describe('account settings', () => {
  it('shows the same-template-per-day cap to users and lets only an admin change it', async () => {
    expect((await w.api(w.user).get('/api/account/settings')).body).toEqual({ sameTemplatePerDay: 3 });
    const denied = await w.api(w.user).put('/api/account/settings').send({ sameTemplatePerDay: 10 });
    expect(denied.status).toBe(403);
    const bad = await w.api(w.admin).put('/api/account/settings').send({ sameTemplatePerDay: 0 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('body.sameTemplatePerDay: must be at least 1');
    const ok = await w.api(w.admin).put('/api/account/settings').send({ sameTemplatePerDay: 3 });
    expect(ok.body).toEqual({ sameTemplatePerDay: 3 });
  });
});

describe('the cap in the digital pipeline', () => {
  it('sends the same template to a lead 3 times in 24 h, skips the 4th and notes why on the lead', async () => {
    const lead = newLead();
    // Four events at once: the cap holds under concurrency too.
    const ids = await Promise.all([1, 2, 3, 4].map(() => dpEvent(lead, offerId)));
    const outcomes = await Promise.all(ids.map(outcomeOf));
    expect(outcomes.filter((o) => o === 'queued')).toHaveLength(3);
    const skipped = outcomes.filter((o) => o !== 'queued');
    const reason = '"Offer" was not sent again: it already went to this lead 3 times in the last 24 hours (the account allows 3 a day)';
    expect(skipped).toEqual([`skipped: ${reason} (noted on the lead)`]);
    expect(await emailCount(lead.id, offerId)).toBe(3);

    expect(notesOf(lead.id)).toEqual([`leadmail: ${reason}.`]);
    const [req] = w.kommo.sim.requestsFor(SUB, { method: 'POST', path: '/api/v4/leads/notes' }).filter((r) => (r.body as { entity_id: number }[])[0]?.entity_id === lead.id);
    expect(req!.body).toEqual([{ entity_id: lead.id, note_type: 'common', params: { text: `leadmail: ${reason}.` } }]);
  });

  it('stops at the template’s repeat limit, counted over all time', async () => {
    const limited = await createTemplate(w, w.admin, { name: 'Limited', subject: 'Once', html: '<p>once</p>', repeatLimit: 1 });
    const lead = newLead();
    expect(await outcomeOf(await dpEvent(lead, limited))).toBe('queued');
    expect(await outcomeOf(await dpEvent(lead, limited))).toBe(
      'skipped: "Limited" was not sent again: it already went to this lead once, the template\'s repeat limit (noted on the lead)',
    );
    expect(await emailCount(lead.id, limited)).toBe(1);
    expect(notesOf(lead.id)).toEqual(['leadmail: "Limited" was not sent again: it already went to this lead once, the template\'s repeat limit.']);
  });
});

describe('the cap in the send_email trigger', () => {
  it('holds back a trigger’s send over the cap, records the reason on the run and notes it on the lead', async () => {
    expect((await w.api(w.admin).put('/api/account/settings').send({ sameTemplatePerDay: 1 })).status).toBe(200);
    try {
      const lead = newLead();
      expect(await outcomeOf(await dpEvent(lead, offerId))).toBe('queued');

      const trigger = await w.api(w.admin).post('/api/triggers').send({ name: 'Send the offer', action: 'send_email', params: { templateId: offerId, mailbox: 'original' } });
      expect(trigger.status).toBe(201);
      const intro = await createTemplate(w, w.user, { name: 'Intro', subject: 'Intro', html: '<p>hi</p>', triggers: { sent: [trigger.body.id], opened: [], notOpened: null, failed: [] } });
      const contactId = w.kommo.sim.lead(SUB, lead.id)!.contacts[0]!.id;
      const introMail = await sendEmail(w, w.user, { entityId: lead.id, mailboxId, templateId: intro, contactIds: [contactId] });
      await waitForStatus(w, w.user, introMail, 'sent');

      const run = await eventually(
        async () => {
          const r = await db().query('SELECT status, result, calls FROM trigger_executions WHERE email_id = $1', [introMail]);
          expect(r.rows[0]?.status).toBe('skipped');
          return r.rows[0];
        },
        { timeoutMs: 15_000, intervalMs: 100 },
      );
      const reason = '"Offer" was not sent again: it already went to this lead once in the last 24 hours (the account allows 1 a day)';
      expect(run.result).toContain(reason);
      expect(run.calls[0]).toMatchObject({ op: 'send_email', status: 'skipped', answer: { status: 'skipped', code: 'per_day', noteAdded: true } });
      expect(await emailCount(lead.id, offerId)).toBe(1);
      expect(notesOf(lead.id)).toEqual([`leadmail: ${reason}.`]);
    } finally {
      await w.api(w.admin).put('/api/account/settings').send({ sameTemplatePerDay: 3 });
    }
  });
});
