import type { RequestHandler } from 'express';
import { z } from 'zod';
import type { Api } from '../../http/route.js';
import { route } from '../../http/route.js';
import { assertAdmin } from '../../http/auth.js';
import type { AppConfig } from '../../infra/config/config.js';
import { kommoBaseUrl } from '../../infra/config/config.js';
import type { Db } from '../../infra/db/db.js';
import { exchangeAuthorizationCode } from '../../infra/crm/kommo-oauth.js';
import { fetchKommoAccount } from '../../infra/crm/kommo-account.js';
import { AppError, ErrorCode, invalid } from '../../errors.js';
import { ensureAccount, getAccount } from './accounts.repository.js';
import type { KommoTokens } from './kommo-tokens.service.js';
import { CONNECTED_PAGE } from './install-pages.js';
import { AccountView, KommoStatus } from '../../../shared/schemas/account.js';

const Referer = z
  .string()
  .max(300)
  .transform((r) => r.replace(/^https?:\/\//, '').replace(/\/.*$/, '').toLowerCase())
  .pipe(z.string().regex(/^[a-z0-9][a-z0-9-]*\.(kommo\.com|amocrm\.(com|ru))$/, 'must be <subdomain>.kommo.com'));

export interface KommoCallbackDeps {
  db: Db;
  config: AppConfig;
  tokens: KommoTokens;
}

export const KOMMO_CALLBACK_PATH = '/oauth/kommo/callback';

/**
 * The end of Kommo's install flow, opened in the installing admin's browser: every outcome is an
 * HTML page (install-pages.ts). Public; mounted with its body limit and throttling by
 * server/public, which also mounts `installErrorPages` right after it.
 */
export function registerKommoCallbackRoute(api: Api, deps: KommoCallbackDeps, middleware: RequestHandler[] = []): void {
  route(
    api,
    {
      method: 'get',
      path: KOMMO_CALLBACK_PATH,
      summary: 'Kommo OAuth install: exchanges the code and stores the tokens; answers an HTML page (400 for a used or expired code)',
      tag: 'kommo',
      auth: 'public',
      query: z.object({ code: z.string().min(1, 'is required').max(2000), referer: Referer, state: z.string().max(2000).optional() }),
      responseContentType: 'text/html',
      middleware,
    },
    async ({ query, res }) => {
      const subdomain = query.referer.split('.')[0]!;
      const baseUrl = kommoBaseUrl(deps.config, subdomain);
      const tokens = await exchangeAuthorizationCode({
        baseUrl,
        clientId: deps.config.kommo.clientId,
        clientSecret: deps.config.kommo.clientSecret,
        redirectUri: deps.config.kommo.redirectUri ?? '',
        code: query.code,
      });
      // The callback names the subdomain only; the account id comes from Kommo itself.
      const account = await fetchKommoAccount({ baseUrl, accessToken: tokens.accessToken });
      await ensureAccount(deps.db, account.id, account.subdomain ?? subdomain);
      await deps.tokens.store(account.id, 'oauth', tokens);
      res.status(200).set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' }).type('html').send(CONNECTED_PAGE);
    },
  );
}

export function registerAccountRoutes(api: Api, deps: { db: Db; config: AppConfig; tokens: KommoTokens }): void {
  const tag = 'kommo';
  route(
    api,
    { method: 'get', path: '/api/account', summary: 'This account and the state of its Kommo connection (disconnected: reinstall needed)', tag, auth: 'widget', response: AccountView },
    async ({ auth }) => {
      const account = await getAccount(deps.db, auth.accountId);
      return {
        id: auth.accountId,
        subdomain: account?.subdomain ?? auth.subdomain,
        kommo: await deps.tokens.status(auth.accountId),
        me: { userId: auth.userId, isAdmin: auth.isAdmin },
      };
    },
  );
  route(api, { method: 'get', path: '/api/kommo/status', summary: 'Whether this account’s Kommo API access is connected', tag, auth: 'widget', response: KommoStatus }, ({ auth }) =>
    deps.tokens.status(auth.accountId),
  );
  route(
    api,
    { method: 'put', path: '/api/kommo/token', summary: 'Admin: store a long-lived Kommo token instead of OAuth', tag, auth: 'widget', body: z.object({ accessToken: z.string().min(20, 'must be a Kommo long-lived token') }), response: KommoStatus },
    async ({ auth, body }) => {
      assertAdmin(auth, 'store a Kommo token');
      const account = await fetchKommoAccount({ baseUrl: kommoBaseUrl(deps.config, auth.subdomain), accessToken: body.accessToken }).catch((err) => {
        if (err instanceof AppError && err.code === ErrorCode.KOMMO_UNAUTHORIZED) {
          throw invalid('accessToken', `Kommo rejected this token for ${auth.subdomain}.kommo.com`);
        }
        throw err;
      });
      if (account.id !== auth.accountId) throw new AppError(ErrorCode.VALIDATION, 'accessToken: belongs to another Kommo account');
      await deps.tokens.store(auth.accountId, 'long_lived', { accessToken: body.accessToken, refreshToken: null, expiresAt: null });
      return deps.tokens.status(auth.accountId);
    },
  );
}
