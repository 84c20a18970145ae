import { SUB, type World } from '../support/world.js';
import { SINK_FAILURES, type SmtpSink } from '../support/smtp-sink.js';
import { eventually } from '../support/eventually.js';
import { createMailbox, createTemplate, sendEmail, waitForStatus } from '../support/send-helpers.js';
import { useWorldAndSink } from '../support/use-world.js';

let w: World;
let sink: SmtpSink;
useWorldAndSink({}, (x) => ({ w, sink } = x));

describe('the "failed" trigger point', () => {
  it('adds the seed-004 FAQ note with {subject}, {sended_at} and {id} when a mail fails', async () => {
    const mailboxId = await createMailbox(w, w.user, sink, { pacing: { messages: 100, seconds: 1 } });
    const note = await w.api(w.admin).post('/api/triggers').send({ name: 'Failure note', action: 'add_note', params: { text: 'Email subject: {subject} Date sent: {sended_at} email ID: {id} Error: {error}' } });
    expect(note.status).toBe(201);
    const tpl = await createTemplate(w, w.user, { name: 'Fragile', subject: 'Proposal for {{lead.name}}', html: '<p>x</p>', triggers: { sent: [], opened: [], notOpened: null, failed: [note.body.id] } });
    sink.failNext(1, SINK_FAILURES.spam);
    const id = await sendEmail(w, w.user, { mailboxId, templateId: tpl, contactIds: [w.crm.contactId] });
    await waitForStatus(w, w.user, id, 'failed');
    const text = await eventually(() => {
      const n = w.kommo.sim.notes(SUB, { entity_type: 'leads', entity_id: w.crm.leadId });
      expect(n).toHaveLength(1);
      return n[0]!.params.text as string;
    }, { timeoutMs: 10_000 });
    expect(text).toContain('Email subject: Proposal for Big deal');
    expect(text).toContain(`email ID: ${id}`);
    expect(text).toMatch(/Date sent: \S+/);
    expect(text).toContain('554 5.7.1 Message rejected under suspicion of SPAM');
    const view = (await w.api(w.user).get(`/api/emails/${id}`)).body;
    expect(view.triggerRuns).toEqual([expect.objectContaining({ name: 'Failure note', point: 'failed', status: 'done' })]);
  });
});
