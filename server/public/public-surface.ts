/**
 * Every unauthenticated route in one place (architecture.md `server/public/`), each with its
 * body limit and throttling. Nothing here needs more than a few kB, whatever the API allows
 * authenticated widget calls (those bodies are parsed only after the widget token is checked,
 * route.ts). Over a limit the request ends in 413 or 429 before any handler runs: nothing is
 * stored for it.
 *
 * | route                      | body          | per address (per minute)        | per account          |
 * |----------------------------|---------------|---------------------------------|----------------------|
 * | POST /hooks/kommo/dp       | 16 kB         | RATE_LIMIT_PER_ADDRESS refused  | RATE_LIMIT_DP_PER_ACCOUNT (PostgreSQL) |
 * | GET /t/o/*, /t/c/*         | none (1 kB)   | RATE_LIMIT_TRACKING_PER_ADDRESS | —                    |
 * | GET /oauth/kommo/callback  | none (1 kB)   | 30                              | —                    |
 * | GET /api/openapi.json      | none (1 kB)   | RATE_LIMIT_PER_ADDRESS          | —                    |
 * | GET /health                | none (1 kB)   | — (monitors poll it)            | —                    |
 *
 * Address budgets use express-rate-limit's memory store, one per process, on purpose: they guard
 * the process itself against floods of cheap requests, and counting each of those in PostgreSQL
 * would turn the flood into database writes. With N processes an address gets N times the budget.
 * The DP hook's account budget is what an account can make us store and send, so it is shared
 * by every process (PgRateLimitStore).
 *
 * Tracking gets a budget of its own, ten times the others by default: Gmail's image proxy and
 * Apple's privacy relay fetch the pixel for thousands of readers from a handful of addresses, and
 * a 429 there is a human open lost. Flooding Kommo through tracking is stopped per link and
 * entity in PostgreSQL (trigger-links' hourly cap), not here.
 *
 * Kommo calls the DP hook from a few addresses for every account, so there only refused calls
 * (a bad token, a malformed or oversized body) count toward the address: a forger is stopped,
 * and one account's burst cannot close the door on the others.
 */
import express, { type RequestHandler } from 'express';
import type { Api } from '../http/route.js';
import { registerKommoCallbackRoute, KOMMO_CALLBACK_PATH } from '../modules/accounts/accounts.routes.js';
import { installErrorPages } from '../modules/accounts/install-pages.js';
import type { Services } from '../app/container.js';
import { registerDpHook } from './dp-hook.js';
import { PgRateLimitStore } from './pg-rate-limit-store.js';
import { throttle } from './throttle.js';

/** An install is a person clicking in Kommo: a few a minute is already a lot. */
const OAUTH_CALLBACK_PER_ADDRESS = 30;

/** GET routes carry no body; anything larger than this is refused (413) unread. */
const noBody = (): RequestHandler => express.raw({ type: () => true, limit: '1kb' });

/** 400 (bad input), 403 (bad token), 413 (too large): what a forger gets. 429s and our own 5xx do not count. */
const refused = (status: number): boolean => status >= 400 && status < 500 && status !== 429;

export type PublicServices = Pick<Services, 'config' | 'db' | 'log' | 'pipeline' | 'tokens'>;

/** Call before any other route is mounted: the guards must run first. */
export function mountPublicSurface(api: Api, s: PublicServices): void {
  const { app } = api;
  const log = s.log.child({ component: 'public' });
  const perAddress = s.config.publicRateLimits.perAddress;
  const fromAddress = (limit: number): RequestHandler => throttle({ what: 'from this address', limit, log });

  const tracking = s.config.publicRateLimits.trackingPerAddress;
  app.use('/t/o', noBody(), fromAddress(tracking));
  app.use('/t/c', noBody(), fromAddress(tracking));
  app.use('/api/openapi.json', noBody(), fromAddress(perAddress));
  app.use('/health', noBody());

  registerDpHook(api, s.pipeline, {
    perAddress: throttle({ what: 'from this address', limit: perAddress, log, onlyRefused: refused }),
    perAccount: throttle({
      what: 'for this account',
      limit: s.config.publicRateLimits.dpPerAccount,
      log,
      store: new PgRateLimitStore(s.db, 'dp-account:'),
      key: (_req, res) => String((res.locals.dp as { claims: { accountId: number } }).claims.accountId),
    }),
  });

  registerKommoCallbackRoute(api, s, [noBody(), fromAddress(OAUTH_CALLBACK_PER_ADDRESS)]);
  app.use(KOMMO_CALLBACK_PATH, installErrorPages(log));
}
