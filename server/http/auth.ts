/**
 * Who is calling: Kommo's disposable widget JWT in `X-Auth-Token` (kommo-reference.md).
 * HS256 signed with the integration's client_secret, `aud` = origin of the redirect URI.
 * Every failure answers 401 with a code naming the check that failed.
 */
import type { RequestHandler } from 'express';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { AppError, ErrorCode } from '../errors.js';

export interface AuthContext {
  accountId: number;
  subdomain: string;
  userId: number;
  isAdmin: boolean;
}

const flag = z.union([z.boolean(), z.literal('Y'), z.literal('N'), z.literal(0), z.literal(1)]).transform((v) => v === true || v === 'Y' || v === 1);

const ClaimsSchema = z.object({
  account_id: z.coerce.number().int().positive(),
  subdomain: z.string().regex(/^[a-z0-9][a-z0-9-]*$/i, 'must be a Kommo subdomain'),
  user_id: z.coerce.number().int().positive(),
  is_admin: flag.optional().default(false),
});

export interface JwtVerifierOptions {
  secret: string;
  /** Origin of KOMMO_REDIRECT_URI. */
  audience: string;
}

export function verifyWidgetToken(token: string | undefined, opts: JwtVerifierOptions): AuthContext {
  if (!token) throw new AppError(ErrorCode.AUTH_MISSING, 'X-Auth-Token header is missing');
  const decoded = jwt.decode(token, { complete: true });
  if (!decoded || typeof decoded.payload !== 'object') throw new AppError(ErrorCode.AUTH_MALFORMED, 'X-Auth-Token is not a JWT');
  // Pin the algorithm before verifying: "none" and asymmetric algorithms are never accepted.
  if (decoded.header.alg !== 'HS256') {
    throw new AppError(ErrorCode.AUTH_BAD_ALGORITHM, `X-Auth-Token algorithm ${decoded.header.alg} is not accepted (HS256 only)`);
  }
  if (!opts.secret) throw new AppError(ErrorCode.AUTH_BAD_SIGNATURE, 'the server has no KOMMO_CLIENT_SECRET to verify tokens');
  let payload: jwt.JwtPayload;
  try {
    payload = jwt.verify(token, opts.secret, { algorithms: ['HS256'], audience: opts.audience }) as jwt.JwtPayload;
  } catch (err) {
    if (err instanceof jwt.TokenExpiredError) throw new AppError(ErrorCode.AUTH_EXPIRED, 'X-Auth-Token has expired');
    if (err instanceof jwt.NotBeforeError) throw new AppError(ErrorCode.AUTH_NOT_YET_VALID, 'X-Auth-Token is not valid yet');
    const msg = (err as Error).message;
    if (msg.includes('audience')) throw new AppError(ErrorCode.AUTH_BAD_AUDIENCE, `X-Auth-Token audience must be ${opts.audience}`);
    if (msg.includes('signature')) throw new AppError(ErrorCode.AUTH_BAD_SIGNATURE, 'X-Auth-Token signature is invalid');
    throw new AppError(ErrorCode.AUTH_MALFORMED, `X-Auth-Token rejected: ${msg}`);
  }
  // Kommo always sends exp; a token without one would never expire.
  if (typeof payload.exp !== 'number') throw new AppError(ErrorCode.AUTH_BAD_CLAIMS, 'X-Auth-Token has no exp claim');
  const claims = ClaimsSchema.safeParse(payload);
  if (!claims.success) {
    const i = claims.error.issues[0];
    throw new AppError(ErrorCode.AUTH_BAD_CLAIMS, `X-Auth-Token claim ${i?.path.join('.')}: ${i?.message}`);
  }
  return {
    accountId: claims.data.account_id,
    subdomain: claims.data.subdomain.toLowerCase(),
    userId: claims.data.user_id,
    isAdmin: claims.data.is_admin,
  };
}

export function requireWidgetAuth(
  opts: JwtVerifierOptions,
  onAuthenticated: (auth: AuthContext) => Promise<void>,
): RequestHandler {
  return async (req, res, next) => {
    try {
      const auth = verifyWidgetToken(req.header('x-auth-token') ?? undefined, opts);
      await onAuthenticated(auth);
      res.locals.auth = auth;
      next();
    } catch (err) {
      next(err);
    }
  };
}

/** Admin-only operations are enforced here, on the server, whatever the widget shows. */
export function assertAdmin(auth: AuthContext, what: string): void {
  if (!auth.isAdmin) throw new AppError(ErrorCode.FORBIDDEN, `only an account administrator may ${what}`);
}
