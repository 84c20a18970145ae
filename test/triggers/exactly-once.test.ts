/** A trigger's note survives a Kommo 500 exactly once, and its history says what happened. */
import { startWorld, SUB, type World } from '../support/world.js';
import { createTrigger, entityEvent, executions, finishedRuns, fireAndFinish } from './trigger-helpers.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w.stop();
});

const notes = (leadId: number) => w.kommo.sim.notes(SUB, { entity_type: 'leads', entity_id: leadId }).map((n) => n.params.text);

it.each([
  ['applied, then 500', 'after' as const, 'note \\d+ added \\(Kommo failed to answer; found applied\\)'],
  ['500 without applying', 'before' as const, 'note \\d+ added$'],
])('%s: the run is done with exactly one note', async (_label, when, result) => {
  const leadId = w.kommo.sim.addLead(SUB, { name: `Note ${when}`, contacts: [w.crm.contactId] }).id;
  const t = await createTrigger(w, { action: 'add_note', params: { text: `noted ${when}` } });
  w.kommo.sim.faults.inject({ subdomain: SUB, method: 'POST', path: '/api/v4/leads/notes', status: 500, when });
  const run = await fireAndFinish(w, entityEvent([t], { type: 'leads', id: leadId }));
  expect(run.status).toBe('done');
  expect(run.result).toMatch(new RegExp(result));
  expect(notes(leadId)).toEqual([`noted ${when}`]);
});

/** A run the process died in, its note write started at `since` (unix s) and maybe applied. */
async function crashedMidNote(label: string, applied: boolean): Promise<{ leadId: number; key: string; id: string }> {
  const leadId = w.kommo.sim.addLead(SUB, { name: label, contacts: [w.crm.contactId] }).id;
  const text = `crash ${label}`;
  const t = await createTrigger(w, { action: 'add_note', params: { text }, delaySeconds: 3600 });
  const event = entityEvent([t], { type: 'leads', id: leadId });
  await w.server.services.triggerEngine.fire(event);
  const [row] = await executions(w, event.eventKey);
  const since = Math.floor(Date.now() / 1000);
  const calls = [{ kind: 'kommo', op: 'note', entity: 'leads', method: 'POST', path: '/leads/notes', body: [{ entity_id: leadId, note_type: 'common', params: { text } }], status: 'pending', maybeAppliedSince: since }];
  await w.server.services.db.query(
    "UPDATE trigger_executions SET status = 'running', attempts = 1, started_at = now(), lease_until = now() - interval '1 second', calls = $2 WHERE id = $1",
    [row!.id, JSON.stringify(calls)],
  );
  // Kommo got the note before the process died (or not).
  if (applied) w.kommo.sim.state.account(SUB).notes.push({ id: w.kommo.sim.state.nextId(), entity_type: 'leads', entity_id: leadId, note_type: 'common', params: { text }, created_at: since });
  return { leadId, key: event.eventKey, id: row!.id };
}

it.each([
  ['applied before the crash: found, not written again', true],
  ['not applied before the crash: written once', false],
])('a run interrupted with a note write in flight is resumed and checked against Kommo — %s', async (label, applied) => {
  const c = await crashedMidNote(label, applied);
  await w.server.services.triggerEngine.recover();
  const [run] = await finishedRuns(w, c.key);
  expect(run).toMatchObject({ status: 'done', error: null });
  expect(notes(c.leadId)).toEqual([`crash ${label}`]);
  expect(run!.result).toMatch(applied ? /found applied/ : /^note \d+ added$/);
  expect(run!.attempts).toBe(2); // claimed again after the crash
});
