/**
 * An in-memory Kommo API v4 (kommo-reference.md) for tests and the local sandbox. Every
 * account lives under its own path prefix, so a Kommo base URL is
 * `http://127.0.0.1:PORT/{subdomain}` where the real one is `https://{subdomain}.kommo.com`.
 */
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type Express } from 'express';
import { activityRoutes } from './activity.routes.js';
import { accountExists, bearerAuth, logBody, requestLogger, SimFaults, SimRateLimit } from './guards.js';
import { sendProblem } from './http.js';
import { oauthRoutes } from './oauth.routes.js';
import { readRoutes } from './read.routes.js';
import { SimSeeder } from './seed.js';
import { SimStore, type StoreOptions } from './store.js';
import type { SimEntityType, SimIntegration, SimRequestLogEntry } from './types.js';
import { writeRoutes } from './write.routes.js';

export { peakRequestsInWindow, type FaultSpec } from './guards.js';
export { LOST_STATUS_ID, WON_STATUS_ID } from './seed.js';
export type * from './types.js';

export interface KommoSimulatorOptions extends StoreOptions {
  /** Requests per second per account before 429; Kommo allows 7. null disables the limit. */
  rateLimitPerSecond?: number | null;
  /** Answer for GET of an unknown entity id (see read.routes.ts). */
  missingEntityStatus?: 404 | 204;
}

export function createKommoSimulator(options: KommoSimulatorOptions = {}) {
  const state = new SimStore(options);
  const seed = new SimSeeder(state);
  const requests: SimRequestLogEntry[] = [];
  const faults = new SimFaults();
  const rateLimit = new SimRateLimit(options.rateLimitPerSecond === undefined ? 7 : options.rateLimitPerSecond);

  const app: Express = express();
  app.use(requestLogger(requests));
  app.use(express.json({ type: ['application/json', 'application/*+json'], limit: '2mb' }));
  // The token endpoint also takes form-encoded bodies, as OAuth 2.0 (RFC 6749 §4.1.3) specifies.
  app.use(express.urlencoded({ extended: false }));
  app.use(logBody);
  app.use(faults.middleware());

  const api = express.Router({ mergeParams: true });
  api.use(rateLimit.middleware(), bearerAuth(state));
  api.use(activityRoutes(state));
  api.use(readRoutes(state, { missingEntityStatus: options.missingEntityStatus ?? 404 }));
  api.use(writeRoutes(state));

  app.use('/:sub', accountExists(state));
  app.use('/:sub', oauthRoutes(state));
  app.use('/:sub/api/v4', api);
  app.use((_req, res) => sendProblem(res, 404, 'Not Found', 'Route not found'));
  const onError: ErrorRequestHandler = (err: { status?: number; type?: string }, _req, res, _next) => {
    if (err.type === 'entity.parse.failed') return sendProblem(res, 400, 'Bad Request', 'Malformed JSON');
    sendProblem(res, 500, 'Internal Server Error', String(err));
  };
  app.use(onError);

  const account = (sub: string) => state.account(sub);
  return {
    app,
    state,
    seed,
    requests,
    faults,

    addAccount: seed.addAccount.bind(seed),
    addUser: seed.addUser.bind(seed),
    addPipeline: seed.addPipeline.bind(seed),
    addCustomField: seed.addCustomField.bind(seed),
    addLead: seed.addLead.bind(seed),
    addContact: seed.addContact.bind(seed),
    addCompany: seed.addCompany.bind(seed),
    addIntegration: (i: SimIntegration) => state.addIntegration(i),
    issueAuthorizationCode: (sub: string, clientId: string, code?: string) => state.issueAuthorizationCode(sub, clientId, code),
    addAccessToken: (sub: string, opts?: { token?: string; ttlSec?: number }) => state.addAccessToken(sub, opts),
    expireAccessTokens: (filter?: { token?: string; subdomain?: string }) => state.expireAccessTokens(filter),
    advanceTime: (ms: number) => state.advanceTime(ms),

    lead: (sub: string, id: number) => account(sub).leads.get(id),
    contact: (sub: string, id: number) => account(sub).contacts.get(id),
    company: (sub: string, id: number) => account(sub).companies.get(id),
    notes: (sub: string, filter: { entity_type?: SimEntityType; entity_id?: number } = {}) =>
      account(sub).notes.filter((n) => (filter.entity_type ?? n.entity_type) === n.entity_type && (filter.entity_id ?? n.entity_id) === n.entity_id),
    tasks: (sub: string) => [...account(sub).tasks],
    tagNames: (sub: string, entity: SimEntityType, id: number): string[] => {
      const acc = account(sub);
      const e = acc[entity].get(id);
      return e ? e.tagIds.map((t) => acc.tags[entity].get(t)?.name ?? '?') : [];
    },
    /** Log entries of one account, optionally narrowed by method and path (string or RegExp). */
    requestsFor: (sub: string, filter: { method?: string; path?: string | RegExp } = {}) =>
      requests.filter(
        (r) =>
          r.subdomain === sub &&
          (filter.method === undefined || r.method === filter.method.toUpperCase()) &&
          (filter.path === undefined || (typeof filter.path === 'string' ? r.path === filter.path : filter.path.test(r.path))),
      ),
    clearRequests: () => void (requests.length = 0),
  };
}

export type KommoSimulator = ReturnType<typeof createKommoSimulator>;

export interface RunningKommoSimulator {
  url: string;
  port: number;
  sim: KommoSimulator;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (port 0 = any free port). `url` has no subdomain: append `/{sub}`. */
export async function startKommoSimulator(options: KommoSimulatorOptions & { port?: number } = {}): Promise<RunningKommoSimulator> {
  const sim = createKommoSimulator(options);
  const server = sim.app.listen(options.port ?? 0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    sim,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // fetch keeps connections alive; without this close() waits for them to time out.
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
