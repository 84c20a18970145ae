import net from 'node:net';
import { eventually } from '../../../../test/support/eventually.js';
import { SINK_FAILURES, startSmtpSink, type SmtpSink } from '../../../../test/support/smtp-sink.js';
import { classifySmtpError } from '../classify-send-error.js';
import type { OutgoingMessage } from '../mail-transport.js';
import { createSmtpTransport } from '../nodemailer.transport.js';

const message = (over: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  from: { name: 'Ana Pérez', address: 'ana@sender.test' },
  to: [{ name: 'Bob', address: 'bob@client.test' }],
  subject: 'Propuesta — 2024',
  html: '<p>Hola <b>Bob</b></p>',
  text: 'Hola Bob',
  messageId: `<${Math.random().toString(36).slice(2)}@leadmail.test>`,
  headers: {},
  ...over,
});

/** Resolves with the error the promise rejects with; fails the test if it resolves. */
async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject');
}

/** A TCP port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('nodemailer SMTP transport against smtp-server', () => {
  let sinks: SmtpSink[] = [];
  const sink = async (...args: Parameters<typeof startSmtpSink>): Promise<SmtpSink> => {
    const s = await startSmtpSink(...args);
    sinks.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(sinks.map((s) => s.close()));
    sinks = [];
  });

  it('sends without auth and returns exactly the bytes the server received', async () => {
    const s = await sink({ tls: 'plain-only' });
    const transport = createSmtpTransport(s.settings(null));
    const msg = message({
      attachments: [{ filename: 'offer.pdf', content: Buffer.from('%PDF-1.4 fake'), contentType: 'application/pdf' }],
    });
    const result = await transport.send(msg);
    transport.close();

    const [got] = await s.waitForMessages(1);
    expect(got!.raw.equals(result.raw!)).toBe(true);
    expect(result.response).toBe('250 2.0.0 OK queued as sink-1');
    expect(result.accepted).toEqual(['bob@client.test']);
    expect(result.rejected).toEqual([]);
    expect(got!.envelope).toEqual({ mailFrom: 'ana@sender.test', rcptTo: ['bob@client.test'] });
    expect(got!.user).toBeNull();
    expect(got!.secure).toBe(false);
    expect(got!.parsed.messageId).toBe(msg.messageId);
    expect(got!.parsed.subject).toBe('Propuesta — 2024');
    expect(got!.parsed.html).toContain('<b>Bob</b>');
    expect(got!.parsed.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([['offer.pdf', '%PDF-1.4 fake']]);
  });

  it('keeps no copy of the message when the caller does not want one (keepRaw: false)', async () => {
    const s = await sink({ tls: 'plain-only' });
    const transport = createSmtpTransport(s.settings(null), { pool: { maxConnections: 1 } });
    const kept = await transport.send(message({ subject: 'kept' }));
    const notKept = await transport.send(message({ subject: 'not kept', keepRaw: false }));
    transport.close();
    const got = await s.waitForMessages(2);
    expect(kept.raw!.equals(got[0]!.raw)).toBe(true);
    expect(notKept.raw).toBeNull();
    expect(notKept.response).toBe('250 2.0.0 OK queued as sink-2');
    expect(got[1]!.parsed.subject).toBe('not kept');
    expect(got[1]!.parsed.html).toContain('<b>Bob</b>');
  });

  it('logs in with a password and sends over STARTTLS', async () => {
    const s = await sink({ auth: { user: 'ana', pass: 'pw' }, allowInsecureAuth: false });
    const transport = createSmtpTransport(s.settings({ user: 'ana', pass: 'pw' }));
    expect(s.settings().security).toBe('starttls');
    await transport.verify();
    const result = await transport.send(message());
    const [got] = await s.waitForMessages(1);
    expect(got!.user).toBe('ana');
    expect(got!.secure).toBe(true);
    expect(got!.raw.equals(result.raw!)).toBe(true);
  });

  it('sends over implicit TLS (port-465 style)', async () => {
    const s = await sink({ tls: 'implicit', auth: { user: 'ana', pass: 'pw' } });
    const transport = createSmtpTransport(s.settings({ user: 'ana', pass: 'pw' }));
    await transport.verify();
    await transport.send(message());
    const [got] = await s.waitForMessages(1);
    expect(got!.secure).toBe(true);
    expect(got!.user).toBe('ana');
  });

  it('logs in with XOAUTH2', async () => {
    const s = await sink({ auth: { user: 'ana@sender.test', accessToken: 'ya29.token' } });
    const transport = createSmtpTransport(
      s.settings(null, { auth: { type: 'oauth2', user: 'ana@sender.test', accessToken: 'ya29.token' } }),
    );
    await transport.send(message());
    const [got] = await s.waitForMessages(1);
    expect(got!.user).toBe('ana@sender.test');
  });

  it('delivers Bcc through the envelope only, and writes custom headers unfolded', async () => {
    const s = await sink();
    const transport = createSmtpTransport(s.settings());
    const unsubscribe = `<https://t.leadmail.test/u/${'x'.repeat(120)}>`;
    const result = await transport.send(
      message({
        cc: ['carol@client.test'],
        bcc: ['hidden@client.test', { name: 'Boss', address: 'boss@sender.test' }],
        headers: { 'List-Unsubscribe': unsubscribe, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      }),
    );
    const [got] = await s.waitForMessages(1);
    expect(got!.envelope.rcptTo).toEqual(['bob@client.test', 'carol@client.test', 'hidden@client.test', 'boss@sender.test']);
    expect(result.accepted).toHaveLength(4);
    const rawText = got!.raw.toString('utf8');
    expect(rawText).not.toMatch(/^bcc:/im);
    expect(rawText).not.toContain('hidden@client.test');
    expect(got!.parsed.bcc).toBeUndefined();
    expect(rawText.split('\r\n')).toContain(`List-Unsubscribe: ${unsubscribe}`);
    expect(rawText.split('\r\n')).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
  });

  it('wrong password: 535 is kind auth with the server text verbatim', async () => {
    const s = await sink({ auth: { user: 'ana', pass: 'right' } });
    const transport = createSmtpTransport(s.settings({ user: 'ana', pass: 'wrong' }));
    const c = classifySmtpError(await failure(transport.verify()), 'check');
    expect(c).toMatchObject({ kind: 'auth', responseCode: 535, enhancedCode: '5.7.8', serverText: '535 5.7.8 Authentication failed' });
    expect(c.hint).toMatch(/username or password/);
  });

  it('a closed port is a transient "refused"', async () => {
    const transport = createSmtpTransport({ host: '127.0.0.1', port: await closedPort(), security: 'none', auth: null });
    const c = classifySmtpError(await failure(transport.verify()), 'check');
    expect(c.kind).toBe('transient');
    expect(c.serverText).toMatch(/ECONNREFUSED/);
    expect(c.hint).toMatch(/Nothing accepts connections/);
  });

  it('a server that greets and then goes silent cannot hold verify() past its deadline', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((sock) => {
      sockets.add(sock);
      sock.on('error', () => {});
      sock.write('220 mx.example.test ESMTP\r\n'); // ...and never answers EHLO
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const { port } = silent.address() as net.AddressInfo;
      const transport = createSmtpTransport({ host: '127.0.0.1', port, security: 'none', auth: null }, { verifyDeadlineMs: 1000 });
      const started = Date.now();
      const c = classifySmtpError(await failure(transport.verify()), 'check');
      expect(Date.now() - started).toBeLessThan(3000);
      expect(c).toMatchObject({ kind: 'transient', serverText: 'SMTP check did not finish within 1000 ms' });
      expect(c.hint).toMatch(/did not answer in time/);
    } finally {
      sockets.forEach((sock) => sock.destroy());
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('TLS on a plain-text port: TLS mismatch hint', async () => {
    const s = await sink({ tls: 'plain-only' });
    const transport = createSmtpTransport(s.settings(null, { security: 'tls' }));
    const c = classifySmtpError(await failure(transport.verify()), 'check');
    expect(c.kind).toBe('permanent');
    expect(c.serverText).toMatch(/wrong version number/);
    expect(c.hint).toMatch(/encryption setting does not match the port/);
    expect(classifySmtpError(await failure(transport.send(message())), 'send').kind).toBe('auth');
  });

  it('STARTTLS required but not offered: STARTTLS hint', async () => {
    const s = await sink({ tls: 'plain-only' });
    const transport = createSmtpTransport(s.settings(null, { security: 'starttls' }));
    const c = classifySmtpError(await failure(transport.verify()), 'check');
    expect(c.hint).toMatch(/does not offer STARTTLS/);
    expect(c.serverText).toBe('500 Error: command not recognized');
  });

  it('plain text on an implicit-TLS port: no greeting, hint says the port expects TLS', async () => {
    const s = await sink({ tls: 'implicit' });
    const transport = createSmtpTransport(s.settings(null, { security: 'none', connectionTimeoutMs: 700 }));
    const c = classifySmtpError(await failure(transport.verify()), 'check');
    expect(c.kind).toBe('transient');
    expect(c.hint).toMatch(/expects SSL\/TLS from the start/);
  });

  it('login before STARTTLS on a strict server: encryption-required hint', async () => {
    const s = await sink({ auth: { user: 'ana', pass: 'pw' }, allowInsecureAuth: false });
    const transport = createSmtpTransport(s.settings({ user: 'ana', pass: 'pw' }, { security: 'none' }));
    const c = classifySmtpError(await failure(transport.verify()), 'check');
    expect(c).toMatchObject({ kind: 'auth', responseCode: 538 });
    expect(c.hint).toMatch(/encrypted connection/);
  });

  it('451 is transient, and the next attempt goes through', async () => {
    const s = await sink();
    s.failNext(1, SINK_FAILURES.tempFail);
    const transport = createSmtpTransport(s.settings());
    const c = classifySmtpError(await failure(transport.send(message())));
    expect(c).toMatchObject({ kind: 'transient', responseCode: 451, enhancedCode: '4.7.1', serverText: '451 4.7.1 Try again later' });
    expect(s.messages).toHaveLength(0);
    await transport.send(message());
    expect(await s.waitForMessages(1)).toHaveLength(1);
  });

  it('421 rate limit is transient and honours "try again in N seconds"', async () => {
    const s = await sink();
    s.failNext(1, SINK_FAILURES.rateLimited);
    const transport = createSmtpTransport(s.settings());
    const c = classifySmtpError(await failure(transport.send(message())));
    expect(c).toMatchObject({ kind: 'transient', responseCode: 421, retryAfterMs: 30_000 });
    expect(c.hint).toMatch(/limiting how fast/);
  });

  it('554 5.7.1 spam rejection is permanent with a spam hint', async () => {
    const s = await sink();
    s.failNext(1, SINK_FAILURES.spam);
    const transport = createSmtpTransport(s.settings());
    const c = classifySmtpError(await failure(transport.send(message())));
    expect(c).toMatchObject({
      kind: 'permanent',
      responseCode: 554,
      enhancedCode: '5.7.1',
      serverText: '554 5.7.1 Message rejected under suspicion of SPAM',
    });
    expect(c.hint).toMatch(/as spam/);
  });

  it('a scripted 535 at AUTH is kind auth even with the right password', async () => {
    const s = await sink({ auth: { user: 'ana', pass: 'pw' } });
    s.failNext(1, SINK_FAILURES.authFailed);
    const transport = createSmtpTransport(s.settings({ user: 'ana', pass: 'pw' }));
    expect(classifySmtpError(await failure(transport.send(message()))).kind).toBe('auth');
  });

  it('one rejected recipient is reported, the others still get the mail', async () => {
    const s = await sink();
    s.failNext(1, SINK_FAILURES.unknownUser);
    const transport = createSmtpTransport(s.settings());
    const result = await transport.send(message({ to: ['gone@client.test', 'bob@client.test'] }));
    expect(result.rejected).toEqual(['gone@client.test']);
    expect(result.accepted).toEqual(['bob@client.test']);
    const [got] = await s.waitForMessages(1);
    expect(got!.envelope.rcptTo).toEqual(['bob@client.test']);
  });

  it('a pooled transport reuses connections and closes cleanly', async () => {
    const s = await sink();
    const transport = createSmtpTransport(s.settings(), { pool: { maxConnections: 2 } });
    const results = await Promise.all([1, 2, 3, 4].map((i) => transport.send(message({ subject: `n${i}` }))));
    transport.close();
    const got = await eventually(() => {
      expect(s.messages).toHaveLength(4);
      return s.messages;
    });
    expect(got.map((m) => m.parsed.subject).sort()).toEqual(['n1', 'n2', 'n3', 'n4']);
    expect(results.every((r) => r.response.startsWith('250 '))).toBe(true);
  });

  it('refuses a header with a line break before anything is sent (permanent)', async () => {
    const s = await sink();
    const transport = createSmtpTransport(s.settings());
    const err = await failure(transport.send(message({ headers: { 'X-Lead': 'a\r\nBcc: x@evil.test' } })));
    expect(classifySmtpError(err)).toMatchObject({ kind: 'permanent', serverText: 'headers.X-Lead: must not contain line breaks' });
    expect(s.messages).toHaveLength(0);
  });
});
