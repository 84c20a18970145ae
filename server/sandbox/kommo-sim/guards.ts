/**
 * What stands in front of every simulated Kommo route: the request log, injected faults,
 * Kommo's 7 requests/second/account limit and bearer authentication.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendProblem } from './http.js';
import type { SimStore } from './store.js';
import type { SimRequestLogEntry } from './types.js';

/** Splits `/acme/api/v4/leads` into the subdomain and the path Kommo itself would see. */
export function splitPath(fullPath: string): { subdomain: string; path: string } {
  const m = /^\/([^/]+)(\/.*)?$/.exec(fullPath);
  return { subdomain: m?.[1] ?? '', path: m?.[2] ?? '/' };
}

/** Logs at arrival (so rejected requests are visible too); the status is filled in on finish. */
export function requestLogger(log: SimRequestLogEntry[]): RequestHandler {
  return (req, res, next) => {
    const { subdomain, path } = splitPath(req.path);
    const entry: SimRequestLogEntry = { time: Date.now(), subdomain, method: req.method, path, query: { ...req.query }, body: undefined };
    log.push(entry);
    res.locals.logEntry = entry;
    res.on('finish', () => {
      entry.status = res.statusCode;
    });
    next();
  };
}

/** Runs after the body parsers so the log holds the parsed body. */
export const logBody: RequestHandler = (req, res, next) => {
  (res.locals.logEntry as SimRequestLogEntry).body = req.body;
  next();
};

export interface FaultSpec {
  /** Path below the subdomain (`/api/v4/leads`): exact string or a RegExp. */
  path: string | RegExp;
  /** The status answered; without one the request is only held (see `gate`) and then handled normally. */
  status?: number;
  /** The request waits until this settles before anything else happens: a slow Kommo, under test control. */
  gate?: Promise<unknown>;
  method?: string;
  subdomain?: string;
  /** How many matching requests answer with the fault; default 1. */
  times?: number;
  /** Sent as Retry-After (seconds). Kommo itself does not send it, some proxies do. */
  retryAfterSec?: number;
  body?: string;
  /**
   * 'before' (default): the request is refused and nothing is stored. 'after': the request is
   * applied, then the fault is answered instead of the real response, as when Kommo (or a proxy
   * in front of it) fails after committing a write.
   */
  when?: 'before' | 'after';
  /** Instead of answering, close the connection: a lost answer (with `when`, before or after applying). */
  lose?: boolean;
}

/** "The next N requests to X answer 429/500/503": consumed in order of injection. */
export class SimFaults {
  private readonly pending: (FaultSpec & { remaining: number })[] = [];

  inject(spec: FaultSpec): void {
    this.pending.push({ ...spec, remaining: spec.times ?? 1 });
  }
  clear(): void {
    this.pending.length = 0;
  }
  /** Faults not yet consumed (sum of remaining times). */
  remaining(): number {
    return this.pending.reduce((n, f) => n + f.remaining, 0);
  }

  private take(subdomain: string, method: string, path: string) {
    const f = this.pending.find(
      (x) =>
        (x.subdomain === undefined || x.subdomain === subdomain) &&
        (x.method === undefined || x.method.toUpperCase() === method) &&
        (typeof x.path === 'string' ? x.path === path : x.path.test(path)),
    );
    if (!f) return undefined;
    if (--f.remaining === 0) this.pending.splice(this.pending.indexOf(f), 1);
    return f;
  }

  middleware(): RequestHandler {
    return (req, res, next) => {
      const { subdomain, path } = splitPath(req.path);
      const f = this.take(subdomain, req.method, path);
      if (!f) return next();
      if (f.gate) {
        const { gate, ...rest } = f;
        void gate.then(
          () => this.apply(rest, res, next),
          () => this.apply(rest, res, next),
        );
        return;
      }
      this.apply(f, res, next);
    };
  }

  private apply(f: FaultSpec, res: Response, next: NextFunction): void {
    if (f.status === undefined && !f.lose) return next();
    const status = f.status ?? 500;
    const answer = (send: (body: string) => unknown) => {
      if (f.lose) {
        res.socket?.destroy();
        return;
      }
      if (f.retryAfterSec !== undefined) res.set('Retry-After', String(f.retryAfterSec));
      // Kommo's 429 and its proxies' 5xx are not problem+json: clients must cope with any body.
      const body = f.body ?? (status === 429 ? 'Too Many Requests' : `<html><body><h1>${status}</h1></body></html>`);
      res.status(status).type(status === 429 ? 'text/plain' : 'text/html');
      send(body);
    };
    if (f.when !== 'after') return void answer((body) => res.send(body));
    // Let the route apply the request, then replace whatever it answers.
    const send = res.send.bind(res);
    res.send = ((_real: unknown) => {
      res.send = send;
      answer((body) => send(body));
      return res;
    }) as typeof res.send;
    next();
  }
}

/** Sliding one-second window of admitted requests per account; null disables the limit. */
export class SimRateLimit {
  private readonly admitted = new Map<string, number[]>();
  constructor(private readonly perSecond: number | null) {}

  middleware(): RequestHandler {
    return (req, res, next) => {
      if (this.perSecond === null) return next();
      const sub = String(req.params.sub);
      const now = Date.now();
      const times = (this.admitted.get(sub) ?? []).filter((t) => t > now - 1000);
      this.admitted.set(sub, times);
      if (times.length >= this.perSecond) {
        res.status(429).type('text/plain').send('Too Many Requests');
        return;
      }
      times.push(now);
      next();
    };
  }
}

export function bearerAuth(store: SimStore): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const m = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '');
    const problem = store.checkAccessToken(String(req.params.sub), m?.[1]);
    if (problem) return sendProblem(res, 401, 'Unauthorized', problem);
    next();
  };
}

export function accountExists(store: SimStore): RequestHandler {
  return (req, res, next) => {
    if (!store.accounts.has(String(req.params.sub))) return sendProblem(res, 404, 'Not Found', 'Account not found');
    next();
  };
}

/** Largest number of log entries inside any window of `windowMs` (for rate-limit assertions). */
export function peakRequestsInWindow(entries: { time: number }[], windowMs = 1000): number {
  const times = entries.map((e) => e.time).sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= windowMs) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return peak;
}
