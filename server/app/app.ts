/** The Express application: middleware, every module's routes, the error middleware. */
import crypto from 'node:crypto';
import express from 'express';
import { cors } from '../http/cors.js';
import { errorHandler } from '../http/error-handler.js';
import { requireWidgetAuth } from '../http/auth.js';
import { buildOpenApiDocument } from '../http/openapi.js';
import { route, type Api } from '../http/route.js';
import { z } from 'zod';
import { AppError, ErrorCode } from '../errors.js';
import { ensureAccount } from '../modules/accounts/accounts.repository.js';
import { registerAccountRoutes } from '../modules/accounts/accounts.routes.js';
import { registerMailboxRoutes } from '../modules/mailboxes/mailboxes.routes.js';
import { registerTemplateRoutes } from '../modules/templates/templates.routes.js';
import { registerEmailRoutes } from '../modules/emails/emails.routes.js';
import { registerTrackingRoutes } from '../modules/tracking/tracking.routes.js';
import { registerStatsRoutes } from '../modules/stats/stats.routes.js';
import { StatsService } from '../modules/stats/stats.service.js';
import { statsBreakdown, statsSeries } from '../modules/emails/stats-reads.js';
import { registerTriggerRoutes } from '../modules/triggers/triggers.routes.js';
import { registerTriggerLinkRoutes } from '../modules/trigger-links/trigger-links.routes.js';
import { registerPipelineActionRoutes } from '../modules/pipeline/pipeline.routes.js';
import { mountPublicSurface } from '../public/public-surface.js';
import { registerAccountSettingsRoutes } from '../modules/accounts/account-settings.routes.js';
import { registerDryRunRoutes } from '../modules/automation/dry-run.routes.js';
import { registerMailingRoutes } from '../modules/mailings/mailings.routes.js';
import { registerCrmDataRoutes } from '../modules/crm-data/crm-data.routes.js';
import type { Services } from './container.js';

export const API_VERSION = '0.1.0';

export function createApp(s: Services): { app: express.Express; api: Api } {
  const app = express();
  app.disable('x-powered-by');
  // Off unless TRUST_PROXY names our reverse proxy: a client's own X-Forwarded-For must not
  // choose the address tracking judges it by.
  app.set('trust proxy', s.config.trustProxy);
  app.use((req, res, next) => {
    const reqId = crypto.randomUUID();
    res.locals.log = s.log.child({ reqId, method: req.method, path: req.path });
    next();
  });
  app.use(cors(s.config.corsExtraOrigins));

  // Seen accounts are remembered per process only to skip a write; the database stays the truth.
  const knownAccounts = new Set<number>();
  const api: Api = {
    app,
    routes: [],
    authenticate: requireWidgetAuth({ secret: s.config.kommo.clientSecret, audience: jwtAudience(s.config) }, async (auth) => {
      if (knownAccounts.has(auth.accountId)) return;
      await ensureAccount(s.db, auth.accountId, auth.subdomain);
      knownAccounts.add(auth.accountId);
    }),
    // 8 MB body + JSON escaping overhead; files go through multipart instead. Parsed only once
    // the widget token is checked: an anonymous caller never gets 12 MB read.
    parseBody: express.json({ limit: '12mb' }),
  };
  mountPublicSurface(api, s);

  route(
    api,
    { method: 'get', path: '/health', summary: 'Ready when the database answers (503 otherwise)', tag: 'system', auth: 'public', response: z.object({ status: z.string(), db: z.string() }) },
    async ({ res }) => {
      try {
        await s.db.query('SELECT 1');
        return { status: 'ok', db: 'ok' };
      } catch {
        res.status(503).json({ status: 'unavailable', db: 'down' });
        return undefined;
      }
    },
  );
  // The API description holds no account data, so it is readable without a widget token.
  route(api, { method: 'get', path: '/api/openapi.json', summary: 'This document', tag: 'system', auth: 'public', response: z.record(z.string(), z.unknown()) }, () =>
    buildOpenApiDocument(api.routes, { version: API_VERSION, serverUrl: s.config.publicUrl }),
  );

  registerAccountRoutes(api, { db: s.db, config: s.config, tokens: s.tokens });
  registerMailboxRoutes(api, s.mailboxes, s.mailboxCheck);
  registerTemplateRoutes(api, s.templates);
  registerEmailRoutes(api, s.emails);
  registerTrackingRoutes(api, { db: s.db, tracking: s.tracking });
  registerTriggerRoutes(api, s.triggers);
  registerTriggerLinkRoutes(api, s.triggerLinks);
  registerPipelineActionRoutes(api, s.pipelineActions);
  registerAccountSettingsRoutes(api, s.db);
  registerDryRunRoutes(api, s.dryRun);
  registerMailingRoutes(api, s.mailings);
  registerCrmDataRoutes(api, s.crmFor);
  registerStatsRoutes(
    api,
    new StatsService(
      { series: (q, b) => statsSeries(s.db, q, b), breakdown: (q, by) => statsBreakdown(s.db, q, by) },
      { templates: (a, ids) => s.templates.namesOf(a, ids), mailboxes: (a, ids) => s.mailboxes.labelsOf(a, ids), mailings: (a, ids) => s.mailings.namesOf(a, ids) },
    ),
  );

  app.use('/api', (req, _res, next) => next(new AppError(ErrorCode.NOT_FOUND, `no route ${req.method} ${req.originalUrl}`)));
  app.use(errorHandler(s.log));
  return { app, api };
}

/** Kommo puts the origin of the integration's redirect URI in `aud`. */
export function jwtAudience(config: Services['config']): string {
  return new URL(config.kommo.redirectUri ?? config.publicUrl).origin;
}
