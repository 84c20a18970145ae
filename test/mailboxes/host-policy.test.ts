/**
 * Mailbox servers on loopback/private addresses, through the API of a server started WITHOUT
 * MAILBOX_PRIVATE_HOSTS (the production default): the check and real sends never connect
 * there; the operator's allow-list lets them through.
 */
import net from 'node:net';
import { startWorld, type World } from '../support/world.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { imapUser } from '../support/imap-client.js';
import { mailboxPayload } from '../support/mailbox-payload.js';
import { eventually } from '../support/eventually.js';
import { createMailbox, sendEmail, waitForStatus } from '../support/send-helpers.js';

let w: World;
let sink: SmtpSink;
/** A plain TCP listener that counts connections: proof that nothing reached it. */
let counter: net.Server;
let connections = 0;

beforeAll(async () => {
  w = await startWorld({ MAILBOX_PRIVATE_HOSTS: '' });
  sink = await startSmtpSink({ auth: { user: 'maria', pass: 'smtp-secret' } });
  counter = net.createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => counter.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await new Promise<void>((resolve) => counter.close(() => resolve()));
  await sink.close();
  await w.stop();
});

const counterPort = (): number => (counter.address() as net.AddressInfo).port;

describe('mailbox hosts without MAILBOX_PRIVATE_HOSTS', () => {
  it('the check refuses a loopback SMTP and IMAP server without connecting, and says why', async () => {
    const payload = mailboxPayload(sink, { imapUser: imapUser(2) });
    (payload.smtp as Record<string, unknown>).port = counterPort();
    (payload.imap as Record<string, unknown>).port = counterPort();
    const mb = await w.api(w.user).post('/api/mailboxes').send(payload);
    expect(mb.status).toBe(201);

    const res = await w.api(w.user).post(`/api/mailboxes/${mb.body.id}/check`);
    expect(res.body.status).toBe('red');
    expect(res.body.smtp).toMatchObject({ ok: false, kind: 'permanent', serverText: 'The server 127.0.0.1 is not allowed: it is a loopback address' });
    expect(res.body.smtp.hint).toMatch(/public internet addresses[\s\S]*MAILBOX_PRIVATE_HOSTS/);
    expect(res.body.imap).toMatchObject({ ok: false, serverText: 'The server 127.0.0.1 is not allowed: it is a loopback address' });
    expect(connections).toBe(0);
  });

  it('judges a host name by what it resolves to (localhost → loopback)', async () => {
    const payload = mailboxPayload(sink);
    (payload.smtp as Record<string, unknown>).host = 'localhost';
    (payload.smtp as Record<string, unknown>).port = counterPort();
    const mb = await w.api(w.user).post('/api/mailboxes').send(payload);
    const res = await w.api(w.user).post(`/api/mailboxes/${mb.body.id}/check`);
    expect(res.body.smtp.serverText).toMatch(/^The server localhost is not allowed: it resolves to (127\.0\.0\.1|::1), a loopback address$/);
    expect(connections).toBe(0);
  });

  it('a real send does not connect either: the mailbox pauses with the reason, the mail waits; once the operator allows the address it goes out', async () => {
    const mailboxId = await createMailbox(w, w.user, sink, { imapUser: imapUser(2) });
    const id = await sendEmail(w, w.user, { mailboxId, subject: 'Hello', html: '<p>hi</p>', to: ['lead@client.example'] });

    const paused = await eventually(async () => {
      const mb = await w.api(w.user).get(`/api/mailboxes/${mailboxId}`);
      expect(mb.body.paused).toBe(true);
      return mb.body;
    }, { timeoutMs: 15_000, intervalMs: 100 });
    expect(paused.pausedReason).toMatch(/127\.0\.0\.1 is not allowed: it is a loopback address/);
    expect(paused.check.smtp.hint).toMatch(/MAILBOX_PRIVATE_HOSTS/);
    expect((await w.api(w.user).get(`/api/emails/${id}`)).body.status).toBe('queued');
    expect(sink.messages).toHaveLength(0);

    await w.restart({ MAILBOX_PRIVATE_HOSTS: '127.0.0.0/8' });
    const check = await w.api(w.user).post(`/api/mailboxes/${mailboxId}/check`);
    expect(check.body.status).toBe('green');
    await waitForStatus(w, w.user, id, 'sent');
    expect(sink.messages).toHaveLength(1);
    // Filed in Sent over IMAP, which the allow-list lets through too.
    await eventually(async () => {
      const history = await w.api(w.user).get(`/api/emails/${id}`);
      expect(history.body.events.map((e: { type: string }) => e.type)).toContain('saved_to_sent');
    });
  });
});
