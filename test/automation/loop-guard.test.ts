/**
 * Saving automation that would mail a client without end is refused, with the loop spelled out
 * (seed 004, "About automation"); an explicit repeat limit on a template in the loop allows it.
 */
import { startWorld, type World } from '../support/world.js';
import { findUnboundedLoop, describeLoop } from '../../server/modules/automation/loop-guard.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w.stop();
});

const NONE = { sent: [], opened: [], notOpened: null, failed: [] };

async function template(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await w.api(w.admin).post('/api/templates').send({ name, subject: name, html: `<p>${name}</p>`, ...extra });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function sendTrigger(name: string, templateId: string): Promise<string> {
  const res = await w.api(w.admin).post('/api/triggers').send({ name, action: 'send_email', params: { templateId, mailbox: 'original' } });
  expect(res.status).toBe(201);
  return res.body.id;
}

const putTemplate = (id: string, name: string, extra: Record<string, unknown>) =>
  w.api(w.admin).put(`/api/templates/${id}`).send({ name, subject: name, html: `<p>${name}</p>`, ...extra });

describe('loop refusal when saving a template', () => {
  it('refuses a template whose "not opened" trigger sends itself again, naming the loop', async () => {
    const offer = await template('Offer');
    const resend = await sendTrigger('Resend', offer);
    const res = await putTemplate(offer, 'Offer', { triggers: { ...NONE, notOpened: { afterSeconds: 86400, triggerIds: [resend] } } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION');
    expect(res.body.error.message).toMatch(/^triggers: sending "Offer" → not opened → trigger "Resend" sends "Offer" again — .*set a repeat limit on "Offer"/);
    expect(res.body.error.details.loop).toEqual([
      { from: { id: offer, name: 'Offer' }, point: 'not_opened', trigger: { id: resend, name: 'Resend' }, to: { id: offer, name: 'Offer' } },
    ]);
    // Nothing of the refused save was kept.
    const after = await w.api(w.admin).get(`/api/templates/${offer}`);
    expect(after.body.triggers).toEqual(NONE);
  });

  it('refuses a loop through two templates, spelling out every hop', async () => {
    const offer = await template('Offer B');
    const follow = await template('Follow-up');
    const toFollow = await sendTrigger('Send follow-up', follow);
    const toOffer = await sendTrigger('Back to the offer', offer);
    expect((await putTemplate(offer, 'Offer B', { triggers: { ...NONE, opened: [toFollow] } })).status).toBe(200);

    const res = await putTemplate(follow, 'Follow-up', { triggers: { ...NONE, notOpened: { afterSeconds: 3600, triggerIds: [toOffer] } } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(
      'triggers: sending "Follow-up" → not opened → trigger "Back to the offer" sends "Offer B" → opened → trigger "Send follow-up" sends "Follow-up" again',
    );
    expect(res.body.error.details.loop).toHaveLength(2);
  });

  it('accepts the loop when a template in it has an explicit repeat limit, and shows the limit', async () => {
    const offer = await template('Offer C');
    const resend = await sendTrigger('Resend C', offer);
    const res = await putTemplate(offer, 'Offer C', { repeatLimit: 2, triggers: { ...NONE, notOpened: { afterSeconds: 86400, triggerIds: [resend] } } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ repeatLimit: 2, triggers: { notOpened: { afterSeconds: 86400, triggerIds: [resend] } } });

    // Taking the limit away again would leave an unbounded loop.
    const unlimited = await putTemplate(offer, 'Offer C', { repeatLimit: null, triggers: res.body.triggers });
    expect(unlimited.status).toBe(400);
    expect(unlimited.body.error.message).toMatch(/sending "Offer C" → not opened → trigger "Resend C" sends "Offer C" again/);
  });
});

describe('loop refusal when saving a trigger', () => {
  it('refuses re-pointing a send_email trigger so that it closes a loop', async () => {
    const offer = await template('Offer D');
    const other = await template('Other D');
    const t = await sendTrigger('Failed → send', other);
    expect((await putTemplate(offer, 'Offer D', { triggers: { ...NONE, failed: [t] } })).status).toBe(200);

    const res = await w.api(w.admin).put(`/api/triggers/${t}`).send({ name: 'Failed → send', action: 'send_email', params: { templateId: offer, mailbox: 'original' } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^params\.templateId: sending "Offer D" → failed → trigger "Failed → send" sends "Offer D" again/);
    expect((await w.api(w.admin).get(`/api/triggers/${t}`)).body.params.templateId).toBe(other);
  });
});

describe('the loop graph (pure)', () => {
  it('ignores loops broken by a repeat limit and prefers the shortest loop through the saved template', () => {
    const tpl = (id: string, repeatLimit: number | null, points: Record<string, string[]>) => ({ id, name: id.toUpperCase(), repeatLimit, points });
    const triggers = [
      { id: 'ta', name: 'to A', sendsTemplateId: 'a' },
      { id: 'tb', name: 'to B', sendsTemplateId: 'b' },
      { id: 'tc', name: 'to C', sendsTemplateId: 'c' },
      { id: 'note', name: 'note', sendsTemplateId: null },
    ];
    const templates = [tpl('a', null, { sent: ['note', 'tb'], opened: ['ta'] }), tpl('b', null, { failed: ['tc'] }), tpl('c', null, { not_opened: ['ta'] })];
    const loop = findUnboundedLoop(templates, triggers, { templateIds: ['a'] })!;
    expect(describeLoop(loop)).toBe('sending "A" → opened → trigger "to A" sends "A" again');
    const viaC = findUnboundedLoop(templates, triggers, { templateIds: ['c'] })!;
    expect(describeLoop(viaC)).toBe('sending "C" → not opened → trigger "to A" sends "A" → sent → trigger "to B" sends "B" → failed → trigger "to C" sends "C" again');
    const limited = templates.map((t) => (t.id === 'b' ? { ...t, repeatLimit: 3 } : t));
    expect(findUnboundedLoop(limited, triggers, { templateIds: ['c'] })).toBeNull();
    expect(findUnboundedLoop(limited, triggers, { triggerIds: ['note'] })).toBeNull();
    expect(findUnboundedLoop(limited, triggers, { triggerIds: ['ta'] })?.length).toBe(1);
  });
});
