/**
 * Where a mailbox's SMTP and IMAP connections may go. A mailbox host is typed by users (an
 * admin can set it for someone else), so without a policy the "check" button and every send
 * would connect wherever they say: the metadata service, the database port, a host only the
 * server can reach. The same rule as link attachments applies (infra/http/address-policy.ts):
 * the name is resolved once, every answer must be a public address or one the operator allowed
 * (MAILBOX_PRIVATE_HOSTS), and the connection goes to that checked address. The name is kept
 * for TLS (SNI and the certificate check), so pinning costs no security; a second, rebinding
 * DNS answer is never asked for.
 */
import dns from 'node:dns';
import net from 'node:net';
import { AddressAllowList, classifyAddress, HostNotAllowedError } from '../../infra/http/address-policy.js';
import type { ImapSettings } from '../../infra/imap/imap-settings.js';
import type { MailboxStore } from '../../infra/imap/mailbox-store.js';
import type { MailTransport } from '../../infra/smtp/mail-transport.js';
import type { SmtpSettings } from '../../infra/smtp/smtp-settings.js';

export type HostResolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

const systemResolve: HostResolver = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/** DNS gets its own bound: the transports' deadlines start only once an address is known. */
const DNS_TIMEOUT_MS = 5_000;

export class MailHostPolicy {
  private readonly allowList: AddressAllowList;

  constructor(
    privateHosts: readonly string[] = [],
    private readonly resolve: HostResolver = systemResolve,
    private readonly dnsTimeoutMs = DNS_TIMEOUT_MS,
  ) {
    this.allowList = new AddressAllowList(privateHosts);
  }

  /** The one address to connect to, or HostNotAllowedError / the resolver's own error. */
  async pin(host: string): Promise<string> {
    const literal = host.replace(/^\[|\]$/g, '');
    const answers = net.isIP(literal) ? [{ address: literal, family: net.isIP(literal) }] : await this.lookup(host);
    for (const a of answers) {
      if (this.allowList.allows(a.address)) continue;
      const reason = classifyAddress(a.address);
      if (reason !== null) throw new HostNotAllowedError(host, a.address, reason);
    }
    // IPv4 first: many servers running this have no IPv6 route, and only one address is tried.
    const chosen = answers.find((a) => a.family === 4) ?? answers[0];
    if (!chosen) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return chosen.address;
  }

  /** An SMTP transport that connects only to the pinned address (resolved on first use). */
  smtp(settings: SmtpSettings, create: (pinned: SmtpSettings) => MailTransport): MailTransport {
    const inner = lazy(() => this.pin(settings.host).then((address) => create({ ...settings, address })));
    return {
      send: async (message) => (await inner.get()).send(message),
      verify: async () => (await inner.get()).verify(),
      close: () => inner.dispose((t) => t.close()),
    };
  }

  /** An IMAP store that connects only to the pinned address (resolved on first use). */
  imap(settings: ImapSettings, create: (pinned: ImapSettings) => MailboxStore): MailboxStore {
    const inner = lazy(() => this.pin(settings.host).then((address) => create({ ...settings, address })));
    return {
      check: async () => (await inner.get()).check(),
      appendToSent: async (raw, messageId) => (await inner.get()).appendToSent(raw, messageId),
      findInSent: async (messageId) => (await inner.get()).findInSent(messageId),
      close: async () => inner.dispose((s) => s.close()),
    };
  }

  private async lookup(host: string): Promise<{ address: string; family: number }[]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(Object.assign(new Error(`DNS lookup of ${host} did not answer within ${this.dnsTimeoutMs} ms`), { code: 'ETIMEOUT_DNS' })),
        this.dnsTimeoutMs,
      );
    });
    try {
      return await Promise.race([this.resolve(host), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** One shared creation; a failed one (DNS, policy) is forgotten so the next call tries again. */
function lazy<T>(make: () => Promise<T>): { get(): Promise<T>; dispose(close: (t: T) => unknown): Promise<void> } {
  let current: Promise<T> | null = null;
  return {
    get() {
      if (!current) {
        const p = make();
        current = p;
        p.catch(() => {
          if (current === p) current = null;
        });
      }
      return current;
    },
    async dispose(close) {
      const p = current;
      current = null;
      const value = p ? await p.catch(() => null) : null;
      if (value !== null) await close(value);
    },
  };
}
