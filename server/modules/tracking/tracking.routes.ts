/**
 * Public tracking endpoints (the open pixel, tracked links) and the statistics behind them.
 * The public ones never fail visibly: the pixel always answers a GIF, and a click always lands
 * somewhere, only ever on the link's configured URL, never on one taken from the request.
 */
import type { Request, Response } from 'express';
import { z } from 'zod';
import { EmailStats, EmailStatsQuery } from '../../../shared/schemas/tracking.js';
import type { Api } from '../../http/route.js';
import { route } from '../../http/route.js';
import type { Db } from '../../infra/db/db.js';
import type { HitFacts } from './classify.js';
import { PIXEL_GIF } from './open-pixel.js';
import { GONE_PAGE, NOT_FOUND_PAGE, THANK_YOU_PAGE } from './pages.js';
import { emailStats } from './tracking-views.js';
import type { ClickAnswer, TrackingService } from './tracking.service.js';

// Each open and click must reach us, and the token in the URL must not leak to the landing site.
const NO_STORE = { 'Cache-Control': 'no-store, no-cache, must-revalidate, private', Pragma: 'no-cache', 'Referrer-Policy': 'no-referrer' };

/**
 * req.ip is the socket's peer unless TRUST_PROXY names our reverse proxy (app.ts); only then does
 * X-Forwarded-For count. The service bounds both values before judging or storing them.
 */
export const factsOf = (req: Request): HitFacts => ({ userAgent: req.get('user-agent') ?? null, ip: req.ip ?? null, method: req.method });

function html(res: Response, status: number, body: string): void {
  res.set({ ...NO_STORE, 'Content-Type': 'text/html; charset=utf-8', 'X-Robots-Tag': 'noindex' });
  res.status(status).send(body);
}

const PIXEL_HEADERS = { ...NO_STORE, 'Content-Type': 'image/gif', 'Content-Length': PIXEL_GIF.length };
const REDIRECT_HEADERS = { ...NO_STORE, 'Content-Length': 0 };

/** The pixel, whatever happened to the hit (written directly: this is the hot path). */
export function answerPixel(res: Response): void {
  res.writeHead(200, PIXEL_HEADERS);
  res.end(PIXEL_GIF);
}

export function answerClick(res: Response, answer: ClickAnswer): void {
  if (answer.kind === 'redirect') {
    // Express's Location (encoded as res.redirect would), without its content negotiation for a
    // "Redirecting to" body nobody reads: browsers and mail clients follow the header.
    res.location(answer.url);
    res.writeHead(302, REDIRECT_HEADERS);
    res.end();
  } else if (answer.kind === 'thanks') html(res, 200, THANK_YOU_PAGE);
  else if (answer.kind === 'gone') html(res, 410, GONE_PAGE);
  else html(res, 404, NOT_FOUND_PAGE);
}

/**
 * Also served by the fast path (tracking-fast-path.ts) for plain GETs; these routes answer the
 * rest (HEAD probes, requests with a body) and document both.
 */
export function registerTrackingRoutes(api: Api, deps: { db: Db; tracking: TrackingService }): void {
  route(
    api,
    {
      method: 'get',
      path: '/t/o/:file',
      summary: 'Open-tracking pixel (always answers a 1×1 GIF)',
      tag: 'tracking',
      auth: 'public',
      params: z.object({ file: z.string().max(200) }),
      responseContentType: 'image/gif',
    },
    async ({ params, req, res }) => {
      await deps.tracking.open(params.file, factsOf(req));
      answerPixel(res);
    },
  );

  route(
    api,
    {
      method: 'get',
      path: '/t/c/:token',
      summary: 'Tracked link: records the click and redirects (302) to the link’s configured URL or a thank-you page; 404 for a forged token',
      tag: 'tracking',
      auth: 'public',
      params: z.object({ token: z.string().max(200) }),
      responseContentType: 'text/html',
    },
    async ({ params, req, res }) => {
      answerClick(res, await deps.tracking.click(params.token, factsOf(req)));
    },
  );

  route(
    api,
    {
      method: 'get',
      path: '/api/stats/emails',
      summary: 'Opens and clicks, human and machine, with the reasons: why triggers did or did not fire',
      tag: 'tracking',
      auth: 'widget',
      query: EmailStatsQuery,
      response: EmailStats,
    },
    ({ auth, query }) => emailStats(deps.db, auth.accountId, query),
  );
}
