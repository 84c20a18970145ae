import type { World } from '../support/world.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import { eventually } from '../support/eventually.js';
import { createMailbox, createTemplate, sendEmail, waitForStatus } from '../support/send-helpers.js';
import { recoverQueue } from '../../server/modules/emails/email-queue.js';
import { refireMissedPoints } from '../../server/modules/emails/email-automation.js';
import { useWorldAndSink } from '../support/use-world.js';

let w: World;
let sink: SmtpSink;
useWorldAndSink({}, (x) => ({ w, sink } = x));

describe('recovery sweep', () => {
  it('fires a not-opened timer whose job was lost (a crash right after sending)', async () => {
    const mailboxId = await createMailbox(w, w.user, sink, { pacing: { messages: 100, seconds: 1 } });
    const note = await w.api(w.admin).post('/api/triggers').send({ name: 'Not opened note', action: 'add_note', params: { text: 'not opened: {subject}' } });
    const tpl = await createTemplate(w, w.user, { name: 'Timer', subject: 'Timer mail', html: '<p>x</p>', triggers: { sent: [], opened: [], notOpened: { afterSeconds: 3600, triggerIds: [note.body.id] }, failed: [] } });
    const id = await sendEmail(w, w.user, { mailboxId, templateId: tpl, contactIds: [w.crm.contactId] });
    await waitForStatus(w, w.user, id, 'sent');
    const db = w.server.services.db;
    await eventually(async () => {
      const jobs = await db.query("SELECT 1 FROM agenda_jobs WHERE name = 'email.not-opened' AND data->>'emailId' = $1", [id]);
      expect(jobs.rowCount).toBe(1);
    });
    // The process died before the timer's job existed, and the hour has passed.
    await db.query("DELETE FROM agenda_jobs WHERE name = 'email.not-opened' AND data->>'emailId' = $1", [id]);
    await db.query("UPDATE emails SET sent_at = now() - interval '2 hours' WHERE id = $1", [id]);

    await recoverQueue(db, w.server.services.queue, w.server.services.log);
    await refireMissedPoints(db, w.server.services.triggerEngine);
    const notesNow = () => w.kommo.sim.notes('acme', { entity_type: 'leads', entity_id: w.crm.leadId }).map((x) => x.params.text).filter((t) => t === 'not opened: Timer mail');
    await eventually(() => expect(notesNow()).toHaveLength(1), { timeoutMs: 10_000 });
    // A second sweep fires nothing again: no second execution is recorded, and once every
    // trigger job has run, Kommo still has exactly one note (read after the sweep, not before).
    await refireMissedPoints(db, w.server.services.triggerEngine);
    const executions = await db.query("SELECT 1 FROM trigger_executions WHERE event_key = $1", [`not_opened:${id}`]);
    expect(executions.rowCount).toBe(1);
    await eventually(async () => {
      const pending = await db.query("SELECT 1 FROM agenda_jobs WHERE name = 'trigger.run' AND (next_run_at IS NOT NULL OR locked_at IS NOT NULL)");
      expect(pending.rowCount).toBe(0);
    }, { timeoutMs: 10_000 });
    expect(notesNow()).toHaveLength(1);
    const runs = (await w.api(w.user).get(`/api/emails/${id}`)).body.triggerRuns;
    expect(runs).toEqual([expect.objectContaining({ name: 'Not opened note', point: 'not_opened' })]);
  });
});
