/**
 * Kommo's OAuth 2.0 token endpoint (kommo-reference.md "OAuth 2.0"), as plain HTTP helpers;
 * storing and locking tokens is the accounts module's job. No retries here on purpose: Kommo
 * rotates the refresh token on every use, so a blind retry after a lost response would spend a
 * token that is already revoked. The caller (holding the refresh lease) decides. Each request
 * takes a slot of the account's 7-per-second budget like every other Kommo call.
 */
import { z } from 'zod';
import { AppError, ErrorCode } from '../../errors.js';
import { kommoLimitKey, sharedKommoRateLimiter, type RateLimiter } from './rate-limiter.js';

export interface KommoTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
}

interface ClientCredentials {
  /** Account origin, e.g. https://acme.kommo.com. */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  timeoutMs?: number;
  /** Defaults to the process-wide shared Kommo limiter. */
  rateLimiter?: RateLimiter;
}

const TokenResponse = z.object({
  token_type: z.literal('Bearer'),
  expires_in: z.number().int().positive(),
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
});

export function exchangeAuthorizationCode(args: ClientCredentials & { code: string }): Promise<KommoTokens> {
  return tokenRequest(args, { grant_type: 'authorization_code', code: args.code });
}

export function refreshAccessToken(args: ClientCredentials & { refreshToken: string }): Promise<KommoTokens> {
  return tokenRequest(args, { grant_type: 'refresh_token', refresh_token: args.refreshToken });
}

async function tokenRequest(args: ClientCredentials, grant: Record<string, string>): Promise<KommoTokens> {
  const url = `${args.baseUrl.replace(/\/+$/, '')}/oauth2/access_token`;
  await (args.rateLimiter ?? sharedKommoRateLimiter()).acquire(kommoLimitKey(args.baseUrl));
  const startedAt = Date.now();
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ client_id: args.clientId, client_secret: args.clientSecret, redirect_uri: args.redirectUri, ...grant }),
      signal: AbortSignal.timeout(args.timeoutMs ?? 30_000),
    });
  } catch (err) {
    throw new AppError(ErrorCode.KOMMO_API, 'Kommo could not be reached', { grantType: grant.grant_type, transient: true, cause: String(err) });
  }
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // 429 and proxy errors are not JSON; keep the text.
  }

  if (!res.ok) throw tokenError(res.status, body, grant.grant_type!);
  const parsed = TokenResponse.safeParse(body);
  if (!parsed.success) {
    throw new AppError(ErrorCode.KOMMO_API, 'Kommo answered the token request with an unexpected body', {
      status: res.status,
      issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
  return {
    accessToken: parsed.data.access_token,
    refreshToken: parsed.data.refresh_token,
    // Measured from when we asked, so clock skew and latency only ever make us refresh early.
    expiresAt: new Date(startedAt + parsed.data.expires_in * 1000),
  };
}

/**
 * 400 (expired/used code, revoked refresh token) and 401 (bad client credentials) both mean
 * the account must go through the install flow again: KOMMO_UNAUTHORIZED. The rest is
 * KOMMO_RATE_LIMITED (429) or KOMMO_API, marked transient for 5xx.
 */
function tokenError(status: number, body: unknown, grantType: string): AppError {
  const b = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const details = { status, grantType, title: b.title, detail: b.detail, hint: b.hint, ...(typeof body === 'string' ? { body: body.slice(0, 300) } : {}) };
  if (status === 400 || status === 401) {
    const what = grantType === 'refresh_token' ? 'refresh token' : 'authorization code';
    return new AppError(ErrorCode.KOMMO_UNAUTHORIZED, `Kommo rejected the ${what}; the integration must be reconnected`, details);
  }
  if (status === 429) return new AppError(ErrorCode.KOMMO_RATE_LIMITED, 'Kommo is rate limiting this account', { ...details, transient: true });
  return new AppError(ErrorCode.KOMMO_API, `Kommo token request failed (${status})`, { ...details, transient: status >= 500 });
}
