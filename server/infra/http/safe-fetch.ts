/**
 * Server-side download for "attach a file using a link" (seed 004): the URL comes from a
 * template or a CRM field, i.e. from users, so this is an SSRF surface. Defences:
 *  - http/https only; names under .internal/.local/.localhost refused outright
 *    (metadata.google.internal, *.ec2.internal);
 *  - we resolve DNS ourselves, refuse if ANY answer is non-public (address-policy.ts), then
 *    connect to that validated address via a pinned `lookup`, so a second, rebinding DNS
 *    answer can never be used; TLS still verifies the certificate against the hostname;
 *  - redirects are followed by hand and every hop is validated again;
 *  - the body is capped while streaming, and one deadline covers DNS, redirects and body.
 * Numeric host forms (http://2130706433/, http://0x7f.1/, http://[::ffff:127.0.0.1]/) need no
 * special casing: the WHATWG URL parser canonicalises them to the address they denote.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { AppError, ErrorCode } from '../../errors.js';
import { classifyAddress, isPublicAddress } from './address-policy.js';
import { filenameFromContentDisposition, filenameFromUrl } from './content-disposition.js';

export { classifyAddress, isPublicAddress } from './address-policy.js';

/** true = may connect. The default is isPublicAddress; tests widen it to their local server. */
export type AddressPolicy = (ip: string, port: number) => boolean;

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export interface FetchPublicFileOptions {
  maxBytes: number;
  /** One deadline for the whole download: DNS, every redirect hop and the body. */
  timeoutMs: number;
  maxRedirects: number;
  policy?: AddressPolicy;
  /** DNS resolution; default the system resolver (dns.lookup, all answers). */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>;
}

export interface FetchedFile {
  filename: string;
  contentType: string;
  content: Buffer;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const BLOCKED_SUFFIXES = ['.internal', '.local', '.localhost'];

const unsafe = (host: string, why: string, extra: Record<string, unknown> = {}): AppError =>
  new AppError(ErrorCode.UNSAFE_URL, `Refusing to download from "${host}": ${why}`, { host, reason: why, ...extra });

const failed = (host: string, why: string, extra: Record<string, unknown> = {}): AppError =>
  new AppError(ErrorCode.FETCH_FAILED, `Download from "${host}" failed: ${why}`, { host, reason: why, ...extra });

async function systemResolve(hostname: string): Promise<ResolvedAddress[]> {
  const answers = await dns.promises.lookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
}

function parseTarget(raw: string | URL, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    throw new AppError(ErrorCode.UNSAFE_URL, 'The attachment link is not a valid absolute URL', { reason: 'invalid URL' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw unsafe(url.hostname || url.protocol, `only http and https links can be downloaded, not ${url.protocol.replace(/:$/, '')}`);
  }
  return url;
}

/**
 * The checks that need no DNS, for save time: scheme, internal names, and literal addresses
 * (the WHATWG parser already turns `http://2130706433/` into 127.0.0.1). The download re-checks
 * everything, after resolution and on every redirect.
 */
export function assertLinkLooksPublic(rawUrl: string, policy: AddressPolicy = (ip) => isPublicAddress(ip)): void {
  const url = parseTarget(rawUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || BLOCKED_SUFFIXES.some((s) => name.endsWith(s))) throw unsafe(host, 'internal host names are not allowed');
  if (net.isIP(host) && !policy(host, Number(url.port || (url.protocol === 'https:' ? 443 : 80)))) {
    throw unsafe(host, `it is ${classifyAddress(host) ?? 'an address the download policy does not allow'}`);
  }
}

/** Validates one hop and returns the single address we will connect to. */
async function vetHost(url: URL, policy: AddressPolicy, resolve: NonNullable<FetchPublicFileOptions['resolve']>, deadline: Promise<never>): Promise<ResolvedAddress> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const name = host.toLowerCase().replace(/\.$/, '');
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  if (BLOCKED_SUFFIXES.some((s) => name.endsWith(s))) throw unsafe(host, 'internal host names are not allowed');

  let answers: ResolvedAddress[];
  if (net.isIP(host)) {
    answers = [{ address: host, family: net.isIPv6(host) ? 6 : 4 }];
  } else {
    try {
      answers = await Promise.race([resolve(host), deadline]);
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw failed(host, `the host name does not resolve (${(err as NodeJS.ErrnoException).code ?? 'DNS error'})`);
    }
  }
  if (answers.length === 0) throw failed(host, 'the host name does not resolve');
  for (const a of answers) {
    if (!policy(a.address, port)) {
      const why = classifyAddress(a.address) ?? 'an address the download policy does not allow';
      const via = a.address === host ? `it is ${why}` : `it resolves to ${a.address}, ${why}`;
      throw unsafe(host, via, { address: a.address });
    }
  }
  return answers[0]!;
}

type HopResult = { redirect: string } | { status: number; headers: http.IncomingHttpHeaders; body: Buffer };

function requestOnce(url: URL, pinned: ResolvedAddress, maxBytes: number, signal: AbortSignal): Promise<HopResult> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // Answers every lookup with the address we validated (both the single-answer form and the
  // `all: true` form Node's happy-eyeballs connect uses).
  const lookup = ((_name: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) => {
    if (opts?.all) cb(null, [{ address: pinned.address, family: pinned.family }]);
    else cb(null, pinned.address, pinned.family);
  }) as unknown as net.LookupFunction;
  const client = url.protocol === 'https:' ? https : http;

  return new Promise<HopResult>((resolve, reject) => {
    const req = client.request(
      {
        protocol: url.protocol,
        host,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers: { 'user-agent': 'leadmail-attachment-fetcher/1', accept: '*/*', 'accept-encoding': 'identity' },
        lookup,
        agent: false, // no pooled sockets: every hop connects to its own validated address
        signal,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if (REDIRECTS.has(status) && location) {
          res.destroy();
          resolve({ redirect: location });
          return;
        }
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > maxBytes) {
          req.destroy();
          reject(tooLarge(host, maxBytes, declared));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            req.destroy();
            reject(tooLarge(host, maxBytes));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          if (!res.complete) reject(failed(host, 'the connection closed before the file was complete'));
          else resolve({ status, headers: res.headers, body: Buffer.concat(chunks, size) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function tooLarge(host: string, maxBytes: number, declared?: number): AppError {
  return new AppError(
    ErrorCode.PAYLOAD_TOO_LARGE,
    `attachment: the file at "${host}" is larger than the ${maxBytes}-byte limit`,
    { field: 'attachment', host, limit: maxBytes, ...(declared !== undefined ? { declared } : {}) },
  );
}

export async function fetchPublicFile(rawUrl: string | URL, options: FetchPublicFileOptions): Promise<FetchedFile> {
  const policy: AddressPolicy = options.policy ?? ((ip) => isPublicAddress(ip));
  const resolve = options.resolve ?? systemResolve;
  let url = parseTarget(rawUrl);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(failed(hostOf(url), `no complete answer within ${options.timeoutMs} ms`, { timeoutMs: options.timeoutMs }));
    }, options.timeoutMs);
  });
  deadline.catch(() => undefined); // observed through the races below

  try {
    for (let hop = 0; ; hop++) {
      const pinned = await vetHost(url, policy, resolve, deadline);
      let result: HopResult;
      try {
        result = await Promise.race([requestOnce(url, pinned, options.maxBytes, controller.signal), deadline]);
      } catch (err) {
        if (err instanceof AppError) throw err;
        if (controller.signal.aborted) await deadline; // rethrows the timeout error
        throw failed(hostOf(url), `${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      if ('redirect' in result) {
        if (hop >= options.maxRedirects) throw failed(hostOf(url), `more than ${options.maxRedirects} redirects`);
        url = parseTarget(result.redirect, url);
        continue;
      }
      if (result.status < 200 || result.status > 299) throw failed(hostOf(url), `HTTP ${result.status}`, { status: result.status });
      const contentType = String(result.headers['content-type'] ?? '').trim() || 'application/octet-stream';
      const filename = filenameFromContentDisposition(result.headers['content-disposition']) ?? filenameFromUrl(url);
      return { filename, contentType, content: result.body };
    }
  } finally {
    clearTimeout(timer);
  }
}

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}
