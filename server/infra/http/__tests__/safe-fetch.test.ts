import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError } from '../../../errors.js';
import { fetchPublicFile, isPublicAddress, type AddressPolicy, type FetchPublicFileOptions } from '../safe-fetch.js';

/** A real HTTP server on 127.0.0.1 with a few routes the tests need. */
let server: http.Server;
let port: number;
let base: string;
let hits: { path: string; host: string | undefined }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits.push({ path: req.url ?? '', host: req.headers.host });
    const url = new URL(req.url ?? '/', 'http://x');
    switch (url.pathname) {
      case '/files/Report%202024.pdf':
        res.writeHead(200, { 'content-type': 'application/pdf' }).end('%PDF-1.4 hello');
        return;
      case '/download':
        res.writeHead(200, {
          'content-type': 'application/pdf',
          'content-disposition': `attachment; filename="fallback.pdf"; filename*=UTF-8''Offer%20%E2%82%AC%20v2.pdf`,
        });
        res.end('offer');
        return;
      case '/quoted':
        res.writeHead(200, { 'content-disposition': 'attachment; filename="a \\"quoted\\" name.txt"' }).end('q');
        return;
      case '/traversal':
        res.writeHead(200, { 'content-disposition': 'attachment; filename="../../etc/passwd"' }).end('x');
        return;
      case '/big-declared':
        res.writeHead(200, { 'content-length': String(5000) }).end(Buffer.alloc(5000));
        return;
      case '/big-chunked': {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        // No content-length: only the streaming cap can stop this one.
        let sent = 0;
        const push = (): void => {
          if (sent >= 2_000_000 || res.destroyed) {
            res.end();
            return;
          }
          sent += 64 * 1024;
          res.write(Buffer.alloc(64 * 1024), () => setImmediate(push));
        };
        push();
        return;
      }
      case '/slow':
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial…'); // then never finishes
        return;
      case '/hang':
        return; // never answers at all
      case '/redirect':
        res.writeHead(302, { location: url.searchParams.get('to') ?? '/' }).end();
        return;
      case '/loop':
        res.writeHead(301, { location: '/loop' }).end();
        return;
      case '/missing':
        res.writeHead(404).end('nope');
        return;
      default:
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  hits = [];
});

/** Production policy plus exactly our test server (127.0.0.1 on its port). */
const allowTestServer: AddressPolicy = (ip, p) => (ip === '127.0.0.1' && p === port) || isPublicAddress(ip);
const opts = (extra: Partial<FetchPublicFileOptions> = {}): FetchPublicFileOptions => ({
  maxBytes: 1024 * 1024,
  timeoutMs: 2000,
  maxRedirects: 3,
  policy: allowTestServer,
  ...extra,
});

async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected the download to fail');
}

describe('fetchPublicFile: downloads', () => {
  it('names the file from the URL path when there is no Content-Disposition', async () => {
    const f = await fetchPublicFile(`${base}/files/Report%202024.pdf`, opts());
    expect(f).toEqual({ filename: 'Report 2024.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4 hello') });
  });

  it('prefers the RFC 8187 filename* of Content-Disposition', async () => {
    const f = await fetchPublicFile(`${base}/download`, opts());
    expect(f.filename).toBe('Offer € v2.pdf');
    expect(f.content.toString()).toBe('offer');
  });

  it('unescapes quoted filenames and strips paths from them', async () => {
    expect((await fetchPublicFile(`${base}/quoted`, opts())).filename).toBe('a "quoted" name.txt');
    expect((await fetchPublicFile(`${base}/traversal`, opts())).filename).toBe('passwd');
  });

  it('defaults the content type and follows a relative redirect to an allowed host', async () => {
    const f = await fetchPublicFile(`${base}/redirect?to=/files/Report%25202024.pdf`, opts());
    expect(f.filename).toBe('Report 2024.pdf');
    expect(hits.map((h) => h.path)).toEqual(['/redirect?to=/files/Report%25202024.pdf', '/files/Report%202024.pdf']);
    const plain = await fetchPublicFile(`${base}/quoted`, opts());
    expect(plain.contentType).toBe('application/octet-stream');
  });

  it('connects to the validated address while keeping the hostname in Host (no second DNS lookup)', async () => {
    let lookups = 0;
    const resolve = async (): Promise<{ address: string; family: 4 }[]> => {
      lookups++;
      return [{ address: '127.0.0.1', family: 4 }];
    };
    const f = await fetchPublicFile(`http://files.example.test:${port}/files/Report%202024.pdf`, opts({ resolve }));
    expect(f.filename).toBe('Report 2024.pdf');
    expect(lookups).toBe(1);
    expect(hits[0]?.host).toBe(`files.example.test:${port}`);
  });
});

describe('fetchPublicFile: refused targets (default policy)', () => {
  const refused = async (url: string, reason: RegExp, extra: Partial<FetchPublicFileOptions> = {}): Promise<AppError> => {
    const err = await failure(fetchPublicFile(url, { maxBytes: 1000, timeoutMs: 2000, maxRedirects: 3, ...extra }));
    expect(err.code).toBe('UNSAFE_URL');
    expect(err.message).toMatch(reason);
    return err;
  };

  it.each([
    ['http://127.0.0.1/', /"127\.0\.0\.1".*loopback/],
    ['http://127.8.9.10:8080/x', /loopback/],
    ['http://[::1]/', /"::1".*loopback/],
    ['http://10.1.2.3/', /private/],
    ['http://172.16.5.4/', /private/],
    ['http://192.168.1.1/', /private/],
    ['http://[fd00::1]/', /unique local/],
    ['http://169.254.169.254/latest/meta-data/', /"169\.254\.169\.254".*link-local/],
    ['http://[fe80::1]/', /link-local/],
    ['http://0.0.0.0/', /unspecified/],
    ['http://[::]/', /unspecified/],
    ['http://100.64.0.1/', /carrier-grade NAT/],
    ['http://224.0.0.1/', /multicast/],
    ['http://255.255.255.255/', /reserved/],
    ['http://2130706433/', /"127\.0\.0\.1".*loopback/], // decimal form of 127.0.0.1
    ['http://0x7f000001/', /"127\.0\.0\.1".*loopback/], // hex form
    ['http://0177.0.0.1/', /loopback/], // octal form
    ['http://[::ffff:127.0.0.1]/', /IPv4-mapped form of a loopback/],
    ['http://[::ffff:a9fe:a9fe]/', /IPv4-mapped form of a link-local/], // 169.254.169.254
    ['http://metadata.google.internal/computeMetadata/v1/', /"metadata\.google\.internal".*internal host names/],
    ['http://printer.local/', /internal host names/],
  ])('%s', async (url, reason) => {
    await refused(url, reason);
  });

  it('refuses a host name that resolves to loopback (real DNS: localhost)', async () => {
    const err = await refused(`http://localhost:${port}/`, /"localhost": it resolves to (127\.0\.0\.1|::1), a loopback address/);
    expect(hits).toHaveLength(0);
    expect(err.details).toMatchObject({ host: 'localhost' });
  });

  it('refuses when any DNS answer is private, even if another is public', async () => {
    const resolve = async (): Promise<{ address: string; family: 4 }[]> => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.5', family: 4 },
    ];
    await refused('https://files.example.test/a.pdf', /resolves to 10\.0\.0\.5, a private address/, { resolve });
  });

  it('refuses the test server itself under the default policy', async () => {
    await refused(`${base}/files/Report%202024.pdf`, /loopback/);
    expect(hits).toHaveLength(0);
  });

  it.each([
    ['file:///etc/passwd', /only http and https.*not file/],
    ['ftp://example.com/a.pdf', /not ftp/],
    ['gopher://example.com/', /not gopher/],
    ['data:text/plain,hello', /not data/],
  ])('refuses the non-http scheme of %s', async (url, reason) => {
    await refused(url, reason);
  });

  it('refuses something that is not a URL', async () => {
    await refused('not a url', /not a valid absolute URL/);
  });
});

describe('fetchPublicFile: redirects are re-validated', () => {
  it.each([
    [`http://127.0.0.1:1/secret`, /"127\.0\.0\.1".*loopback/],
    ['http://169.254.169.254/latest/meta-data/iam/', /link-local/],
    ['http://[::ffff:127.0.0.1]/', /IPv4-mapped/],
    ['file:///etc/passwd', /not file/],
  ])('refuses a redirect from the allowed server to %s', async (target, reason) => {
    const err = await failure(fetchPublicFile(`${base}/redirect?to=${encodeURIComponent(target)}`, opts()));
    expect(err.code).toBe('UNSAFE_URL');
    expect(err.message).toMatch(reason);
    expect(hits.map((h) => h.path)).toEqual([`/redirect?to=${encodeURIComponent(target)}`]);
  });

  it('refuses a redirect to something that is not a URL', async () => {
    const err = await failure(fetchPublicFile(`${base}/redirect?to=${encodeURIComponent('http://[bad')}`, opts()));
    expect(err.code).toBe('UNSAFE_URL');
    expect(err.message).toMatch(/not a valid absolute URL/);
  });

  it('stops after maxRedirects', async () => {
    const err = await failure(fetchPublicFile(`${base}/loop`, opts({ maxRedirects: 2 })));
    expect(err.code).toBe('FETCH_FAILED');
    expect(err.message).toMatch(/more than 2 redirects/);
    expect(hits).toHaveLength(3);
  });
});

describe('fetchPublicFile: limits and failures', () => {
  it('refuses a declared Content-Length over maxBytes', async () => {
    const err = await failure(fetchPublicFile(`${base}/big-declared`, opts({ maxBytes: 1000 })));
    expect(err.code).toBe('PAYLOAD_TOO_LARGE');
    expect(err.details).toMatchObject({ field: 'attachment', limit: 1000, declared: 5000 });
  });

  it('aborts a chunked body once it passes maxBytes', async () => {
    const err = await failure(fetchPublicFile(`${base}/big-chunked`, opts({ maxBytes: 100_000 })));
    expect(err.code).toBe('PAYLOAD_TOO_LARGE');
    expect(err.message).toMatch(/larger than the 100000-byte limit/);
  });

  it.each(['/slow', '/hang'])('times out on %s', async (path) => {
    const started = Date.now();
    const err = await failure(fetchPublicFile(`${base}${path}`, opts({ timeoutMs: 300 })));
    expect(err.code).toBe('FETCH_FAILED');
    expect(err.message).toMatch(/within 300 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reports HTTP errors as FETCH_FAILED with the status', async () => {
    const err = await failure(fetchPublicFile(`${base}/missing`, opts()));
    expect(err.code).toBe('FETCH_FAILED');
    expect(err.details).toMatchObject({ status: 404, host: '127.0.0.1' });
  });

  it('reports a refused connection as FETCH_FAILED', async () => {
    const policy: AddressPolicy = (ip) => ip === '127.0.0.1';
    const err = await failure(fetchPublicFile('http://127.0.0.1:1/', opts({ policy })));
    expect(err.code).toBe('FETCH_FAILED');
    expect(err.message).toMatch(/ECONNREFUSED/);
  });
});
