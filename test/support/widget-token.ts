/** Signs Kommo-style widget JWTs (kommo-reference.md) for supertest requests. */
import jwt from 'jsonwebtoken';

export const TEST_CLIENT_SECRET = 'test-client-secret-0123456789abcdef';
export const TEST_REDIRECT_URI = 'https://leadmail.example.test/oauth/kommo/callback';
export const TEST_AUDIENCE = 'https://leadmail.example.test';

export interface TokenClaims {
  accountId: number;
  subdomain: string;
  userId: number;
  isAdmin?: boolean;
}

export function widgetToken(c: TokenClaims, opts: { secret?: string; audience?: string; expiresInS?: number; notBeforeS?: number } = {}): string {
  const now = Math.floor(Date.now() / 1000);
  return jwt.sign(
    {
      iss: `https://${c.subdomain}.kommo.com`,
      jti: `${now}-${Math.random()}`,
      account_id: c.accountId,
      subdomain: c.subdomain,
      client_uuid: 'client-uuid',
      user_id: c.userId,
      is_admin: c.isAdmin ?? false,
      iat: now,
      nbf: now + (opts.notBeforeS ?? 0),
      exp: now + (opts.expiresInS ?? 1800),
    },
    opts.secret ?? TEST_CLIENT_SECRET,
    { algorithm: 'HS256', audience: opts.audience ?? TEST_AUDIENCE, noTimestamp: true },
  );
}
