/**
 * The mailbox host policy on its own: DNS answers (from an injected resolver standing in for
 * the DNS server), the operator's allow-list, and pinning against a real smtp-server and the
 * test Dovecot.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { HostNotAllowedError } from '../../server/infra/http/address-policy.js';
import { ConfigError, loadConfig } from '../../server/infra/config/config.js';
import { createSmtpTransport } from '../../server/infra/smtp/nodemailer.transport.js';
import { createImapStore } from '../../server/infra/imap/imapflow.store.js';
import { MailHostPolicy, type HostResolver } from '../../server/modules/mailboxes/mail-hosts.js';
import { imapSettingsFor, imapUser } from '../support/imap-client.js';

/** A resolver answering from a table, counting questions. */
function table(answers: Record<string, string[]>): HostResolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (host: string): Promise<{ address: string; family: number }[]> => {
    calls.push(host);
    const list = answers[host];
    if (!list) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolve, { calls });
}

async function refusal(p: Promise<unknown>): Promise<HostNotAllowedError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HostNotAllowedError);
  return err as HostNotAllowedError;
}

describe('MailHostPolicy.pin', () => {
  const dns = table({
    'relay.corp.example': ['10.1.2.3'],
    'mixed.example': ['93.184.216.34', '192.168.1.5'],
    'mapped.example': ['::ffff:10.0.0.7'],
    'metadata.example': ['169.254.169.254'],
    'public.example': ['2606:2800:220:1::1', '93.184.216.34'],
  });

  it('refuses a name that resolves to a private, link-local or IPv4-mapped private address', async () => {
    const policy = new MailHostPolicy([], dns);
    expect((await refusal(policy.pin('relay.corp.example'))).message).toBe('The server relay.corp.example is not allowed: it resolves to 10.1.2.3, a private address');
    expect((await refusal(policy.pin('metadata.example'))).message).toMatch(/169\.254\.169\.254, a link-local address/);
    expect((await refusal(policy.pin('mapped.example'))).message).toMatch(/::ffff:10\.0\.0\.7, an IPv4-mapped form of a private address/);
  });

  it('refuses when any answer is non-public, so a mixed answer cannot slip through', async () => {
    const policy = new MailHostPolicy([], dns);
    expect((await refusal(policy.pin('mixed.example'))).address).toBe('192.168.1.5');
  });

  it('refuses literal non-public addresses without asking DNS', async () => {
    const policy = new MailHostPolicy([], dns);
    const before = dns.calls.length;
    await refusal(policy.pin('127.0.0.1'));
    await refusal(policy.pin('[::1]'));
    await refusal(policy.pin('0.0.0.0'));
    expect(dns.calls.length).toBe(before);
  });

  it('allows what the operator listed (CIDR or address), including IPv4-mapped forms', async () => {
    const policy = new MailHostPolicy(['10.0.0.0/8', '127.0.0.1'], dns);
    await expect(policy.pin('relay.corp.example')).resolves.toBe('10.1.2.3');
    await expect(policy.pin('mapped.example')).resolves.toBe('::ffff:10.0.0.7');
    await expect(policy.pin('127.0.0.1')).resolves.toBe('127.0.0.1');
    await refusal(policy.pin('127.0.0.2'));
    await refusal(policy.pin('metadata.example'));
  });

  it('picks one checked address (IPv4 first) and passes DNS errors through for the classifiers', async () => {
    const policy = new MailHostPolicy([], dns);
    await expect(policy.pin('public.example')).resolves.toBe('93.184.216.34');
    await expect(policy.pin('nowhere.example')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });
});

describe('MAILBOX_PRIVATE_HOSTS', () => {
  it('is validated at start-up, naming the variable and the bad entry', () => {
    expect(loadConfig({ MAILBOX_PRIVATE_HOSTS: ' 10.0.0.0/8, 127.0.0.1 ,fd00::/8' }).mailboxPrivateHosts).toEqual(['10.0.0.0/8', '127.0.0.1', 'fd00::/8']);
    expect(loadConfig({}).mailboxPrivateHosts).toEqual([]);
    expect(() => loadConfig({ MAILBOX_PRIVATE_HOSTS: '10.0.0.0/8,intranet' })).toThrow(ConfigError);
    expect(() => loadConfig({ MAILBOX_PRIVATE_HOSTS: '10.0.0.0/8,intranet' })).toThrow(/MAILBOX_PRIVATE_HOSTS: "intranet" is not an IP address/);
    expect(() => loadConfig({ MAILBOX_PRIVATE_HOSTS: '10.0.0.0/33' })).toThrow(/MAILBOX_PRIVATE_HOSTS: "10\.0\.0\.0\/33" has an invalid prefix length/);
  });
});

describe('pinned connections', () => {
  let server: SMTPServer;
  let port: number;
  const sessions: { servername: string | undefined; secure: boolean }[] = [];

  beforeAll(async () => {
    server = new SMTPServer({
      secure: true,
      authOptional: true,
      disableReverseLookup: true,
      logger: false,
      onData(stream, session: SMTPServerSession & { servername?: string }, cb) {
        sessions.push({ servername: session.servername, secure: session.secure });
        stream.resume();
        stream.on('end', () => cb());
      },
    });
    server.on('error', () => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const message = { from: { address: 'a@sender.example' }, to: ['b@client.example'], subject: 'Pinned', html: '<p>x</p>', messageId: '<pinned@leadmail.test>' };

  it('SMTP connects to the checked address once resolved, and presents the host name over TLS (SNI)', async () => {
    // mail.example.test exists only in this table: the send can only work through the pin.
    const dns = table({ 'mail.example.test': ['127.0.0.1'] });
    const policy = new MailHostPolicy(['127.0.0.1'], dns);
    const transport = policy.smtp(
      { host: 'mail.example.test', port, security: 'tls', auth: null, tlsRejectUnauthorized: false },
      (pinned) => createSmtpTransport(pinned, { pool: { maxConnections: 1 } }),
    );
    try {
      await transport.send(message);
      await transport.send({ ...message, messageId: '<pinned-2@leadmail.test>' });
    } finally {
      transport.close();
    }
    expect(sessions).toEqual([
      { servername: 'mail.example.test', secure: true },
      { servername: 'mail.example.test', secure: true },
    ]);
    // One DNS question for the transport's life: a rebinding second answer is never asked for.
    expect(dns.calls).toEqual(['mail.example.test']);
  });

  it('a refused host fails before any connection, on send and on verify', async () => {
    const before = sessions.length;
    const policy = new MailHostPolicy([], table({}));
    const transport = policy.smtp({ host: '127.0.0.1', port, security: 'tls', auth: null, tlsRejectUnauthorized: false }, (p) => createSmtpTransport(p));
    await refusal(transport.send(message));
    await refusal(transport.verify());
    transport.close();
    expect(sessions.length).toBe(before);
  });

  it('IMAP logs in at the checked address of a name only the policy can resolve', async () => {
    const dns = table({ 'imap.example.test': ['127.0.0.1'] });
    const policy = new MailHostPolicy(['127.0.0.1'], dns);
    const store = policy.imap({ ...imapSettingsFor(imapUser(3)), host: 'imap.example.test' }, (p) => createImapStore(p));
    try {
      await expect(store.check()).resolves.toMatchObject({ sentFolder: 'Sent' });
    } finally {
      await store.close();
    }
    expect(dns.calls).toEqual(['imap.example.test']);
  });
});
