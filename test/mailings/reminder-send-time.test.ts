/**
 * A reminder "re-checks at send time, so a person who responds in between is skipped" (issue 7
 * §1): the drain asks, when it claims a reminder's mail, whether its recipient still qualifies.
 * The reminder sweep is off in this file's server (MAILING_REMINDER_SWEEP_MS=0), so nothing but
 * the claim can take a mail back; its history line says it was checked at send time.
 */
import supertest from 'supertest';
import { eventually } from '../support/eventually.js';
import type { World } from '../support/world.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import { createMailbox } from '../support/send-helpers.js';
import { rescheduleMailbox } from '../../server/modules/emails/email-queue.js';
import { SAFARI, useMailingWorld } from './mailing-helpers.js';

const { ctx, seedLeads, createMailing, waitFor, sinkFor, allRecipients } = useMailingWorld({ MAILING_REMINDER_SWEEP_MS: '0' });
let w: World;
let sink: SmtpSink;
beforeAll(() => ({ w, sink } = ctx));

type Recipient = { email: string; emailId: string; status: string; reason: string | null };

/** A first mailing to `n` new leads, all sent; its recipients. */
async function firstMailing(tag: string, n: number): Promise<{ id: string; recipients: Recipient[] }> {
  const id = await createMailing({ subject: 'Offer', html: '<p>{{lead.name}}</p>', ids: seedLeads(tag, n) });
  await waitFor(id, (m) => expect(m).toMatchObject({ status: 'done', counts: { sent: n } }));
  return { id, recipients: await allRecipients(id) };
}

/** A human opens the first mailing's mail to `email`, through its real tracking pixel. */
async function opens(first: Recipient[], email: string): Promise<void> {
  const mail = first.find((r) => r.email === email)!;
  const pixel = /\/t\/o\/[^"]+\.gif/.exec(sinkFor(new Set([mail.emailId]))[0]!.parsed.html as string)![0];
  await supertest(w.server.url).get(pixel).set('User-Agent', SAFARI).expect(200);
  await eventually(async () => expect((await w.api(w.user).get(`/api/emails/${mail.emailId}`)).body.tracking.humanOpens).toBe(1));
}

const emailView = async (id: string) => (await w.api(w.user).get(`/api/emails/${id}`)).body;

/** Ended at its claim: cancelled as "responded", no attempt counted, never `sending`. */
async function expectRefusedAtSend(emailId: string): Promise<void> {
  const e = await emailView(emailId);
  expect(e).toMatchObject({ status: 'cancelled', attempts: 0, error: { code: 'RESPONDED' } });
  const types = e.events.map((x: { type: string }) => x.type);
  expect(types).not.toContain('sending');
  expect(e.events.at(-1)).toMatchObject({ type: 'cancelled', data: { checkedAtSend: true } });
}

describe('a reminder re-checked when its mail is claimed', () => {
  it('skips a recipient who opened after the reminder resolved, before their paced mail left; the others get it', async () => {
    const first = await firstMailing('paced', 3);
    // One reminder mail every 8 s: the second and third wait after the reminder has resolved.
    const slow = await createMailbox(w, w.user, sink, { pacing: { messages: 1, seconds: 8 } });
    const res = await w.api(w.user).post(`/api/mailings/${first.id}/reminder`).send({ condition: 'not_opened', mailboxId: slow, subject: 'Reminder', html: '<p>r</p>' });
    expect(res.status).toBe(202);
    const reminder = res.body.id as string;
    await waitFor(reminder, (m) => expect(m.counts).toMatchObject({ sent: 1, queued: 2 }));
    const plan = (await Promise.all((await allRecipients(reminder)).filter((r) => r.status === 'queued').map(async (r) => ({ r, at: (await emailView(r.emailId)).scheduledAt as string }))))
      .sort((a, b) => a.at.localeCompare(b.at))
      .map((x) => x.r as Recipient);
    const [responder, later] = plan as [Recipient, Recipient];

    await opens(first.recipients, responder.email);
    // Still waiting for its slot, and nothing else takes it back: only the claim can skip it now.
    expect((await emailView(responder.emailId)).status).toBe('queued');

    const done = await waitFor(reminder, (m) => expect(m.status).toBe('done'), 45_000);
    expect(done.counts).toMatchObject({ sent: 2, skipped: 1, queued: 0, sending: 0, failed: 0 });
    expect(done.reasons).toEqual([{ status: 'skipped', reason: 'responded to the first mailing', count: 1 }]);
    const after = await allRecipients(reminder);
    expect(after.find((r) => r.emailId === responder.emailId)).toMatchObject({ status: 'skipped', reason: 'responded to the first mailing' });
    expect(after.find((r) => r.emailId === later.emailId)).toMatchObject({ status: 'sent' });
    expect(sinkFor(new Set([responder.emailId]))).toHaveLength(0);
    expect(sinkFor(new Set([later.emailId]))).toHaveLength(1);
    await expectRefusedAtSend(responder.emailId);
  }, 90_000);

  it('refuses the responder and sends the others of one claimed batch (mailbox without a pace limit)', async () => {
    const first = await firstMailing('batch', 3);
    const fast = await createMailbox(w, w.user, sink, { pacing: { messages: 1000, seconds: 1 } });
    // The mailbox is paused (as a 535 pauses it) while the reminder resolves: its mails wait queued.
    await w.server.services.db.query("UPDATE mailboxes SET paused = true, paused_reason = 'test' WHERE id = $1", [fast]);
    const res = await w.api(w.user).post(`/api/mailings/${first.id}/reminder`).send({ condition: 'not_opened', mailboxId: fast, subject: 'Reminder', html: '<p>r</p>' });
    const reminder = res.body.id as string;
    await waitFor(reminder, (m) => expect(m.counts).toMatchObject({ queued: 3, pending: 0 }));
    const responder = first.recipients[1]!;
    await opens(first.recipients, responder.email);

    await w.server.services.db.query('UPDATE mailboxes SET paused = false, paused_reason = NULL WHERE id = $1', [fast]);
    await rescheduleMailbox(w.server.services.db, w.server.services.queue, fast);
    const done = await waitFor(reminder, (m) => expect(m.status).toBe('done'), 30_000);
    expect(done.counts).toMatchObject({ sent: 2, skipped: 1, queued: 0, sending: 0 });
    const after = await allRecipients(reminder);
    const refused = after.find((r) => r.email === responder.email)!;
    expect(refused).toMatchObject({ status: 'skipped', reason: 'responded to the first mailing' });
    expect(sinkFor(new Set([refused.emailId]))).toHaveLength(0);
    expect(sinkFor(new Set(after.filter((r) => r.status === 'sent').map((r) => r.emailId)))).toHaveLength(2);
    await expectRefusedAtSend(refused.emailId);
    // The mails that went have their ordinary history: one `sending` line each.
    for (const r of after.filter((x) => x.status === 'sent')) {
      expect((await emailView(r.emailId)).events.filter((x: { type: string }) => x.type === 'sending')).toHaveLength(1);
    }
  }, 90_000);
});
