/** A trigger's note survives a Kommo 500 exactly once, and its history says what happened. */
import { startWorld, SUB, type World } from '../support/world.js';
import { createTrigger, entityEvent, fireAndFinish } from './trigger-helpers.js';

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
