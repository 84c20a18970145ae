/** The engine's promises: delays honoured, one execution per event, never applied twice. */
import { startWorld, SUB, type World } from '../support/world.js';
import { INTERRUPTED } from '../../server/modules/triggers/executions.repository.js';
import { createTrigger, entityEvent, executions, finishedRuns, fireAndFinish, writesSince } from './trigger-helpers.js';

let w: World;
let offers: { id: number; statuses: { id: number }[] };

beforeAll(async () => {
  w = await startWorld();
  offers = w.kommo.sim.addPipeline(SUB, { name: 'Offers', statuses: ['Offer sent', 'Familiar with the offer'] });
});
afterAll(async () => {
  await w.stop();
});

const engine = () => w.server.services.triggerEngine;
const newLead = (name: string) => w.kommo.sim.addLead(SUB, { name, contacts: [w.crm.contactId] }).id;
const moveTo = (i: number) => createTrigger(w, { action: 'change_status', params: { pipelineId: offers.id, statusId: offers.statuses[i]!.id } });

it('runs a trigger with a 2 s delay no sooner than 2 s after the event', async () => {
  const leadId = newLead('Delayed');
  const t = await createTrigger(w, { action: 'change_tags', params: { add: ['delayed'] }, delaySeconds: 2 });
  const since = Date.now();
  const event = entityEvent([t], { type: 'leads', id: leadId });
  await engine().fire(event);
  const [scheduled] = await executions(w, event.eventKey);
  expect(scheduled).toMatchObject({ status: 'scheduled', started_at: null });
  expect(scheduled!.run_at.getTime() - scheduled!.created_at.getTime()).toBeGreaterThanOrEqual(2000);

  const [run] = await finishedRuns(w, event.eventKey);
  expect(run!.status).toBe('done');
  expect(run!.started_at!.getTime() - run!.created_at.getTime()).toBeGreaterThanOrEqual(2000);
  const [patch] = writesSince(w, since, { method: 'PATCH' });
  expect(patch!.time - run!.created_at.getTime()).toBeGreaterThanOrEqual(2000);
  expect(w.kommo.sim.tagNames(SUB, 'leads', leadId)).toEqual(['delayed']);
});

it('records one execution when the same event is fired twice, and changes Kommo once', async () => {
  const leadId = newLead('Twice');
  const t = await moveTo(0);
  const since = Date.now();
  const event = entityEvent([t], { type: 'leads', id: leadId });
  await Promise.all([engine().fire(event), engine().fire(event)]);
  await engine().fire(event);
  const runs = await finishedRuns(w, event.eventKey);
  expect(runs.map((r) => r.status)).toEqual(['done']);
  expect(writesSince(w, since, { path: '/api/v4/leads' })).toHaveLength(1);
  // Firing after the run is over still inserts nothing new.
  await engine().fire(event);
  expect(await executions(w, event.eventKey)).toHaveLength(1);
});

it('applies the action once when Kommo answers 429 and then 200', async () => {
  const leadId = newLead('Rate limited');
  const t = await moveTo(1);
  w.kommo.sim.faults.inject({ path: '/api/v4/leads', method: 'PATCH', status: 429, times: 1 });
  const since = Date.now();
  const run = await fireAndFinish(w, entityEvent([t], { type: 'leads', id: leadId }));
  expect(run.status).toBe('done');
  const patches = writesSince(w, since, { method: 'PATCH', path: '/api/v4/leads' });
  expect(patches.map((p) => p.status)).toEqual([429, 200]);
  expect(patches.filter((p) => p.status === 200)).toHaveLength(1);
  expect(w.kommo.sim.lead(SUB, leadId)).toMatchObject({ status_id: offers.statuses[1]!.id, pipeline_id: offers.id });
  expect(run.attempts).toBe(1);
  expect(run.calls).toEqual([expect.objectContaining({ status: 'done', body: [{ id: leadId, status_id: offers.statuses[1]!.id, pipeline_id: offers.id }] })]);
});

it('does nothing when the job runs again after the execution finished (duplicate job)', async () => {
  const leadId = newLead('Duplicate job');
  const t = await createTrigger(w, { action: 'add_note', params: { text: 'once' } });
  const run = await fireAndFinish(w, entityEvent([t], { type: 'leads', id: leadId }));
  const since = Date.now();
  await engine().run(run.id);
  await engine().run(run.id);
  expect(writesSince(w, since)).toEqual([]);
  expect(w.kommo.sim.notes(SUB, { entity_type: 'leads', entity_id: leadId })).toHaveLength(1);
  expect((await executions(w, run.event_key))[0]).toMatchObject({ status: 'done', attempts: 1 });
});

/** A planned note whose write may have been in flight; without `since` it cannot be checked in Kommo. */
const pendingNote = (leadId: number, text: string, since?: number) =>
  JSON.stringify([
    { kind: 'kommo', op: 'note', entity: 'leads', method: 'POST', path: '/leads/notes', body: [{ entity_id: leadId, note_type: 'common', params: { text } }], status: 'pending', ...(since ? { maybeAppliedSince: since } : {}) },
  ]);

it('marks a run interrupted by a crash as failed when its write in flight cannot be checked, instead of running it again', async () => {
  const leadId = newLead('Crashed');
  const t = await createTrigger(w, { action: 'add_note', params: { text: 'maybe' }, delaySeconds: 3600 });
  const event = entityEvent([t], { type: 'leads', id: leadId });
  await engine().fire(event);
  const [row] = await executions(w, event.eventKey);
  // What a process that died mid-call leaves behind: running, with a lease that has expired.
  await w.server.services.db.query(
    "UPDATE trigger_executions SET status = 'running', started_at = now(), lease_until = now() - interval '1 second', calls = $2 WHERE id = $1",
    [row!.id, pendingNote(leadId, 'maybe')],
  );
  const since = Date.now();
  await engine().run(row!.id); // the queue hands the job out again
  const [after] = await executions(w, event.eventKey);
  expect(after).toMatchObject({ status: 'failed', error: INTERRUPTED });
  expect(after!.finished_at).not.toBeNull();
  expect(writesSince(w, since)).toEqual([]);
});

it('the recovery sweep fails interrupted runs and queues scheduled runs whose job was lost', async () => {
  const leadId = newLead('Recovered');
  const stuck = await createTrigger(w, { action: 'add_note', params: { text: 'stuck' }, delaySeconds: 3600 });
  const lost = await createTrigger(w, { action: 'change_tags', params: { add: ['recovered'] }, delaySeconds: 3600 });
  const event = entityEvent([stuck, lost], { type: 'leads', id: leadId });
  await engine().fire(event);
  const rows = await executions(w, event.eventKey);
  const stuckRow = rows.find((r) => r.trigger_id === stuck)!;
  const lostRow = rows.find((r) => r.trigger_id === lost)!;
  const db = w.server.services.db;
  await db.query("UPDATE trigger_executions SET status = 'running', lease_until = now() - interval '1 second', calls = $2 WHERE id = $1", [stuckRow.id, pendingNote(leadId, 'stuck')]);
  // A crash between recording the execution and queueing its job: due, and no job.
  await db.query("UPDATE trigger_executions SET run_at = now() - interval '2 minutes' WHERE id = $1", [lostRow.id]);
  await db.query("DELETE FROM agenda_jobs WHERE name = 'trigger.run' AND data->>'executionId' = $1", [lostRow.id]);

  await engine().recover();
  const done = await finishedRuns(w, event.eventKey, 2);
  expect(done.find((r) => r.id === stuckRow.id)).toMatchObject({ status: 'failed', error: INTERRUPTED });
  expect(done.find((r) => r.id === lostRow.id)).toMatchObject({ status: 'done' });
  expect(w.kommo.sim.tagNames(SUB, 'leads', leadId)).toEqual(['recovered']);
  expect(w.kommo.sim.notes(SUB, { entity_type: 'leads', entity_id: leadId })).toEqual([]);
});

it('skips, with the reason, an action that does not apply to the entity', async () => {
  const t = await moveTo(0);
  const since = Date.now();
  const run = await fireAndFinish(w, entityEvent([t], { type: 'contacts', id: w.crm.contactId }));
  expect(run).toMatchObject({ status: 'skipped', result: 'only a lead has a status; this mail belongs to a contact', calls: [] });
  expect(writesSince(w, since)).toEqual([]);
});

it('skips a trigger switched off between the event and its delay', async () => {
  const leadId = newLead('Switched off');
  const t = await createTrigger(w, { name: 'Late', action: 'add_note', params: { text: 'late' }, delaySeconds: 2 });
  const event = entityEvent([t], { type: 'leads', id: leadId });
  await engine().fire(event);
  const off = await w.api(w.admin).put(`/api/triggers/${t}`).send({ name: 'Late', action: 'add_note', params: { text: 'late' }, delaySeconds: 2, active: false });
  expect(off.status).toBe(200);
  const [run] = await finishedRuns(w, event.eventKey);
  expect(run).toMatchObject({ status: 'skipped', result: 'the trigger was switched off before it was due' });
  expect(w.kommo.sim.notes(SUB, { entity_type: 'leads', entity_id: leadId })).toEqual([]);
  // An inactive trigger is not recorded for new events at all.
  const next = entityEvent([t], { type: 'leads', id: leadId });
  await engine().fire(next);
  expect(await executions(w, next.eventKey)).toEqual([]);
});

it('fails with Kommo’s answer recorded when Kommo refuses the request', async () => {
  const t = await moveTo(0);
  const run = await fireAndFinish(w, entityEvent([t], { type: 'leads', id: 987654321 }));
  expect(run.status).toBe('failed');
  expect(run.error).toContain('Kommo rejected the request (400)');
  expect(run.calls[0]).toMatchObject({ status: 'failed', error: { code: 'KOMMO_API', details: { status: 400 } } });
});
