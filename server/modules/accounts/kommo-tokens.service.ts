/**
 * Kommo OAuth tokens per account, encrypted at rest, refreshed before expiry.
 *
 * Kommo rotates the refresh token on every use (kommo-reference.md), so two processes must not
 * both spend it; yet no row lock or pool connection may be held while Kommo answers (a slow
 * Kommo would otherwise pin connections and block every reader of the row). So a refresh is:
 *   1. claim a short lease on the row (one UPDATE, only for the token version we saw);
 *   2. call Kommo outside any transaction, through the account's rate limiter;
 *   3. store the new pair with a compare-and-set on the old refresh token and the version.
 * Anyone else who needs the token meanwhile polls the row until the version moves. A refresh
 * Kommo refuses for good (400 invalid_grant, 401) marks the account disconnected: every call
 * needing Kommo then answers KOMMO_NOT_CONNECTED until the integration is installed again.
 */
import crypto from 'node:crypto';
import type { AppConfig } from '../../infra/config/config.js';
import { kommoBaseUrl } from '../../infra/config/config.js';
import type { SecretBox } from '../../infra/crypto/secret-box.js';
import type { Db } from '../../infra/db/db.js';
import { refreshAccessToken } from '../../infra/crm/kommo-oauth.js';
import type { RateLimiter } from '../../infra/crm/rate-limiter.js';
import { AppError, ErrorCode } from '../../errors.js';

/** Refresh when less than this is left, so a token never expires mid-request. */
const REFRESH_MARGIN_MS = 5 * 60_000;

interface TokenRow {
  kind: 'oauth' | 'long_lived';
  access_token_enc: string;
  refresh_token_enc: string | null;
  expires_at: Date | null;
  version: number;
  disconnected_at: Date | null;
  disconnected_reason: string | null;
}

export interface StoredTokens {
  accessToken: string;
  refreshToken: string | null;
  expiresAt: Date | null;
}

export interface KommoStatusView {
  connected: boolean;
  kind: string | null;
  expiresAt: string | null;
  /** Set when Kommo refused the refresh token for good: the integration must be installed again. */
  disconnectedAt: string | null;
  disconnectedReason: string | null;
}

export interface KommoTokensOptions {
  /** The shared Kommo limiter (token requests count against the account's 7/s). */
  rateLimiter?: RateLimiter;
  /** How long a refresh claim is held; longer than the token request's own timeout. */
  leaseMs?: number;
  /** Timeout of the token request. */
  requestTimeoutMs?: number;
  /** How often a caller waiting for another's refresh re-reads the row. */
  pollMs?: number;
}

const disconnectedError = (reason: string | null) =>
  new AppError(
    ErrorCode.KOMMO_NOT_CONNECTED,
    `Kommo disconnected this integration${reason ? ` (${reason})` : ''}: an administrator must install leadmail again from Kommo`,
    { disconnected: true },
  );

export class KommoTokens {
  private readonly leaseMs: number;
  private readonly requestTimeoutMs: number;
  private readonly pollMs: number;

  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    private readonly config: AppConfig,
    private readonly opts: KommoTokensOptions = {},
  ) {
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 20_000;
    this.leaseMs = opts.leaseMs ?? this.requestTimeoutMs + 10_000;
    this.pollMs = opts.pollMs ?? 100;
  }

  /** New tokens (install, reinstall, long-lived token): also ends a "disconnected" state. */
  async store(accountId: number, kind: 'oauth' | 'long_lived', t: StoredTokens): Promise<void> {
    await this.db.query(
      `INSERT INTO kommo_tokens (account_id, kind, access_token_enc, refresh_token_enc, expires_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (account_id) DO UPDATE SET kind = EXCLUDED.kind, access_token_enc = EXCLUDED.access_token_enc,
         refresh_token_enc = EXCLUDED.refresh_token_enc, expires_at = EXCLUDED.expires_at,
         version = kommo_tokens.version + 1, updated_at = now(),
         refresh_lease_until = NULL, refresh_lease_owner = NULL, disconnected_at = NULL, disconnected_reason = NULL`,
      [accountId, kind, this.box.encrypt(t.accessToken), t.refreshToken ? this.box.encrypt(t.refreshToken) : null, t.expiresAt],
    );
  }

  async status(accountId: number): Promise<KommoStatusView> {
    const row = await this.read(accountId);
    return {
      connected: !!row && !row.disconnected_at,
      kind: row?.kind ?? null,
      expiresAt: row?.expires_at?.toISOString() ?? null,
      disconnectedAt: row?.disconnected_at?.toISOString() ?? null,
      disconnectedReason: row?.disconnected_reason ?? null,
    };
  }

  /** A usable access token; refreshes (with rotation) when close to expiry or when `force`. */
  async getAccessToken(accountId: number, force = false): Promise<string> {
    const row = await this.usable(accountId);
    if (!force && !this.needsRefresh(row)) return this.box.decrypt(row.access_token_enc);
    return this.refresh(accountId, row.version);
  }

  /**
   * After Kommo answered 401 to `refusedToken`: refresh only if that token is still the current
   * one. Otherwise someone already replaced it, and the caller simply retries with the new one.
   */
  async refreshIfCurrent(accountId: number, refusedToken: string): Promise<void> {
    const row = await this.usable(accountId);
    if (this.box.decrypt(row.access_token_enc) !== refusedToken) return;
    await this.refresh(accountId, row.version);
  }

  private async read(accountId: number): Promise<TokenRow | null> {
    const r = await this.db.query<TokenRow>(
      'SELECT kind, access_token_enc, refresh_token_enc, expires_at, version, disconnected_at, disconnected_reason FROM kommo_tokens WHERE account_id = $1',
      [accountId],
    );
    return r.rows[0] ?? null;
  }

  private async usable(accountId: number): Promise<TokenRow> {
    const row = await this.read(accountId);
    if (!row) throw new AppError(ErrorCode.KOMMO_NOT_CONNECTED, 'this Kommo account has not installed the integration yet');
    if (row.disconnected_at) throw disconnectedError(row.disconnected_reason);
    return row;
  }

  private needsRefresh(row: TokenRow): boolean {
    if (row.kind === 'long_lived' || !row.expires_at) return false;
    return row.expires_at.getTime() - Date.now() < REFRESH_MARGIN_MS;
  }

  private async refresh(accountId: number, seenVersion: number): Promise<string> {
    const waitUntil = Date.now() + this.leaseMs + this.requestTimeoutMs;
    for (;;) {
      const owner = crypto.randomUUID();
      const claimed = await this.db.query<{ refresh_token_enc: string; subdomain: string }>(
        `UPDATE kommo_tokens k SET refresh_lease_until = now() + make_interval(secs => $3), refresh_lease_owner = $4
         FROM accounts a
         WHERE k.account_id = $1 AND a.id = k.account_id AND k.version = $2 AND k.kind = 'oauth'
           AND k.refresh_token_enc IS NOT NULL AND k.disconnected_at IS NULL
           AND (k.refresh_lease_until IS NULL OR k.refresh_lease_until < now())
         RETURNING k.refresh_token_enc, a.subdomain`,
        [accountId, seenVersion, this.leaseMs / 1000, owner],
      );
      const claim = claimed.rows[0];
      if (claim) return this.refreshClaimed(accountId, seenVersion, owner, claim);

      // Someone else is refreshing (or already did): wait for the row to move, holding nothing.
      const row = await this.usable(accountId);
      if (row.version !== seenVersion || row.kind === 'long_lived' || !row.refresh_token_enc) return this.box.decrypt(row.access_token_enc);
      if (Date.now() > waitUntil) {
        throw new AppError(ErrorCode.KOMMO_API, 'Kommo token refresh by another process did not finish in time', { transient: true });
      }
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }

  private async refreshClaimed(accountId: number, seenVersion: number, owner: string, claim: { refresh_token_enc: string; subdomain: string }): Promise<string> {
    let fresh;
    try {
      fresh = await refreshAccessToken({
        baseUrl: kommoBaseUrl(this.config, claim.subdomain),
        clientId: this.config.kommo.clientId,
        clientSecret: this.config.kommo.clientSecret,
        redirectUri: this.config.kommo.redirectUri ?? '',
        refreshToken: this.box.decrypt(claim.refresh_token_enc),
        timeoutMs: this.requestTimeoutMs,
        rateLimiter: this.opts.rateLimiter,
      });
    } catch (err) {
      if (err instanceof AppError && err.code === ErrorCode.KOMMO_UNAUTHORIZED) {
        // Only while our claim still stands: a claim that expired may have been taken over, and
        // the other refresh, not Kommo's verdict on a token it already rotated, decides.
        const reason = `Kommo refused the refresh token: ${String((err.details as { hint?: string } | undefined)?.hint ?? err.message)}`;
        const marked = await this.db.query(
          `UPDATE kommo_tokens SET disconnected_at = now(), disconnected_reason = $4, refresh_lease_until = NULL, refresh_lease_owner = NULL
           WHERE account_id = $1 AND version = $2 AND refresh_lease_owner = $3 AND refresh_token_enc = $5`,
          [accountId, seenVersion, owner, reason, claim.refresh_token_enc],
        );
        if ((marked.rowCount ?? 0) > 0) throw disconnectedError(reason);
        return this.getAccessToken(accountId);
      }
      await this.release(accountId, owner);
      throw err;
    }
    // Compare-and-set on the refresh token we spent: never overwrite a newer pair. A fresh pair
    // also proves the connection: a peer whose claim outlived ours may have spent the same
    // refresh token after us, been refused, and marked the account disconnected meanwhile.
    const stored = await this.db.query(
      `UPDATE kommo_tokens SET access_token_enc = $3, refresh_token_enc = $4, expires_at = $5, version = version + 1, updated_at = now(),
         refresh_lease_until = NULL, refresh_lease_owner = NULL, disconnected_at = NULL, disconnected_reason = NULL
       WHERE account_id = $1 AND version = $2 AND refresh_token_enc = $6`,
      [accountId, seenVersion, this.box.encrypt(fresh.accessToken), this.box.encrypt(fresh.refreshToken), fresh.expiresAt, claim.refresh_token_enc],
    );
    if ((stored.rowCount ?? 0) === 0) return this.getAccessToken(accountId);
    return fresh.accessToken;
  }

  private async release(accountId: number, owner: string): Promise<void> {
    await this.db.query('UPDATE kommo_tokens SET refresh_lease_until = NULL, refresh_lease_owner = NULL WHERE account_id = $1 AND refresh_lease_owner = $2', [
      accountId,
      owner,
    ]);
  }
}
