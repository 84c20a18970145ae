/**
 * Which IP addresses a server-side download may connect to: only globally routable unicast.
 * Everything in the IANA special-purpose registries (RFC 6890 and updates) is refused, plus
 * IPv6 forms that embed an IPv4 address (IPv4-mapped ::ffff:0:0/96, NAT64 64:ff9b::/96, 6to4
 * 2002::/16) are judged by the embedded address, since they reach it.
 *
 * Input must be an address as DNS or the WHATWG URL parser produce it (dotted-quad IPv4, any
 * IPv6 text form, optional %zone). Anything unparseable is "not public".
 */
import net from 'node:net';

type Range = [base: number, prefix: number, reason: string];

const IPV4_RANGES: Range[] = [
  [ip4('0.0.0.0'), 8, 'an unspecified ("this network") address'],
  [ip4('10.0.0.0'), 8, 'a private address'],
  [ip4('100.64.0.0'), 10, 'a carrier-grade NAT (shared) address'],
  [ip4('127.0.0.0'), 8, 'a loopback address'],
  [ip4('169.254.0.0'), 16, 'a link-local address (cloud metadata lives here)'],
  [ip4('172.16.0.0'), 12, 'a private address'],
  [ip4('192.0.0.0'), 24, 'a reserved (IETF protocol) address'],
  [ip4('192.0.2.0'), 24, 'a documentation address'],
  [ip4('192.88.99.0'), 24, 'a reserved (6to4 relay) address'],
  [ip4('192.168.0.0'), 16, 'a private address'],
  [ip4('198.18.0.0'), 15, 'a benchmarking address'],
  [ip4('198.51.100.0'), 24, 'a documentation address'],
  [ip4('203.0.113.0'), 24, 'a documentation address'],
  [ip4('224.0.0.0'), 4, 'a multicast address'],
  [ip4('240.0.0.0'), 4, 'a reserved address'], // includes 255.255.255.255 broadcast
];

function ip4(dotted: string): number {
  return dotted.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function classifyIPv4(value: number): string | null {
  for (const [base, prefix, reason] of IPV4_RANGES) {
    const size = 2 ** (32 - prefix);
    if (value >= base && value < base + size) return reason;
  }
  return null;
}

/** 16 bytes of an IPv6 address, or null. Accepts `::` compression and a trailing dotted quad. */
function parseIPv6(text: string): number[] | null {
  if (!net.isIPv6(text)) return null;
  let s = text;
  const words: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  let tail: number[] = [];
  if (dotted) {
    const v = ip4(dotted[1]!);
    tail = [Math.floor(v / 65536), v % 65536];
    s = s.slice(0, -dotted[1]!.length);
    if (s.endsWith(':') && !s.endsWith('::')) s = s.slice(0, -1);
  }
  const [head, rest] = s.split('::') as [string, string | undefined];
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((h) => parseInt(h, 16)));
  const left = parse(head);
  const right = rest === undefined ? [] : parse(rest);
  const fill = 8 - left.length - right.length - tail.length;
  if (fill < 0 || (rest === undefined && fill !== 0)) return null;
  words.push(...left, ...new Array<number>(fill).fill(0), ...right, ...tail);
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

const v4From = (b: number[], at: number): number => ((b[at]! * 256 + b[at + 1]!) * 256 + b[at + 2]!) * 256 + b[at + 3]!;
const zeros = (b: number[], from: number, to: number): boolean => b.slice(from, to).every((x) => x === 0);

function embedded(kind: string, v4: number): string | null {
  const reason = classifyIPv4(v4);
  return reason === null ? null : `${kind} of ${reason}`;
}

function classifyIPv6(b: number[]): string | null {
  if (zeros(b, 0, 16)) return 'an unspecified address';
  if (zeros(b, 0, 15) && b[15] === 1) return 'a loopback address';
  if (zeros(b, 0, 10) && b[10] === 0xff && b[11] === 0xff) return embedded('an IPv4-mapped form', v4From(b, 12));
  if (zeros(b, 0, 12)) return 'a reserved (IPv4-compatible) address';
  const w0 = b[0]! * 256 + b[1]!;
  const w1 = b[2]! * 256 + b[3]!;
  if (w0 === 0x64 && w1 === 0xff9b && zeros(b, 4, 12)) return embedded('a NAT64 form', v4From(b, 12));
  if (w0 === 0x64 && w1 === 0xff9b) return 'a reserved (local NAT64) address';
  if (w0 === 0x2002) return embedded('a 6to4 form', v4From(b, 2));
  if (w0 === 0x2001 && w1 === 0x0db8) return 'a documentation address';
  if (w0 === 0x2001 && w1 < 0x0200) return 'a reserved (IETF protocol, Teredo) address'; // 2001::/23
  if ((w0 & 0xfe00) === 0xfc00) return 'a private (unique local) address';
  if ((w0 & 0xffc0) === 0xfe80) return 'a link-local address';
  if ((w0 & 0xffc0) === 0xfec0) return 'a reserved (site-local) address';
  if ((w0 & 0xff00) === 0xff00) return 'a multicast address';
  // Global unicast is 2000::/3; the rest (100::/64 discard included) is not routable.
  if ((w0 & 0xe000) !== 0x2000) return 'a reserved address';
  return null;
}

/** Why an address is refused ("a loopback address"), or null when it is public. */
export function classifyAddress(ip: string): string | null {
  const address = ip.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (net.isIPv4(address)) return classifyIPv4(ip4(address));
  const bytes = parseIPv6(address);
  return bytes ? classifyIPv6(bytes) : 'not an IP address';
}

export function isPublicAddress(ip: string): boolean {
  return classifyAddress(ip) === null;
}

/**
 * Addresses an operator allows although the policy above refuses them (MAILBOX_PRIVATE_HOSTS:
 * an internal mail relay, a test server on 127.0.0.1). Entries are addresses or CIDR ranges;
 * node's BlockList does the matching, including IPv4-mapped IPv6 forms of allowed IPv4.
 */
export class AddressAllowList {
  private readonly list = new net.BlockList();

  /** Throws with a message naming the bad entry; see parseAddressList for the checking form. */
  constructor(readonly entries: readonly string[] = []) {
    for (const entry of entries) {
      const problem = addEntry(this.list, entry);
      if (problem) throw new Error(problem);
    }
  }

  allows(ip: string): boolean {
    const address = ip.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
    const family = net.isIP(address);
    return family !== 0 && this.list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }
}

/** "10.0.0.0/8, 127.0.0.1" → the trimmed entries, or the problems (for config validation). */
export function parseAddressList(text: string): { entries: string[]; problems: string[] } {
  const entries = text.split(',').map((s) => s.trim()).filter(Boolean);
  const scratch = new net.BlockList();
  const problems = entries.map((e) => addEntry(scratch, e)).filter((p): p is string => p !== null);
  return { entries, problems };
}

function addEntry(list: net.BlockList, entry: string): string | null {
  const [base = '', prefixText, extra] = entry.split('/');
  const family = net.isIP(base);
  if (family === 0 || extra !== undefined) return `"${entry}" is not an IP address or CIDR range (e.g. 10.0.0.0/8, 127.0.0.1, fd00::/8)`;
  const type = family === 6 ? 'ipv6' : 'ipv4';
  if (prefixText === undefined) {
    list.addAddress(base, type);
    return null;
  }
  const prefix = Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText) || prefix > (family === 6 ? 128 : 32)) return `"${entry}" has an invalid prefix length`;
  list.addSubnet(base, prefix, type);
  return null;
}

/**
 * A mail server whose address the policy refuses. Thrown before any connection is made, so
 * nothing (not a password, not a byte) reaches that address. `code` lets the mail error
 * classifiers recognise it like the libraries' own errors.
 */
export class HostNotAllowedError extends Error {
  readonly code = 'EHOSTNOTALLOWED';
  constructor(
    readonly host: string,
    readonly address: string,
    readonly reason: string,
  ) {
    super(
      address === host
        ? `The server ${host} is not allowed: it is ${reason}`
        : `The server ${host} is not allowed: it resolves to ${address}, ${reason}`,
    );
    this.name = 'HostNotAllowedError';
  }
}

export const HOST_NOT_ALLOWED_HINT =
  'Mailboxes may only use mail servers on public internet addresses. Use the provider’s public server name; for a company-internal mail relay, the administrator of this leadmail server can allow its address (MAILBOX_PRIVATE_HOSTS).';
