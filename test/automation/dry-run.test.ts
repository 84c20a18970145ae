/**
 * The dry run on seed 004's "Widget setup example": an "Offer" template that moves the lead to
 * "Offer sent" when sent, sets a task when opened, resends itself when not opened within 24 h
 * (bounded by a repeat limit of 2), with a once-only trigger link to "Familiar with the offer".
 * The timeline must be right, must cost no write anywhere, and its Kommo requests must be the
 * ones a real send then makes.
 */
import supertest from 'supertest';
import { startWorld, SUB, ACCOUNT_ID, type World } from '../support/world.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { eventually } from '../support/eventually.js';
import { createPipelineAction } from '../support/pipeline-action.js';
import { createMailbox } from '../support/send-helpers.js';
import type { DryRunResult, DryRunStep } from '../../shared/schemas/dry-run.js';

let w: World;
let sink: SmtpSink;
let offer: string;
let linkId: number;
let leadId: number;
let ids: { pipeline: number; qualified: number; offerSent: number; familiar: number };
const trig: Record<string, string> = {};

beforeAll(async () => {
  w = await startWorld();
  sink = await startSmtpSink();
  await createMailbox(w, w.user, sink, { pacing: { messages: 100, seconds: 1 } });
  const p = w.kommo.sim.addPipeline(SUB, { name: 'Offers', statuses: ['Qualified', 'Offer sent', 'Familiar with the offer'] });
  ids = { pipeline: p.id, qualified: p.statuses[0]!.id, offerSent: p.statuses[1]!.id, familiar: p.statuses[2]!.id };
  const contact = w.kommo.sim.addContact(SUB, { name: 'Olga Buyer', first_name: 'Olga', email: 'olga@client.example' });
  leadId = w.kommo.sim.addLead(SUB, { name: 'Offer deal', responsible_user_id: w.crm.userId, pipeline_id: p.id, status_id: ids.qualified, contacts: [contact.id] }).id;

  const trigger = async (name: string, action: string, params: Record<string, unknown>) => {
    const res = await w.api(w.admin).post('/api/triggers').send({ name, action, params });
    expect(res.status).toBe(201);
    trig[name] = res.body.id;
  };
  await trigger('Change stage to Offer sent', 'change_status', { pipelineId: p.id, statusId: ids.offerSent });
  await trigger('Set task', 'set_task', { taskTypeId: 1, deadline: { kind: 'relative', amount: 2, unit: 'hours' }, responsible: 'entity', text: 'Call the client that has opened the offer "{subject}"' });
  await trigger('Change stage to Familiar with the offer', 'change_status', { pipelineId: p.id, statusId: ids.familiar });
  const link = await w.api(w.admin).post('/api/trigger-links').send({ name: 'Link to the offer', executeOnce: true, redirectUrl: 'https://acme.example/offer.pdf', triggerIds: [trig['Change stage to Familiar with the offer']] });
  expect(link.status).toBe(201);
  linkId = link.body.id;

  const tpl = { name: 'Offer', subject: 'Our offer, {{contact.first_name}}', html: `<p>Hello!</p><a href="{triggerlink:${linkId}}">Read the offer</a>` };
  const created = await w.api(w.user).post('/api/templates').send(tpl);
  offer = created.body.id;
  await trigger('Resend email', 'send_email', { templateId: offer, mailbox: 'original' });
  // Only an admin may set a repeat limit (it lets a template send itself again).
  const saved = await w.api(w.admin).put(`/api/templates/${offer}`).send({
    ...tpl,
    repeatLimit: 2,
    triggers: { sent: [trig['Change stage to Offer sent']], opened: [trig['Set task']], notOpened: { afterSeconds: 86_400, triggerIds: [trig['Resend email']] }, failed: [] },
  });
  expect(saved.status).toBe(200);
});
afterAll(async () => {
  await sink.close();
  await w.stop();
});

const dryRun = async (scenario: Record<string, unknown>): Promise<DryRunResult> => {
  const res = await w.api(w.user).post(`/api/templates/${offer}/dry-run`).send({ entityType: 'leads', entityId: leadId, scenario });
  expect(res.status).toBe(200);
  return res.body;
};

/** `offset mail kind point trigger`: the shape of a timeline at a glance. */
const outline = (steps: DryRunStep[]): string[] =>
  steps.map((s) => [s.offsetSeconds, `mail${s.mail}`, s.kind, s.point ?? '-', s.trigger?.name ?? '-'].join(' '));

const patchTo = (statusId: number) => ({ kind: 'kommo', method: 'PATCH', path: '/leads', body: [{ id: leadId, status_id: statusId, pipeline_id: ids.pipeline }] });

describe('POST /api/templates/:id/dry-run', () => {
  it('never opened: the sent trigger at once, the resend after 24 h, and the repeat limit stopping the third mail', async () => {
    const writesBefore = w.kommo.sim.requestsFor(SUB).filter((r) => r.method !== 'GET').length;
    const r = await dryRun({ kind: 'never_opened' });
    expect(outline(r.steps)).toEqual([
      '0 mail1 send - -',
      '0 mail1 point sent -',
      '0 mail1 trigger sent Change stage to Offer sent',
      '86400 mail1 point not_opened -',
      '86400 mail1 trigger not_opened Resend email',
      '86400 mail2 send - -',
      '86400 mail2 point sent -',
      '86400 mail2 trigger sent Change stage to Offer sent',
      '172800 mail2 point not_opened -',
      '172800 mail2 trigger not_opened Resend email',
      '172800 mail0 held_back - -',
    ]);
    expect(r.steps[0]!.text).toBe('mail 1 "Offer" (subject "Our offer, Olga") is sent');
    expect(r.steps[2]!.calls).toEqual([patchTo(ids.offerSent)]);
    expect(r.steps[4]!.calls).toEqual([{ kind: 'email', templateId: offer, templateName: 'Offer', mailboxId: expect.any(String) }]);
    expect(r.steps[5]).toMatchObject({ depth: 1, text: 'mail 2 "Offer" (subject "Our offer, Olga") is sent by trigger "Resend email"' });
    const reason = '"Offer" was not sent again: it already went to this lead 2 times, the template\'s repeat limit';
    expect(r.steps[10]).toMatchObject({ skipped: reason, calls: [{ kind: 'kommo', method: 'POST', path: '/leads/notes', body: [{ entity_id: leadId, note_type: 'common', params: { text: `leadmail: ${reason}.` } }] }] });
    expect(new Date(r.steps[3]!.at).getTime() - new Date(r.startsAt).getTime()).toBe(86_400_000);
    expect(r.cap).toEqual({ perDay: 3, repeatLimit: 2, sentLast24h: 0, sentEver: 0 });

    // Read-only: Kommo got GETs only, and nothing was queued or recorded.
    expect(w.kommo.sim.requestsFor(SUB).filter((x) => x.method !== 'GET').length).toBe(writesBefore);
    const counts = await w.server.services.db.query('SELECT (SELECT count(*) FROM emails)::int AS emails, (SELECT count(*) FROM trigger_executions)::int AS runs');
    expect(counts.rows[0]).toEqual({ emails: 0, runs: 0 });
  });

  it('opened after an hour: the task with its deadline, and the not-opened timer cancelled', async () => {
    const r = await dryRun({ kind: 'opened', afterSeconds: 3600 });
    expect(outline(r.steps)).toEqual([
      '0 mail1 send - -',
      '0 mail1 point sent -',
      '0 mail1 trigger sent Change stage to Offer sent',
      '3600 mail1 timer_cancelled not_opened -',
      '3600 mail1 point opened -',
      '3600 mail1 trigger opened Set task',
    ]);
    const openedAt = Math.floor(new Date(r.steps[5]!.at).getTime() / 1000);
    expect(r.steps[5]!.calls).toEqual([
      {
        kind: 'kommo',
        method: 'POST',
        path: '/tasks',
        body: [{ text: 'Call the client that has opened the offer "Our offer, Olga"', complete_till: openedAt + 7200, task_type_id: 1, entity_id: leadId, entity_type: 'leads', responsible_user_id: w.crm.userId }],
      },
    ]);
  });

  it('the offer link clicked: the once-only link’s trigger, then "opened"', async () => {
    const r = await dryRun({ kind: 'clicked', linkId, afterSeconds: 600 });
    expect(outline(r.steps).slice(3)).toEqual([
      '600 mail1 timer_cancelled not_opened -',
      '600 mail1 point link_clicked -',
      '600 mail1 point opened -',
      '600 mail1 trigger link_clicked Change stage to Familiar with the offer',
      '600 mail1 trigger opened Set task',
    ]);
    expect(r.steps[6]!.calls).toEqual([patchTo(ids.familiar)]);
    const other = await w.api(w.user).post(`/api/templates/${offer}/dry-run`).send({ entityId: leadId, scenario: { kind: 'clicked', linkId: 999, afterSeconds: 1 } });
    expect(other.status).toBe(404);
  });

  it('failed: only the failed point, no sent trigger and no timer', async () => {
    const r = await dryRun({ kind: 'failed' });
    expect(outline(r.steps)).toEqual(['0 mail1 send - -', '0 mail1 point failed -']);
    expect(r.steps[0]!.text).toMatch(/is sent and fails$/);
  });

  it('matches what really happens: a real send makes exactly the request the dry run showed', async () => {
    const planned = (await dryRun({ kind: 'never_opened' })).steps[2]!.calls[0] as { body: unknown };
    const since = w.kommo.sim.requests.length;
    const { token } = await createPipelineAction(w, { templateId: offer });
    const res = await supertest(w.server.url)
      .post('/hooks/kommo/dp')
      .send({ event: { type: 15, data: { id: leadId, status_id: ids.qualified, pipeline_id: ids.pipeline }, time: 1_700_200_000 }, action: { settings: { widget: { settings: { action: token } } } }, subdomain: SUB, account_id: ACCOUNT_ID });
    expect(res.status).toBe(200);
    const patch = await eventually(
      () => {
        const p = w.kommo.sim.requests.slice(since).find((x) => x.method === 'PATCH' && x.path === '/api/v4/leads');
        expect(p).toBeDefined();
        return p!;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    expect(patch.body).toEqual(planned.body);
    expect(w.kommo.sim.lead(SUB, leadId)!.status_id).toBe(ids.offerSent);
  });
});
