/**
 * The one place that talks HTTP to Kommo's API v4 and decides about retries: the shared
 * per-account rate limiter, bearer tokens with one refresh-and-retry on 401, exponential backoff
 * with jitter on 429/5xx/network failures, and Kommo's errors turned into typed AppErrors.
 */
import type { Logger } from 'pino';
import { AppError, ErrorCode } from '../../errors.js';
import { kommoLimitKey, sharedKommoRateLimiter, type RateLimiter } from './rate-limiter.js';

export type KommoLogger = Pick<Logger, 'warn'>;

export interface RetryPolicy {
  /** Tries per request, the first included. Kept small: the job queue retries later anyway. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited out in-process; the error goes to the caller. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 8000, maxRetryAfterMs: 10_000 };

export interface KommoHttpOptions {
  /** Account API origin, e.g. https://acme.kommo.com (the simulator: http://127.0.0.1:PORT/acme). */
  baseUrl: string;
  accountId: number;
  getAccessToken: () => Promise<string>;
  /**
   * Called once after a 401 with the token Kommo refused (a refresh only if that token is still
   * the current one); the request is then retried once with whatever getAccessToken gives.
   */
  onUnauthorized?: (refusedToken: string) => Promise<void>;
  logger?: KommoLogger;
  retry?: Partial<RetryPolicy>;
  /** Defaults to the process-wide shared limiter; tests may isolate theirs. Keyed by the base URL. */
  rateLimiter?: RateLimiter;
  timeoutMs?: number;
}

export interface KommoRequest {
  query?: Record<string, string | number>;
  body?: unknown;
  /** A GET of a single entity: 404 means "no such entity", not an error. */
  notFoundAsNull?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retry-After is either delta-seconds or an HTTP-date (RFC 9110 §10.2.3). */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Kommo's 429 and its proxies' 5xx pages are not JSON; keep a snippet for the error details.
    return text.slice(0, 300);
  }
}

function problemDetails(status: number, body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null) return { status, body };
  const b = body as Record<string, unknown>;
  return { status, title: b.title, detail: b.detail, type: b.type, hint: b.hint, validationErrors: b['validation-errors'] };
}

export class KommoHttp {
  private readonly retry: RetryPolicy;
  private readonly limiter: RateLimiter;
  private readonly root: string;

  constructor(private readonly opts: KommoHttpOptions) {
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.limiter = opts.rateLimiter ?? sharedKommoRateLimiter();
    this.root = `${opts.baseUrl.replace(/\/+$/, '')}/api/v4`;
  }

  /** Returns the parsed body, or null for 204 (empty list) and, when asked, for 404. */
  async request<T>(method: string, path: string, req: KommoRequest = {}): Promise<T | null> {
    const url = new URL(this.root + path);
    for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, String(v));
    const where = { method, path, accountId: this.opts.accountId };
    let refreshed = false;

    for (let attempt = 1; ; attempt++) {
      await this.limiter.acquire(kommoLimitKey(this.opts.baseUrl));
      const token = await this.opts.getAccessToken();
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/hal+json, application/problem+json, application/json',
            ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          body: req.body !== undefined ? JSON.stringify(req.body) : undefined,
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
        });
      } catch (err) {
        const refused = connectionRefused(err);
        const error = new AppError(ErrorCode.KOMMO_API, 'Kommo could not be reached', { ...where, transient: true, cause: String(err), ...(method === 'POST' && !refused ? { outcomeUnknown: true } : {}) });
        // A POST (note, task, lead) that may have reached Kommo is not sent again blindly: a
        // duplicate task cannot be taken back. Only a refused connection proves it did not; the
        // client (kommo.client.ts) reads back whether it was applied before writing again.
        if (method === 'POST' && !refused) throw error;
        await this.backoffOrThrow(attempt, undefined, error);
        continue;
      }

      if (res.status === 401) {
        const body = await readBody(res);
        if (this.opts.onUnauthorized && !refreshed) {
          refreshed = true;
          await this.opts.onUnauthorized(token);
          attempt--; // a refreshed token is a fresh start, not a spent retry
          continue;
        }
        throw new AppError(ErrorCode.KOMMO_UNAUTHORIZED, 'Kommo refused our access token', { ...where, ...problemDetails(401, body) });
      }
      if (res.status === 429 || res.status >= 500) {
        const body = await readBody(res);
        const error =
          res.status === 429
            ? new AppError(ErrorCode.KOMMO_RATE_LIMITED, 'Kommo is rate limiting this account', { ...where, status: 429, transient: true })
            : new AppError(ErrorCode.KOMMO_API, 'Kommo failed to answer', {
                ...where,
                ...problemDetails(res.status, body),
                transient: true,
                ...(method === 'POST' ? { outcomeUnknown: true } : {}),
              });
        // 429 means "not done"; a 5xx to a POST may come after Kommo applied it (same reason as above).
        if (method === 'POST' && res.status >= 500) throw error;
        await this.backoffOrThrow(attempt, retryAfterMs(res.headers.get('retry-after')), error);
        continue;
      }
      if (res.status === 204) return null;
      const body = await readBody(res);
      if (res.ok) return body as T;
      if (res.status === 404 && req.notFoundAsNull) return null;
      throw new AppError(ErrorCode.KOMMO_API, `Kommo rejected the request (${res.status})`, { ...where, ...problemDetails(res.status, body) });
    }
  }

  /** Waits before the next attempt, or throws `error` when attempts (or patience) run out. */
  private async backoffOrThrow(attempt: number, retryAfter: number | undefined, error: AppError): Promise<void> {
    if (attempt >= this.retry.maxAttempts) throw error;
    if (retryAfter !== undefined && retryAfter > this.retry.maxRetryAfterMs) throw error;
    // Equal jitter: half fixed, half random, so clients that failed together do not retry together.
    const exp = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    const delay = Math.max(retryAfter ?? 0, exp / 2 + Math.random() * (exp / 2));
    const details = error.details as { status?: number; method: string; path: string };
    this.opts.logger?.warn({ accountId: this.opts.accountId, method: details.method, path: details.path, status: details.status, attempt, delayMs: Math.round(delay) }, 'kommo request retried');
    await sleep(delay);
  }
}

/** ECONNREFUSED / unknown host: the request never left, so even a POST may be retried. */
function connectionRefused(err: unknown): boolean {
  const cause = (err as { cause?: { code?: string } }).cause;
  return cause?.code === 'ECONNREFUSED' || cause?.code === 'ENOTFOUND' || cause?.code === 'EAI_AGAIN';
}
