import net from 'node:net';
import {
  appendRaw,
  countByMessageId,
  fetchRaw,
  imapSettingsFor,
  imapUser,
  listMessages,
  uniqueMessageId,
  withImap,
} from '../../../../test/support/imap-client.js';
import { startSmtpSink } from '../../../../test/support/smtp-sink.js';
import { createSmtpTransport } from '../../smtp/nodemailer.transport.js';
import { classifyImapError } from '../classify-imap-error.js';
import { createImapStore } from '../imapflow.store.js';
import type { MailboxStore } from '../mailbox-store.js';

// Dovecot state is shared by the whole run: bob is this file's user, every message has a fresh
// Message-ID and assertions count by it.
const user = imapUser(1);

const rawMessage = (messageId: string, subject = 'Follow-up'): Buffer =>
  Buffer.from(
    [
      'From: Ana <ana@sender.test>',
      'To: lead@client.test',
      `Subject: ${subject}`,
      `Message-ID: ${messageId}`,
      'Date: Mon, 02 Sep 2024 10:00:00 +0000',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Hello',
      '',
    ].join('\r\n'),
  );

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject');
}

describe('imapflow MailboxStore against Dovecot', () => {
  const stores: MailboxStore[] = [];
  const store = (...args: Parameters<typeof createImapStore>): MailboxStore => {
    const s = createImapStore(...args);
    stores.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });
  // One good login clears Dovecot's auth penalty left by the wrong-password test, so the next
  // test file does not inherit a delayed first login.
  afterAll(async () => {
    await withImap(user, async () => undefined);
  });

  it('check logs in, lists folders and finds Sent by its \\Sent special-use', async () => {
    const result = await store(imapSettingsFor(user)).check();
    expect(result.folders).toEqual(expect.arrayContaining(['INBOX', 'Sent', 'Drafts', 'Trash']));
    expect(result.sentFolder).toBe('Sent');
  });

  it('special-use wins over a folder merely named like Sent', async () => {
    const dave = imapUser(3);
    await withImap(dave, (c) => c.mailboxCreate('Sent Items'));
    try {
      const result = await store(imapSettingsFor(dave)).check();
      expect(result.folders).toContain('Sent Items');
      expect(result.sentFolder).toBe('Sent');
    } finally {
      await withImap(dave, (c) => c.mailboxDelete('Sent Items'));
    }
  });

  it('a closed port is a transient "refused"', async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const { port } = srv.address() as net.AddressInfo;
    await new Promise<void>((r) => srv.close(() => r()));
    const c = classifyImapError(await failure(store(imapSettingsFor(user, { port })).check()), 'check');
    expect(c.kind).toBe('transient');
    expect(c.serverText).toMatch(/ECONNREFUSED/);
    expect(c.hint).toMatch(/Nothing accepts connections/);
  });

  it('a server that greets and then goes silent cannot hold check() past its deadline', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((sock) => {
      sockets.add(sock);
      sock.on('error', () => {});
      sock.write('* OK IMAP ready\r\n'); // ...and never answers a command
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const { port } = silent.address() as net.AddressInfo;
      const started = Date.now();
      const err = await failure(store(imapSettingsFor(user, { port }), { checkDeadlineMs: 1000 }).check());
      expect(Date.now() - started).toBeLessThan(3000);
      expect(classifyImapError(err, 'check')).toMatchObject({ kind: 'transient', serverText: 'IMAP check did not finish within 1000 ms' });
    } finally {
      sockets.forEach((sock) => sock.destroy());
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('TLS against the plain-text port gets the TLS mismatch hint', async () => {
    const c = classifyImapError(await failure(store(imapSettingsFor(user, { tls: true })).check()), 'check');
    expect(c.kind).toBe('permanent');
    expect(c.serverText).toMatch(/wrong version number/);
    expect(c.hint).toMatch(/port 993 expects SSL\/TLS/);
    expect(classifyImapError(await failure(store(imapSettingsFor(user, { tls: true })).appendToSent(rawMessage('<x@y>'), '<x@y>')), 'append').kind).toBe('auth');
  });

  it('STARTTLS required against a server without it (this Dovecot): fails before logging in, on check and append', async () => {
    const settings = imapSettingsFor(user, { requireStarttls: true });
    const err = await failure(store(settings).check());
    expect(err).toMatchObject({ tlsFailed: true });
    expect(classifyImapError(err, 'check')).toMatchObject({ kind: 'permanent', hint: expect.stringMatching(/does not offer STARTTLS/) });
    const append = await failure(store(settings).appendToSent(rawMessage('<st@y>'), '<st@y>'));
    expect(classifyImapError(append, 'append').kind).toBe('auth');
  });

  it('appendToSent appends once, \\Seen, and does not duplicate on a second call', async () => {
    const id = uniqueMessageId();
    const s = store(imapSettingsFor(user));
    const first = await s.appendToSent(rawMessage(id), id);
    expect(first).toEqual({ appended: true, folder: 'Sent', uid: expect.any(Number) });
    const second = await s.appendToSent(rawMessage(id), id);
    expect(second).toEqual({ appended: false, folder: 'Sent', uid: first.uid });
    expect(await countByMessageId(user, 'Sent', id)).toBe(1);
    const [listed] = (await listMessages(user, 'Sent')).filter((m) => m.messageId === id);
    expect(listed!.flags).toContain('\\Seen');
  });

  it('does not append when the provider already filed its own copy (Gmail/O365)', async () => {
    const id = uniqueMessageId();
    const providerUid = await appendRaw(user, 'Sent', rawMessage(id, 'filed by the provider'));
    const result = await store(imapSettingsFor(user)).appendToSent(rawMessage(id), id.slice(1, -1));
    expect(result).toEqual({ appended: false, folder: 'Sent', uid: providerUid });
    expect(await countByMessageId(user, 'Sent', id)).toBe(1);
  });

  it('a Message-ID that merely contains ours does not count as ours', async () => {
    const id = uniqueMessageId();
    await appendRaw(user, 'Sent', rawMessage(`<x-${id.slice(1)}`));
    const result = await store(imapSettingsFor(user)).appendToSent(rawMessage(id), id);
    expect(result.appended).toBe(true);
  });

  it('concurrent appends of the same message still leave one copy', async () => {
    const id = uniqueMessageId();
    const s = store(imapSettingsFor(user));
    const results = await Promise.all([1, 2, 3].map(() => s.appendToSent(rawMessage(id), id)));
    expect(results.filter((r) => r.appended)).toHaveLength(1);
    expect(await countByMessageId(user, 'Sent', id)).toBe(1);
  });

  it('reconnects after close()', async () => {
    const s = store(imapSettingsFor(user));
    const a = uniqueMessageId();
    const b = uniqueMessageId();
    await s.appendToSent(rawMessage(a), a);
    await s.close();
    expect((await s.appendToSent(rawMessage(b), b)).appended).toBe(true);
    expect(await countByMessageId(user, 'Sent', b)).toBe(1);
  });

  it('files the exact bytes that went over SMTP', async () => {
    const sink = await startSmtpSink();
    try {
      const transport = createSmtpTransport(sink.settings());
      const id = uniqueMessageId();
      const sent = await transport.send({
        from: { name: 'Ana', address: user },
        to: ['lead@client.test'],
        bcc: ['hidden@client.test'],
        subject: 'Propuesta',
        html: '<p>Hola</p>',
        messageId: id,
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
      const result = await store(imapSettingsFor(user)).appendToSent(sent.raw!, id);
      const [received] = await sink.waitForMessages(1);
      const filed = await fetchRaw(user, 'Sent', result.uid!);
      expect(filed.equals(sent.raw!)).toBe(true);
      expect(filed.equals(received!.raw)).toBe(true);
    } finally {
      await sink.close();
    }
  });

  // Last on purpose: after a failed login Dovecot delays the next login from the same IP by ~2 s
  // (its auth penalty), which would slow every test after it.
  it("wrong password is kind auth with Dovecot's own words", async () => {
    const err = await failure(store(imapSettingsFor(user, { auth: { type: 'password', user, pass: 'nope' } })).check());
    const c = classifyImapError(err, 'check');
    expect(c).toMatchObject({
      kind: 'auth',
      responseCode: 'AUTHENTICATIONFAILED',
      serverText: 'NO [AUTHENTICATIONFAILED] Authentication failed.',
    });
    expect(c.hint).toMatch(/username or password/);
  });
});
