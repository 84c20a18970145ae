/**
 * Per-recipient outcomes at RCPT TO (issue 6 §3), through the API against a real SMTP server
 * that refuses chosen recipients: a 4xx recipient is retried alone until it takes the mail, the
 * others get it exactly once; a 5xx recipient is named in full in the owner's history.
 */
import type { World } from '../support/world.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import { countByMessageId, imapUser } from '../support/imap-client.js';
import { eventually } from '../support/eventually.js';
import { createMailbox, sendEmail, waitForStatus } from '../support/send-helpers.js';
import type { EmailView } from '../../shared/schemas/email.js';
import { useWorldAndSink, MARIA_SMTP } from '../support/use-world.js';

let w: World;
let sink: SmtpSink;
let mailboxId: string;
const IMAP_USER = imapUser(2);

useWorldAndSink({ sink: { auth: MARIA_SMTP } }, (x) => ({ w, sink } = x));
beforeAll(async () => {
  mailboxId = await createMailbox(w, w.user, sink, { imapUser: IMAP_USER, pacing: { messages: 100, seconds: 1 } });
});

const deliveriesOf = (emailId: string) => sink.messages.filter((m) => m.parsed.headers.get('x-leadmail-email-id') === emailId);
const rcptCount = (address: string, code: number) => sink.rcptLog.filter((r) => r.address === address && r.code === code).length;
const eventsOf = (e: EmailView, type: string) => e.events!.filter((x) => x.type === type);

describe('a recipient deferred with 4xx while the others are accepted', () => {
  it('is retried alone until it takes the mail; the others receive it exactly once; one copy in Sent', async () => {
    const [ann, greylisted, cc] = ['ann@one.example', 'grey@two.example', 'carl@one.example'];
    sink.refuseRecipient(greylisted, { code: 450, message: '4.2.0 Greylisted, please try again later' }, 2);
    const id = await sendEmail(w, w.user, { mailboxId, subject: 'Partial', html: '<p>for three</p>', to: [ann, greylisted], cc: [cc] });

    const sent = await waitForStatus(w, w.user, id, 'sent');
    const deliveries = deliveriesOf(id);
    // First attempt: ann and carl. Second: grey deferred again (no DATA at all). Third: grey alone.
    expect(deliveries.map((d) => d.envelope.rcptTo)).toEqual([[ann, cc], [greylisted]]);
    expect(rcptCount(ann, 250)).toBe(1);
    expect(rcptCount(cc, 250)).toBe(1);
    expect(rcptCount(greylisted, 450)).toBe(2);
    // The retry is the same message: same Message-ID, headers still name everyone.
    expect(deliveries[1]!.parsed.messageId).toBe(sent.messageId);
    expect(deliveries[1]!.parsed.headers.get('to')).toMatchObject({ value: [{ address: ann }, { address: greylisted }] });
    expect(deliveries[1]!.parsed.headers.get('cc')).toMatchObject({ value: [{ address: cc }] });

    // History: who got it on which attempt, in full.
    const [partial] = eventsOf(sent, 'partially_sent');
    expect(partial!.data).toMatchObject({
      attempt: 1,
      accepted: [ann, cc],
      deferred: [{ address: greylisted, code: 450, reply: '450 4.2.0 Greylisted, please try again later' }],
      refused: [],
    });
    expect(eventsOf(sent, 'sent')[0]!.data).toMatchObject({ accepted: [greylisted], refused: [] });
    expect(eventsOf(sent, 'retry_scheduled')).toHaveLength(2);
    expect(sent.attempts).toBe(3);

    await eventually(async () => expect(await countByMessageId(IMAP_USER, 'Sent', sent.messageId)).toBe(1), { timeoutMs: 10_000 });
    const after = await w.api(w.user).get(`/api/emails/${id}`);
    expect(after.body.events.filter((e: { type: string }) => e.type === 'saved_to_sent')).toHaveLength(1);
  });

  it('once attempts run out, the mail stays sent (others have it) and names whom it did not reach', async () => {
    const [ok, never] = ['ok@three.example', 'never@four.example'];
    sink.refuseRecipient(never, { code: 451, message: '4.3.0 Mailbox temporarily unavailable' });
    const id = await sendEmail(w, w.user, { mailboxId, subject: 'Never', html: '<p>x</p>', to: [ok, never] });
    const sent = await eventually(
      async () => {
        const e = (await w.api(w.user).get(`/api/emails/${id}`)).body as EmailView;
        expect(e.status).toBe('sent');
        expect(e.attempts).toBe(4); // SEND_MAX_ATTEMPTS in the test environment
        return e;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    expect(deliveriesOf(id).map((d) => d.envelope.rcptTo)).toEqual([[ok]]);
    expect(sent.error?.text).toBe('Not delivered to never@four.example (451 4.3.0 Mailbox temporarily unavailable)');
    expect(eventsOf(sent, 'sent')[0]!.data).toMatchObject({
      deliveredEarlier: [ok],
      notDelivered: [{ address: never, code: 451 }],
    });
    expect(eventsOf(sent, 'failed')).toHaveLength(0);
  });
});

describe('a recipient refused with 5xx', () => {
  it('is shown to the owner with its full address and the server’s reply, while the others get the mail', async () => {
    const [good, unknown] = ['lead@five.example', 'nobody@five.example'];
    sink.refuseRecipient(unknown, { code: 550, message: '5.1.1 <nobody@five.example>: User unknown' });
    const id = await sendEmail(w, w.user, { mailboxId, subject: 'One unknown', html: '<p>x</p>', to: [good, unknown] });
    const sent = await waitForStatus(w, w.user, id, 'sent');
    expect(deliveriesOf(id).map((d) => d.envelope.rcptTo)).toEqual([[good]]);
    expect(eventsOf(sent, 'sent')[0]!.data).toMatchObject({
      accepted: [good],
      refused: [{ address: unknown, code: 550, reply: '550 5.1.1 <nobody@five.example>: User unknown' }],
    });
    expect(sent.attempts).toBe(1);
  });

  it('when every recipient is refused, some for now and some for good, retries only the deferred ones', async () => {
    const [later, gone] = ['later@six.example', 'gone@six.example'];
    sink.refuseRecipient(later, { code: 452, message: '4.2.2 Mailbox full' }, 1);
    sink.refuseRecipient(gone, { code: 550, message: '5.1.1 User unknown' });
    const id = await sendEmail(w, w.user, { mailboxId, subject: 'Mixed', html: '<p>x</p>', to: [later, gone] });
    const sent = await waitForStatus(w, w.user, id, 'sent');
    expect(deliveriesOf(id).map((d) => d.envelope.rcptTo)).toEqual([[later]]);
    expect(rcptCount(gone, 550)).toBe(1);
    expect(eventsOf(sent, 'recipients_refused')[0]!.data).toMatchObject({ refused: [{ address: gone, code: 550 }] });
  });
});
