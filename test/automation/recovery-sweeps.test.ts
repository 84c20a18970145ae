/**
 * The automation recovery sweeps: a lost job of a switched-off trigger is closed, not run; lost
 * jobs are found through indexed columns (the job id a run records), and missed trigger points
 * are fired oldest first.
 */
import crypto from 'node:crypto';
import { refireMissedPoints } from '../../server/modules/emails/email-automation.js';
import { orphanedExecutions, SWITCHED_OFF } from '../../server/modules/triggers/executions.repository.js';
import { eventually } from '../support/eventually.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import { createMailbox } from '../support/send-helpers.js';
import { ACCOUNT_ID, SUB, type World } from '../support/world.js';
import { createTrigger, entityEvent, executions } from '../triggers/trigger-helpers.js';
import { useWorldAndSink, MARIA_SMTP } from '../support/use-world.js';

let w: World;
let sink: SmtpSink;
useWorldAndSink({ sink: { auth: MARIA_SMTP } }, (x) => ({ w, sink } = x));

const db = () => w.server.services.db;
const engine = () => w.server.services.triggerEngine;
const newLead = (name: string) => w.kommo.sim.addLead(SUB, { name, contacts: [w.crm.contactId] }).id;

/** What a crash between recording an execution and queueing its job leaves: overdue, no job. */
async function orphan(executionId: string, minutesAgo: number): Promise<void> {
  await db().query(`UPDATE trigger_executions SET run_at = now() - make_interval(mins => $2) WHERE id = $1`, [executionId, minutesAgo]);
  await db().query("DELETE FROM agenda_jobs WHERE name = 'trigger.run' AND data->>'executionId' = $1", [executionId]);
}
const pendingJobs = async (executionId: string) =>
  (await db().query("SELECT count(*)::int AS n FROM agenda_jobs WHERE name = 'trigger.run' AND data->>'executionId' = $1 AND next_run_at IS NOT NULL", [executionId])).rows[0].n;

it('records the queue job of each run, so a lost job is found by its id', async () => {
  const t = await createTrigger(w, { action: 'add_note', params: { text: 'later' }, delaySeconds: 3600 });
  const event = entityEvent([t], { type: 'leads', id: newLead('Job id') });
  await engine().fire(event);
  const [row] = await executions(w, event.eventKey);
  const job = await db().query("SELECT id::text FROM agenda_jobs WHERE name = 'trigger.run' AND data->>'executionId' = $1", [row!.id]);
  expect(row!.job_id).toBe(job.rows[0].id);
});

it('a lost job of a switched-off trigger is closed as skipped by the sweep, never queued or run', async () => {
  const leadId = newLead('Switched off');
  const t = await createTrigger(w, { action: 'add_note', params: { text: 'must not appear' }, delaySeconds: 3600 });
  const event = entityEvent([t], { type: 'leads', id: leadId });
  await engine().fire(event);
  const [row] = await executions(w, event.eventKey);
  await db().query('UPDATE triggers SET active = false WHERE id = $1', [t]);
  await orphan(row!.id, 5);

  await engine().recover();
  const [after] = await executions(w, event.eventKey);
  expect(after).toMatchObject({ status: 'skipped', result: SWITCHED_OFF, attempts: 0, started_at: null });
  expect(await pendingJobs(row!.id)).toBe(0);
  expect(w.kommo.sim.notes(SUB, { entity_type: 'leads', entity_id: leadId })).toEqual([]);
});

it('lost jobs of active triggers are queued again, oldest first', async () => {
  const t = await createTrigger(w, { action: 'change_tags', params: { add: ['swept'] }, delaySeconds: 3600 });
  const ids: string[] = [];
  // Recorded newest first, so only an explicit order returns the oldest first.
  for (const [label, minutesAgo] of [['new', 2], ['mid', 30], ['old', 60]] as const) {
    const event = entityEvent([t], { type: 'leads', id: newLead(`Sweep ${label}`) });
    await engine().fire(event);
    const [row] = await executions(w, event.eventKey);
    await orphan(row!.id, minutesAgo);
    ids.push(row!.id);
  }
  expect((await orphanedExecutions(db(), 2)).map((o) => o.id)).toEqual([ids[2], ids[1]]);
  await engine().recover();
  await eventually(async () => {
    const r = await db().query("SELECT count(*)::int AS n FROM trigger_executions WHERE id = ANY($1::uuid[]) AND status = 'done'", [ids]);
    expect(r.rows[0].n).toBe(3);
  });
});

it('missed "sent" trigger points are fired again oldest first', async () => {
  const mailboxId = await createMailbox(w, w.user, sink);
  const t = await createTrigger(w, { action: 'add_note', params: { text: 'sent {subject}' }, delaySeconds: 3600 });
  // Mails recorded as sent whose triggers never fired (the process died in between), written
  // newest first so that only an explicit order fires the oldest first.
  const ages = [3, 9, 14, 20, 27, 33, 41, 58];
  const mails: string[] = [];
  for (const minutesAgo of ages) {
    const id = crypto.randomUUID();
    await db().query(
      `INSERT INTO emails (id, account_id, user_id, mailbox_id, entity_type, entity_id, subject, body_html, to_addresses, message_id, status, sent_at, updated_at)
       VALUES ($1, $2, $3, $4, 'leads', $5, 's', '<p>x</p>', '["a@client.example"]', $6, 'sent', now() - make_interval(mins => $7), now() - make_interval(mins => $7))`,
      [id, ACCOUNT_ID, w.crm.userId, mailboxId, w.crm.leadId, `<${id}@test>`, minutesAgo],
    );
    await db().query("INSERT INTO email_triggers (email_id, point, trigger_id) VALUES ($1, 'sent', $2)", [id, t]);
    mails.push(id);
  }

  await refireMissedPoints(db(), engine());
  const fired = await db().query<{ email_id: string }>('SELECT email_id FROM trigger_executions WHERE email_id = ANY($1::uuid[]) ORDER BY created_at', [mails]);
  expect(fired.rows.map((r) => r.email_id)).toEqual([...mails].reverse());
});

it('the lookups of a pending job (a mailbox’s drain, a pipeline event) go through an index', async () => {
  const client = await db().connect();
  try {
    await client.query('BEGIN');
    // Tiny test tables would be scanned anyway; this asks whether the index can serve the lookup.
    await client.query('SET LOCAL enable_seqscan = off');
    for (const [name, key, index] of [
      ['email.drain', 'mailboxId', 'agenda_jobs_pending_mailboxid'],
      ['dp.event', 'eventId', 'agenda_jobs_pending_eventid'],
    ]) {
      const plan = await client.query(`EXPLAIN SELECT 1 FROM agenda_jobs j WHERE j.name = $1 AND j.data->>'${key}' = $2 AND j.next_run_at IS NOT NULL`, [name, 'x']);
      expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain(index);
    }
    await client.query('ROLLBACK');
  } finally {
    client.release();
  }
});
