/**
 * Overall deadlines (issue 6 §3): a server that stalls after the final dot, or an IMAP server
 * that never answers the APPEND while trickling untagged lines (which no idle timeout notices),
 * is cut off within the deadline. A send cut off before the whole message went out is retried
 * as a temporary failure; one cut off after the final dot may have been delivered, so its
 * outcome is unknown and it is not retried (test/emails/post-dot.test.ts).
 */
import net from 'node:net';
import { createSmtpTransport } from '../../server/infra/smtp/nodemailer.transport.js';
import { classifySmtpError } from '../../server/infra/smtp/classify-send-error.js';
import { createImapStore } from '../../server/infra/imap/imapflow.store.js';
import { loadConfig } from '../../server/infra/config/config.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { eventually } from '../support/eventually.js';
import { startWorld, type World } from '../support/world.js';
import { createMailbox, sendEmail, waitForStatus } from '../support/send-helpers.js';
import { rejectionOf } from '../support/rejection.js';

const message = (n: number) => ({
  from: { address: 'ana@sender.test' },
  to: ['lead@client.test'],
  subject: `Deadline ${n}`,
  html: '<p>hi</p>',
  messageId: `<deadline-${n}-${Date.now()}@leadmail.test>`,
});


describe('deadline settings', () => {
  it('default to 12 min for a send (the 10 min RFC 5321 grants the final dot, and the rest) and 5 min for an append', () => {
    expect(loadConfig({}).deadlines).toEqual({ smtpSendMs: 12 * 60_000, imapAppendMs: 5 * 60_000 });
    expect(loadConfig({ SMTP_SEND_DEADLINE_MS: '90000', IMAP_APPEND_DEADLINE_MS: '30000' }).deadlines).toEqual({ smtpSendMs: 90_000, imapAppendMs: 30_000 });
  });

  it('refuse values past the lease of a send, or not numbers, naming the variable', () => {
    expect(() => loadConfig({ SMTP_SEND_DEADLINE_MS: String(60 * 60_000) })).toThrow(/SMTP_SEND_DEADLINE_MS: /);
    expect(() => loadConfig({ IMAP_APPEND_DEADLINE_MS: 'soon' })).toThrow(/IMAP_APPEND_DEADLINE_MS: /);
    expect(() => loadConfig({ SMTP_SEND_DEADLINE_MS: '0' })).toThrow(/SMTP_SEND_DEADLINE_MS: /);
  });
});

describe('SMTP send deadline', () => {
  let sink: SmtpSink;
  beforeEach(async () => {
    sink = await startSmtpSink({ tls: 'plain-only' });
  });
  afterEach(async () => {
    await sink.close();
  });

  it('cuts off a server that never answers the final dot, as an unknown outcome, and does not reuse the stalled connection', async () => {
    // The socket timeout is a minute (production: 10 min, RFC 5321 §4.5.3.2.6): only the deadline can end this.
    const transport = createSmtpTransport(sink.settings(), {
      pool: { maxConnections: 1, maxMessages: 100 },
      socketTimeoutMs: 60_000,
      sendDeadlineMs: 1000,
    });
    try {
      sink.stallNext(1);
      const err = await rejectionOf(transport.send(message(1)));
      const k = classifySmtpError(err);
      expect(k.kind).toBe('unknown');
      expect(k.serverText).toMatch(/did not complete the delivery within 1 s/);
      expect(k.hint).toMatch(/not resent automatically/);
      expect(sink.stalls.started).toBe(1);
      // The stalled connection is closed by us, and the pool (one connection at most) delivers
      // the next message over a new one instead of queueing it behind the stuck one.
      await eventually(() => expect(sink.stalls.closed).toBe(1));
      const next = await transport.send(message(2));
      expect(next.accepted).toEqual(['lead@client.test']);
      expect(sink.messages).toHaveLength(1);
    } finally {
      transport.close();
    }
  });

  it('cuts off a server that stops reading in the middle of DATA, as a temporary failure', async () => {
    const transport = createSmtpTransport(sink.settings(), { socketTimeoutMs: 60_000, sendDeadlineMs: 1000 });
    try {
      sink.stallNext(1, 'in-data');
      // Larger than the loopback socket buffers, so the transfer itself stops before the final
      // dot: the server cannot have the message.
      const big = { ...message(3), attachments: [{ filename: 'big.bin', content: Buffer.alloc(24 * 1024 * 1024, 7) }] };
      const k = classifySmtpError(await rejectionOf(transport.send(big)));
      expect(k.kind).toBe('transient');
      expect(k.serverText).toMatch(/did not complete the delivery within 1 s/);
      expect(sink.stalls.started).toBe(1);
      // (The sink cannot tell us the connection closed: a socket that is not being read does
      // not notice its peer going away. The after-dot case above shows the close.)
    } finally {
      transport.close();
    }
  });
});

describe('a mail whose first attempt stalls', () => {
  let w: World;
  let sink: SmtpSink;
  beforeAll(async () => {
    w = await startWorld({ SMTP_SEND_DEADLINE_MS: '1000' });
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await sink.close();
    await w.stop();
  });

  it('before the message went out: is retried after the deadline with a clear message, and delivered once', async () => {
    const mailboxId = await createMailbox(w, w.user, sink, { pacing: { messages: 100, seconds: 1 } });
    sink.stallNext(1, 'before-data');
    const id = await sendEmail(w, w.user, { mailboxId, subject: 'Stalled once', html: '<p>hi</p>', to: ['lead@client.example'] });
    const sent = await waitForStatus(w, w.user, id, 'sent');
    expect(sink.stalls.started).toBe(1);
    const retry = sent.events!.find((e) => e.type === 'retry_scheduled');
    expect(retry?.data.error).toMatch(/did not complete the delivery within 1 s/);
    expect(sent.events!.map((e) => e.type)).toEqual(['queued', 'sending', 'retry_scheduled', 'sending', 'sent']);
    expect(sink.messages.filter((m) => m.parsed.headers.get('x-leadmail-email-id') === id)).toHaveLength(1);
  });
});

describe('IMAP append deadline', () => {
  /**
   * Speaks just enough IMAP4rev1 for imapflow to log in, find Sent and start the APPEND, then
   * answers the literal with "+" and afterwards only trickles untagged OKs, never the tagged reply.
   */
  function startStallingImap(stallOn: 'APPEND' | 'SEARCH' = 'APPEND'): Promise<{ port: number; open: () => number; close: () => Promise<void> }> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
      let buffered = '';
      let stalled = false;
      socket.write('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] stalling test server ready\r\n');
      socket.on('data', (chunk: Buffer) => {
        if (stalled) return;
        buffered += chunk.toString('latin1');
        let nl: number;
        while (!stalled && (nl = buffered.indexOf('\r\n')) !== -1) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 2);
          const [tag, cmd = ''] = line.split(' ');
          const verb = cmd.toUpperCase();
          const rest = line.slice(`${tag} ${cmd} `.length).toUpperCase();
          if (verb === 'CAPABILITY') socket.write(`* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n${tag} OK done\r\n`);
          else if (verb === 'LIST') socket.write(`* LIST (\\HasNoChildren) "/" INBOX\r\n* LIST (\\HasNoChildren \\Sent) "/" Sent\r\n${tag} OK done\r\n`);
          else if (verb === 'SELECT' || verb === 'EXAMINE') socket.write(`* 0 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n* OK [UIDNEXT 1] ok\r\n${tag} OK [READ-WRITE] done\r\n`);
          else if (verb === 'UID' && rest.startsWith('SEARCH') && stallOn === 'SEARCH') {
            stalled = true;
            const trickle = setInterval(() => socket.write('* OK still searching\r\n'), 100);
            socket.on('close', () => clearInterval(trickle));
          } else if (verb === 'UID' && rest.startsWith('SEARCH')) socket.write(`* SEARCH\r\n${tag} OK done\r\n`);
          else if (verb === 'APPEND') {
            stalled = true;
            socket.write('+ go ahead\r\n');
            const trickle = setInterval(() => socket.write('* OK still working on it\r\n'), 100);
            socket.on('close', () => clearInterval(trickle));
          } else socket.write(`${tag} OK done\r\n`);
        }
      });
    });
    return new Promise((resolve) => {
      server.listen(0, '127.0.0.1', () =>
        resolve({
          port: (server.address() as net.AddressInfo).port,
          open: () => sockets.size,
          close: () =>
            new Promise<void>((done) => {
              for (const s of sockets) s.destroy();
              server.close(() => done());
            }),
        }),
      );
    });
  }

  it('gives up on a server that never finishes the APPEND, and closes the connection', async () => {
    const imap = await startStallingImap();
    const store = createImapStore(
      { host: '127.0.0.1', port: imap.port, tls: false, auth: { type: 'password', user: 'u', pass: 'p' } },
      // A long idle timeout: the trickle would defeat it anyway.
      { socketTimeoutMs: 60_000, appendDeadlineMs: 1000 },
    );
    try {
      const raw = Buffer.from('From: a@b.test\r\nTo: c@d.test\r\nSubject: x\r\nMessage-ID: <stall@x>\r\n\r\nhi\r\n');
      const err = (await rejectionOf(store.appendToSent(raw, '<stall@x>'))) as Error;
      expect(err.message).toMatch(/did not complete saving to the Sent folder within 1 s/);
      await eventually(() => expect(imap.open()).toBe(0));
    } finally {
      await store.close();
      await imap.close();
    }
  });

  it('gives up on a server that never finishes the Sent search (the crash sweep waits for it)', async () => {
    const imap = await startStallingImap('SEARCH');
    const store = createImapStore(
      { host: '127.0.0.1', port: imap.port, tls: false, auth: { type: 'password', user: 'u', pass: 'p' } },
      { socketTimeoutMs: 60_000, appendDeadlineMs: 1000 },
    );
    try {
      const err = (await rejectionOf(store.findInSent('<stall@x>'))) as Error;
      expect(err.message).toMatch(/did not complete searching the Sent folder within 1 s/);
      await eventually(() => expect(imap.open()).toBe(0));
    } finally {
      await store.close();
      await imap.close();
    }
  });
});
