/**
 * POST /{sub}/oauth2/access_token. Kommo's token endpoint is built on the PHP League OAuth2
 * server: client problems answer 401 "Client authentication failed", grant problems 400 with a
 * `hint`, in problem+json. Codes are single-use and live 20 min; refresh tokens rotate: the one
 * presented is revoked the moment a new pair is issued.
 */
import { Router, type Request, type Response } from 'express';
import type { SimStore } from './store.js';

const OAUTH_PROBLEM = 'https://developers.amocrm.ru/v3/errors/OAuthProblemJson';

function oauthProblem(res: Response, status: 400 | 401, detail: string, hint?: string): void {
  const body = { ...(hint ? { hint } : {}), title: status === 401 ? 'Unauthorized' : 'Bad Request', type: OAUTH_PROBLEM, status, detail };
  res.status(status).type('application/problem+json').send(JSON.stringify(body));
}

const INVALID_REQUEST = 'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.';
const INVALID_GRANT =
  'The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.';

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export function oauthRoutes(store: SimStore): Router {
  const router = Router({ mergeParams: true });

  router.post('/oauth2/access_token', (req: Request, res: Response) => {
    const sub = String(req.params.sub);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const grantType = str(body.grant_type);
    if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
      return oauthProblem(res, 400, 'The authorization grant type is not supported by the authorization server.', 'Check the `grant_type` parameter');
    }
    const clientId = str(body.client_id);
    if (!clientId) return oauthProblem(res, 400, INVALID_REQUEST, 'Check the `client_id` parameter');
    const integration = store.integrations.get(clientId);
    if (!integration || integration.clientSecret !== body.client_secret) return oauthProblem(res, 401, 'Client authentication failed');

    if (grantType === 'authorization_code') {
      const code = str(body.code);
      if (!code) return oauthProblem(res, 400, INVALID_REQUEST, 'Check the `code` parameter');
      const grant = store.codes.get(code);
      if (!grant || grant.subdomain !== sub) return oauthProblem(res, 400, INVALID_GRANT, 'Authorization code has been revoked');
      if (grant.clientId !== clientId) return oauthProblem(res, 400, INVALID_GRANT, 'Authorization code was not issued to this client');
      if (grant.expiresAt <= store.now()) return oauthProblem(res, 400, INVALID_GRANT, 'Authorization code has expired');
      if (str(body.redirect_uri) !== grant.redirectUri) return oauthProblem(res, 400, INVALID_GRANT, 'Invalid redirect URI');
      store.codes.delete(code);
      return sendTokens(res, store.issueTokenPair(sub, clientId));
    }

    const refreshToken = str(body.refresh_token);
    if (!refreshToken) return oauthProblem(res, 400, INVALID_REQUEST, 'Check the `refresh_token` parameter');
    const grant = store.refreshTokens.get(refreshToken);
    if (!grant || grant.subdomain !== sub) return oauthProblem(res, 400, INVALID_GRANT, 'Token has been revoked');
    if (grant.clientId !== clientId) return oauthProblem(res, 400, INVALID_GRANT, 'Token is not linked to client');
    if (grant.expiresAt <= store.now()) return oauthProblem(res, 400, INVALID_GRANT, 'Token has expired');
    store.refreshTokens.delete(refreshToken);
    return sendTokens(res, store.issueTokenPair(sub, clientId));
  });

  return router;
}

function sendTokens(res: Response, t: { accessToken: string; refreshToken: string; expiresIn: number }): void {
  res.status(200).json({ token_type: 'Bearer', expires_in: t.expiresIn, access_token: t.accessToken, refresh_token: t.refreshToken });
}
