/**
 * `GET /api/v4/account` with a given token: who the token belongs to. The OAuth callback only
 * names a subdomain, and an admin-pasted long-lived token must be checked against the caller's
 * account before it is stored.
 */
import { z } from 'zod';
import { AppError, ErrorCode } from '../../errors.js';
import { kommoLimitKey, sharedKommoRateLimiter, type RateLimiter } from './rate-limiter.js';

const Account = z.object({ id: z.number().int().positive(), subdomain: z.string().optional(), name: z.string().optional() });

export async function fetchKommoAccount(args: { baseUrl: string; accessToken: string; timeoutMs?: number; rateLimiter?: RateLimiter }): Promise<z.infer<typeof Account>> {
  // Install-time calls count against the account's 7 requests/s like every other call.
  await (args.rateLimiter ?? sharedKommoRateLimiter()).acquire(kommoLimitKey(args.baseUrl));
  let res: Response;
  try {
    res = await fetch(`${args.baseUrl.replace(/\/+$/, '')}/api/v4/account`, {
      headers: { authorization: `Bearer ${args.accessToken}`, accept: 'application/hal+json' },
      signal: AbortSignal.timeout(args.timeoutMs ?? 30_000),
    });
  } catch (err) {
    throw new AppError(ErrorCode.KOMMO_API, 'Kommo could not be reached', { cause: String(err) });
  }
  if (res.status === 401) throw new AppError(ErrorCode.KOMMO_UNAUTHORIZED, 'Kommo rejected the token');
  if (!res.ok) throw new AppError(ErrorCode.KOMMO_API, `Kommo answered ${res.status} to GET /api/v4/account`, { status: res.status });
  const parsed = Account.safeParse(await res.json().catch(() => null));
  if (!parsed.success) throw new AppError(ErrorCode.KOMMO_API, 'Kommo answered GET /api/v4/account with an unexpected body');
  return parsed.data;
}
