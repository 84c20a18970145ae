/**
 * The open pixel and tracked links on the hot path: plain GETs of /t/o/* and /t/c/* are answered
 * before Express's router and middleware stack, which alone cost more per request than the
 * whole hit (a mailing's opens arrive by the thousand per second). Everything that decides who
 * the client is and what it gets stays Express's and the routes': the request and response get
 * Express's own prototypes (so `trust proxy` and req.ip behave exactly as in a route), the same
 * per-address budget as the routes' middleware but counted without it (public/address-budget.ts),
 * the same answers (tracking.routes.ts) and the same error handler. Anything else (HEAD probes, a request with a
 * body, an odd path) goes to Express, whose routes also document these endpoints.
 */
import type http from 'node:http';
import type { Express, Request, Response } from 'express';
import { errorHandler } from '../../http/error-handler.js';
import type { Logger } from '../../infra/log/logger.js';
import { AddressBudget } from '../../public/address-budget.js';
import { answerClick, answerPixel } from './tracking.routes.js';
import type { TrackingService } from './tracking.service.js';

// The routes' own parameter rule (at most 200 characters); only the token alphabet, so nothing to decode.
const FAST = /^\/t\/([oc])\/([A-Za-z0-9._-]{1,200})(?:\?[^#]*)?$/;

export function withTrackingFastPath(app: Express, deps: { tracking: TrackingService; limitPerAddress: number; log: Logger }): http.RequestListener {
  const log = deps.log.child({ component: 'tracking' });
  // A budget per address for the pixel and one for links, as on the routes (public-surface.ts),
  // whose own budgets now see only the rest.
  const budgets = { o: new AddressBudget(deps.limitPerAddress, 'from this address'), c: new AddressBudget(deps.limitPerAddress, 'from this address') };
  const onError = errorHandler(log);
  return (rawReq, rawRes) => {
    const m = rawReq.method === 'GET' && !hasBody(rawReq) ? FAST.exec(rawReq.url ?? '') : null;
    if (!m) return void app(rawReq, rawRes);
    // What Express's own init does for every request it handles.
    const req = Object.setPrototypeOf(rawReq, app.request) as Request;
    const res = Object.setPrototypeOf(rawRes, app.response) as Response;
    Object.assign(req, { res });
    Object.assign(res, { req, locals: { log } });
    const fail = (err: unknown) => onError(err, req, res, () => undefined);
    const [, kind, token] = m as unknown as [string, 'o' | 'c', string];
    const ip = req.ip;
    budgets[kind]
      .take(ip)
      .then((over) => {
        if (over) {
          res.setHeader('Retry-After', String(over.retryAfterSec));
          throw over.error;
        }
        // What factsOf (tracking.routes.ts) reads, without asking Express again.
        const facts = { userAgent: rawReq.headers['user-agent'] ?? null, ip: ip ?? null, method: 'GET' };
        return kind === 'o' ? deps.tracking.open(token, facts).then(() => answerPixel(res)) : deps.tracking.click(token, facts).then((a) => answerClick(res, a));
      })
      .catch(fail);
  };
}

/** GETs carry no body; one that does is Express's to refuse (413), unread. */
function hasBody(req: http.IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}
