/**
 * A send that loses the server's reply after the whole message went out (issue 6 §3): the
 * server may have taken it, so resending could deliver it twice. Cut off by the send deadline,
 * or by a dropped connection, after the final dot: `sent` if the Sent folder has it (IMAP on),
 * else `unknown` with a clear history line, and never resent automatically. A failure before the
 * message went out stays a temporary one and is retried (test/emails/deadlines.test.ts).
 */
import net from 'node:net';
import { createSmtpTransport } from '../../server/infra/smtp/nodemailer.transport.js';
import { classifySmtpError } from '../../server/infra/smtp/classify-send-error.js';
import { startWorld, type World } from '../support/world.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { appendRaw, imapUser } from '../support/imap-client.js';
import { createMailbox, emailIdOf, sendEmail, waitForStatus } from '../support/send-helpers.js';
import { rejectionOf } from '../support/rejection.js';

/**
 * Speaks just enough SMTP for nodemailer, then drops the connection: when the DATA command
 * arrives ('data-command', before the message), or once the message's final dot arrived
 * ('after-dot', the message is all there).
 */
function startDroppingSmtp(dropOn: 'data-command' | 'after-dot'): Promise<{ port: number; received: () => number; close: () => Promise<void> }> {
  let received = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let inData = false;
    let buffered = '';
    socket.write('220 dropping.test ESMTP\r\n');
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      if (inData) {
        if (buffered.includes('\r\n.\r\n')) {
          received++;
          socket.destroy(); // the message is here; the reply never leaves
        }
        return;
      }
      let nl: number;
      while ((nl = buffered.indexOf('\r\n')) !== -1) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 2);
        const verb = line.split(' ')[0]!.toUpperCase();
        if (verb === 'EHLO') socket.write('250-dropping.test\r\n250 8BITMIME\r\n');
        else if (verb === 'DATA' && dropOn === 'data-command') return void socket.destroy();
        else if (verb === 'DATA') {
          inData = true;
          socket.write('354 go ahead\r\n');
          return;
        } else socket.write('250 OK\r\n');
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        received: () => received,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      }),
    ),
  );
}


const message = (n: number) => ({
  from: { address: 'ana@sender.test' },
  to: ['lead@client.test'],
  subject: `Dropped ${n}`,
  html: '<p>hi</p>',
  messageId: `<dropped-${n}-${Date.now()}@leadmail.test>`,
});

describe('a connection dropped by the server', () => {
  async function dropped(dropOn: 'data-command' | 'after-dot') {
    const server = await startDroppingSmtp(dropOn);
    const transport = createSmtpTransport({ host: '127.0.0.1', port: server.port, security: 'none', auth: null, connectionTimeoutMs: 5000 });
    try {
      return { k: classifySmtpError(await rejectionOf(transport.send(message(1)))), received: server.received() };
    } finally {
      transport.close();
      await server.close();
    }
  }

  it('after the final dot leaves the outcome unknown; before the message, it is a temporary failure', async () => {
    const after = await dropped('after-dot');
    expect(after.received).toBe(1);
    expect(after.k.kind).toBe('unknown');
    expect(after.k.serverText).toMatch(/Connection closed unexpectedly/);
    expect(after.k.hint).toMatch(/may or may not have been delivered.*not resent automatically/);

    const before = await dropped('data-command');
    expect(before.received).toBe(0);
    expect(before.k.kind).toBe('transient');
  });
});

describe('a mail whose reply to the final dot never comes', () => {
  let w: World;
  let sink: SmtpSink;
  const IMAP_USER = imapUser(3);
  beforeAll(async () => {
    w = await startWorld({ SMTP_SEND_DEADLINE_MS: '2000' });
    sink = await startSmtpSink({ auth: { user: 'maria', pass: 'smtp-secret' } });
  });
  afterAll(async () => {
    await sink.close();
    await w.stop();
  });
  afterEach(() => {
    sink.onStall = null;
  });
  const deliveriesOf = (id: string) => sink.messages.filter((m) => emailIdOf(m) === id);

  it('is unknown when there is no Sent folder to ask, says so, and is not resent', async () => {
    const mailboxId = await createMailbox(w, w.user, sink, { pacing: { messages: 100, seconds: 1 } });
    sink.stallNext(1);
    const id = await sendEmail(w, w.user, { mailboxId, subject: 'Lost reply', html: '<p>hi</p>', to: ['lead@client.example'] });
    const e = await waitForStatus(w, w.user, id, 'unknown');
    expect(e.error?.code).toBe('OUTCOME_UNKNOWN');
    expect(e.error?.text).toMatch(/^The whole message was sent, but the connection to the SMTP server ended before the server confirmed it \(.*did not complete the delivery within 2 s.*\); it may or may not have been delivered\. It was not resent automatically\.$/);
    expect(e.events!.map((x) => x.type)).toEqual(['queued', 'sending', 'unknown']);
    expect(e.attempts).toBe(1);

    // The mailbox goes on; the unknown mail stays as it is, never sent a second time.
    const next = await sendEmail(w, w.user, { mailboxId, subject: 'Next', html: '<p>next</p>', to: ['lead@client.example'] });
    await waitForStatus(w, w.user, next, 'sent');
    const again = (await w.api(w.user).get(`/api/emails/${id}`)).body;
    expect(again.status).toBe('unknown');
    expect(again.attempts).toBe(1);
    expect(deliveriesOf(id)).toHaveLength(0);
    expect(sink.stalls.started).toBe(1);
  });

  it('is sent when the provider filed it in Sent (IMAP on), and is not resent', async () => {
    const mailboxId = await createMailbox(w, w.user, sink, { imapUser: IMAP_USER, pacing: { messages: 100, seconds: 1 } });
    // The server has the message and files its own copy, as Gmail does; the client never hears.
    sink.onStall = (raw) => appendRaw(IMAP_USER, 'Sent', raw);
    const stalledBefore = sink.stalls.started;
    sink.stallNext(1);
    const id = await sendEmail(w, w.user, { mailboxId, subject: 'Lost reply, filed', html: '<p>hi</p>', to: ['lead@client.example'] });
    const e = await waitForStatus(w, w.user, id, 'sent');
    expect(sink.stalls.started).toBe(stalledBefore + 1);
    expect(e.error).toBeNull();
    expect(e.sentFolder).toBe('Sent');
    expect(e.attempts).toBe(1);
    const sent = e.events!.filter((x) => x.type === 'sent');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.data).toMatchObject({ recovered: true, reason: 'the connection ended before the server confirmed the message; the message was found in Sent' });
    expect(e.events!.map((x) => x.type)).not.toContain('retry_scheduled');
    expect(deliveriesOf(id)).toHaveLength(0);
  });
});
