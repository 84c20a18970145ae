/**
 * Throttling of the public routes with express-rate-limit. Over the limit the request ends in a
 * 429 (`RATE_LIMITED`, with Retry-After and the RateLimit headers) before any handler runs, so
 * nothing is stored for it.
 */
import type { Request, RequestHandler, Response } from 'express';
import { rateLimit, type Store } from 'express-rate-limit';
import { AppError, ErrorCode } from '../errors.js';
import type { Logger } from '../infra/log/logger.js';

export const WINDOW_MS = 60_000;

export interface ThrottleOptions {
  /** Names the budget in the 429 message, e.g. "from this address". */
  what: string;
  limit: number;
  log: Logger;
  /** Default: express-rate-limit's own memory store (one budget per process). */
  store?: Store;
  /** Default: the client address (IPv6 by /56, the library's ipKeyGenerator). */
  key?: (req: Request, res: Response) => string;
  /** Count only the answers this accepts (by status) against the budget. */
  onlyRefused?: (status: number) => boolean;
}

export function throttle(o: ThrottleOptions): RequestHandler {
  return rateLimit({
    windowMs: WINDOW_MS,
    limit: o.limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    ...(o.store ? { store: o.store } : {}),
    ...(o.key ? { keyGenerator: o.key } : {}),
    ...(o.onlyRefused ? { skipSuccessfulRequests: true, requestWasSuccessful: (_req: Request, res: Response) => !o.onlyRefused!(res.statusCode) } : {}),
    // Whether X-Forwarded-For names the client is the operator's choice (`trust proxy`), not
    // something to second-guess per request; the other checks stay on.
    validate: { trustProxy: false },
    logger: {
      error: (err, message) => o.log.error({ err }, message ?? 'rate limiter error'),
      warn: (err, message) => o.log.warn({ err }, message ?? 'rate limiter warning'),
    },
    handler: (_req, _res, next, options) => {
      const seconds = Math.ceil(options.windowMs / 1000);
      next(new AppError(ErrorCode.RATE_LIMITED, `too many requests ${o.what}: at most ${options.limit} in ${seconds} s; try again later`));
    },
  });
}
