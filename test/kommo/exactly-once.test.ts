/**
 * Kommo writes that end in a 5xx or a lost answer are read back and applied exactly once:
 * whether Kommo applied the write before failing or not, the entity ends with one note, task or
 * lead, and the client says when it found the write instead of making it.
 */
import { ErrorCode } from '../../server/errors.js';
import { KommoCrmClient } from '../../server/infra/crm/kommo.client.js';
import { startKommoSimulator, type FaultSpec, type RunningKommoSimulator } from '../../server/sandbox/kommo-sim/index.js';

let kommo: RunningKommoSimulator;
let n = 0;
beforeAll(async () => {
  kommo = await startKommoSimulator({ rateLimitPerSecond: null });
});
afterAll(() => kommo.close());

function account() {
  const sub = `once${++n}`;
  const { pipeline } = kommo.sim.addAccount({ subdomain: sub, id: 8_000_000 + n });
  const token = kommo.sim.addAccessToken(sub);
  const contact = kommo.sim.addContact(sub, { name: 'John' });
  const lead = kommo.sim.addLead(sub, { name: 'Deal', contacts: [contact.id] });
  const client = new KommoCrmClient({
    baseUrl: `${kommo.url}/${sub}`,
    accountId: 8_000_000 + n,
    getAccessToken: async () => token,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    verifyDelayMs: 1,
    timeoutMs: 2000,
  });
  return { sub, client, leadId: lead.id, contactId: contact.id, pipeline: pipeline! };
}

const fault = (sub: string, path: string, spec: Partial<FaultSpec>): void => kommo.sim.faults.inject({ subdomain: sub, method: 'POST', path, status: 500, ...spec });
const posts = (sub: string, path: string) => kommo.sim.requestsFor(sub, { method: 'POST', path }).map((r) => r.status ?? 'lost');

describe('a Kommo 500 on a note write', () => {
  it('applied, then 500: the note is found by reading back, not written again', async () => {
    const a = account();
    fault(a.sub, '/api/v4/leads/notes', { when: 'after' });
    const created = await a.client.addNote('leads', a.leadId, 'Mail sent');
    const notes = kommo.sim.notes(a.sub, { entity_type: 'leads', entity_id: a.leadId });
    expect(notes.map((x) => x.params.text)).toEqual(['Mail sent']);
    expect(created).toEqual({ id: notes[0]!.id, recovered: true });
    expect(posts(a.sub, '/api/v4/leads/notes')).toEqual([500]);
  });

  it('500 without applying: the note is not there, so it is written once more', async () => {
    const a = account();
    fault(a.sub, '/api/v4/leads/notes', { when: 'before' });
    const created = await a.client.addNote('leads', a.leadId, 'Mail sent');
    const notes = kommo.sim.notes(a.sub, { entity_type: 'leads', entity_id: a.leadId });
    expect(notes.map((x) => x.params.text)).toEqual(['Mail sent']);
    expect(created).toEqual({ id: notes[0]!.id });
    expect(posts(a.sub, '/api/v4/leads/notes')).toEqual([500, 200]);
  });

  it('an identical note written before the attempt does not count as ours', async () => {
    const a = account();
    await a.client.addNote('leads', a.leadId, 'Mail sent');
    // Older than the attempt by more than the clock margin.
    const acc = kommo.sim.state.account(a.sub);
    acc.notes[0]!.created_at -= 3600;
    fault(a.sub, '/api/v4/leads/notes', { when: 'before' });
    await a.client.addNote('leads', a.leadId, 'Mail sent');
    expect(kommo.sim.notes(a.sub, { entity_type: 'leads', entity_id: a.leadId })).toHaveLength(2);
  });

  it('when the read-back fails too, the error says since when the write may have been applied', async () => {
    const a = account();
    fault(a.sub, '/api/v4/leads/notes', { when: 'after' });
    kommo.sim.faults.inject({ subdomain: a.sub, method: 'GET', path: `/api/v4/leads/${a.leadId}/notes`, status: 503, times: 10 });
    const err = await a.client.addNote('leads', a.leadId, 'Mail sent').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.KOMMO_API, details: { transient: true, outcomeUnknown: true, maybeAppliedSince: expect.any(Number) } });
    kommo.sim.faults.clear();
    // A later retry passes that time: it finds the note instead of writing a second one.
    const since = (err as { details: { maybeAppliedSince: number } }).details.maybeAppliedSince;
    const again = await a.client.addNote('leads', a.leadId, 'Mail sent', { maybeAppliedSince: since });
    expect(again.recovered).toBe(true);
    expect(kommo.sim.notes(a.sub, { entity_type: 'leads', entity_id: a.leadId })).toHaveLength(1);
  });
});

describe('lost answers and the other writes', () => {
  it('a task whose answer is lost after it was applied is created once', async () => {
    const a = account();
    fault(a.sub, '/api/v4/tasks', { when: 'after', lose: true });
    const task = { text: 'Call back', complete_till: 1_900_000_000, task_type_id: 1, entity_id: a.leadId, entity_type: 'leads' as const };
    const created = await a.client.createTask(task);
    const tasks = kommo.sim.tasks(a.sub);
    expect(tasks.map((t) => t.text)).toEqual(['Call back']);
    expect(created).toEqual({ id: tasks[0]!.id, recovered: true });
  });

  it('a task whose connection is lost before it was applied is created once', async () => {
    const a = account();
    fault(a.sub, '/api/v4/tasks', { when: 'before', lose: true });
    await a.client.createTask({ text: 'Call back', complete_till: 1_900_000_000, task_type_id: 1, entity_id: a.leadId, entity_type: 'leads' });
    expect(kommo.sim.tasks(a.sub).map((t) => t.text)).toEqual(['Call back']);
  });

  it('a lead created, then 500, is found among the contact’s new leads; not created twice', async () => {
    const a = account();
    fault(a.sub, '/api/v4/leads', { when: 'after', status: 502 });
    const stage = a.pipeline.statuses[1]!.id;
    const created = await a.client.createLead({ name: 'Follow-up', pipeline_id: a.pipeline.id, status_id: stage, contactIds: [a.contactId] });
    const named = [...kommo.sim.state.account(a.sub).leads.values()].filter((l) => l.name === 'Follow-up');
    expect(named).toHaveLength(1);
    expect(created).toEqual({ id: named[0]!.id, recovered: true });
  });

  it('a lead refused with 500 before applying is created once', async () => {
    const a = account();
    fault(a.sub, '/api/v4/leads', { when: 'before' });
    await a.client.createLead({ name: 'Follow-up', pipeline_id: a.pipeline.id, contactIds: [a.contactId] });
    expect([...kommo.sim.state.account(a.sub).leads.values()].filter((l) => l.name === 'Follow-up')).toHaveLength(1);
  });
});
