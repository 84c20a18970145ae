/**
 * A mail some recipients already have is never "not sent" (issue 6 §3). A recipient deferred
 * with 4xx at RCPT puts the mail back in the queue for that recipient alone; whatever then ends
 * it — the retry's failure, the user's cancel, a mailing's hold, a crash during the retry — it
 * ends `sent`, naming whom it did not reach and why, and fires the "sent" trigger points once
 * (never "failed"). Real PostgreSQL, a real SMTP server that defers one recipient, the API.
 */
import os from 'node:os';
import { ACCOUNT_ID, type World } from '../support/world.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import { eventually } from '../support/eventually.js';
import { createMailbox, emailIdOf, sendEmail, waitForStatus } from '../support/send-helpers.js';
import { executions, noteTrigger } from '../tracking/tracking-helpers.js';
import { holdEmails } from '../../server/modules/emails/bulk-enqueue.js';
import type { EmailView } from '../../shared/schemas/email.js';
import { useWorldAndSink, MARIA_SMTP } from '../support/use-world.js';

let w: World;
let sink: SmtpSink;
let mailboxId: string;

// The retry of a deferred recipient is minutes away (backoff from 10 min), so each test
// decides what ends the mail; a fast heartbeat settles and wakes within a second.
useWorldAndSink({ env: { SEND_RETRY_BASE_MS: '600000', INSTANCE_HEARTBEAT_MS: '200', INSTANCE_DEAD_AFTER_MS: '1000', SMTP_SEND_DEADLINE_MS: '1500' }, sink: { auth: MARIA_SMTP } }, (x) => ({ w, sink } = x));
beforeAll(async () => {
  // IMAP off: the crash sweep has no Sent folder to look in.
  mailboxId = await createMailbox(w, w.user, sink, { pacing: { messages: 100, seconds: 1 } });
});

const db = () => w.server.services.db;
const get = async (id: string): Promise<EmailView> => (await w.api(w.user).get(`/api/emails/${id}`)).body as EmailView;

interface PartlyDelivered {
  id: string;
  ok: string;
  grey: string;
  onSent: string;
  onFailed: string;
}

/** A mail to two recipients, the second deferred once: delivered to the first, queued again for the second. */
async function partlyDelivered(tag: string): Promise<PartlyDelivered> {
  const [ok, grey] = [`ok-${tag}@one.example`, `grey-${tag}@two.example`];
  sink.refuseRecipient(grey, { code: 450, message: '4.2.0 Greylisted, please try again later' }, 1);
  const onSent = await noteTrigger(w, `sent ${tag}`);
  const onFailed = await noteTrigger(w, `failed ${tag}`);
  const id = await sendEmail(w, w.user, {
    mailboxId,
    subject: `Partly ${tag}`,
    html: '<p>for two</p>',
    to: [ok, grey],
    triggers: { sent: [onSent], failed: [onFailed] },
  });
  await eventually(
    async () => {
      const e = await get(id);
      expect(e.status).toBe('queued');
      expect(e.events!.map((x) => x.type)).toContain('partially_sent');
    },
    { timeoutMs: 15_000, intervalMs: 100 },
  );
  return { id, ok, grey, onSent, onFailed };
}

/** Ended `sent`, saying who did not get it and why; delivered once; one `sent` line, no other end. */
async function expectSentNotDelivered(p: PartlyDelivered, code: string, why: string): Promise<EmailView> {
  const e = await waitForStatus(w, w.user, p.id, 'sent');
  expect(e.error).toEqual({ code, text: `Not delivered to ${p.grey} (${why})` });
  expect(e.sentAt).not.toBeNull();
  const ends = e.events!.filter((x) => ['sent', 'failed', 'cancelled', 'paused', 'unknown'].includes(x.type));
  expect(ends.map((x) => x.type)).toEqual(['sent']);
  expect(ends[0]!.data).toMatchObject({ deliveredEarlier: [p.ok], notDelivered: [{ address: p.grey, reply: why }] });
  expect(sink.messages.filter((m) => emailIdOf(m) === p.id).map((m) => m.envelope.rcptTo)).toEqual([[p.ok]]);
  return e;
}

/** Makes the queued retry due at once; the heartbeat wakes the mailbox. */
const retryNow = (id: string, extra = '') =>
  db().query(`UPDATE emails SET not_before = now() - interval '1 hour'${extra} WHERE id = $1`, [id]);

/** Waits until the mail has left the queue for good, whatever it ended as. */
const ended = (id: string) =>
  eventually(
    async () => {
      const x = await get(id);
      expect(['sent', 'failed', 'unknown']).toContain(x.status);
      return x;
    },
    { timeoutMs: 15_000, intervalMs: 100 },
  );

/** The reason in "Not delivered to <grey> (<reason>)". */
const reasonOf = (e: EmailView, p: PartlyDelivered) => e.error!.text!.slice(`Not delivered to ${p.grey} (`.length, -1);

/** The "sent" trigger points ran once, the "failed" ones never. */
async function expectOneTriggerSet(p: PartlyDelivered): Promise<void> {
  await eventually(async () => expect((await executions(w, p.onSent)).map((x) => x.event_key)).toEqual([`sent:${p.id}`]));
  expect(await executions(w, p.onFailed)).toEqual([]);
}

describe('a partly delivered mail', () => {
  it('whose retry fails for good (its link attachment is refused) ends sent, not failed', async () => {
    const p = await partlyDelivered('failed');
    // The retry now needs a link attachment that resolves to a private address (refused at send
    // time, as in templates.test.ts).
    const host = os.hostname();
    await retryNow(p.id, `, link_attachments = '${JSON.stringify([{ url: `http://${host}:9/file.pdf` }])}'::jsonb`);
    const e = await ended(p.id);
    expect(e.status).toBe('sent');
    const why = reasonOf(e, p);
    expect(why).toContain(`Refusing to download from "${host}"`);
    await expectSentNotDelivered(p, 'ATTACHMENT', why);
    await expectOneTriggerSet(p);
  });

  it('cancelled by the user ends sent, the rest not sent', async () => {
    const p = await partlyDelivered('cancel');
    const res = await w.api(w.user).post(`/api/emails/${p.id}/cancel`);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('sent');
    await expectSentNotDelivered(p, 'CANCELLED', 'cancelled by the user');
    await expectOneTriggerSet(p);
    // And stays so: nothing left to send, a second cancel is refused.
    expect((await w.api(w.user).post(`/api/emails/${p.id}/cancel`)).status).toBe(409);
  });

  it('taken off the queue by a mailing hold ends sent, and is handed over for its trigger points', async () => {
    const p = await partlyDelivered('hold');
    const handed: string[] = [];
    const n = await holdEmails(db(), ACCOUNT_ID, [p.id], 'MAILING_CANCELLED', async (id) => {
      handed.push(id);
    });
    expect(n).toBe(1);
    expect(handed).toEqual([p.id]);
    await expectSentNotDelivered(p, 'MAILING_CANCELLED', 'the mailing was cancelled');
  });

  it('whose retry was in flight when its process died ends sent, the pending recipient’s outcome unknown (IMAP off)', async () => {
    const p = await partlyDelivered('crash');
    // As a claim of a process that has since died leaves it: `sending`, owned by a dead instance.
    await db().query(
      `UPDATE emails SET status = 'sending', attempts = attempts + 1, owner_instance = gen_random_uuid(), updated_at = now() WHERE id = $1`,
      [p.id],
    );
    const e = await expectSentNotDelivered(p, 'INTERRUPTED', 'outcome unknown: the server stopped while sending to them; not resent automatically');
    expect(e.attempts).toBe(2);
    await expectOneTriggerSet(p);
  });

  it('whose retry loses the reply to its final dot ends sent, the pending recipient’s outcome unknown, and is not resent', async () => {
    const p = await partlyDelivered('post-dot');
    sink.stallNext(1);
    await retryNow(p.id);
    const e = await ended(p.id);
    expect(e.status).toBe('sent');
    const why = reasonOf(e, p);
    expect(why).toMatch(/^outcome unknown: the connection ended before the server confirmed the message \(.*within 2 s.*\); not resent automatically$/);
    await expectSentNotDelivered(p, 'OUTCOME_UNKNOWN', why);
    expect(e.attempts).toBe(2);
    await expectOneTriggerSet(p);
  });
});
