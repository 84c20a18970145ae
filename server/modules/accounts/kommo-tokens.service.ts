/**
 * Kommo OAuth tokens per account, encrypted at rest, refreshed before expiry.
 * Kommo rotates the refresh token on every use (kommo-reference.md): the refresh happens under a
 * row lock (SELECT … FOR UPDATE) so two processes refreshing at once cannot both spend the same
 * refresh token, and the loser simply reads the winner's new tokens.
 */
import type { AppConfig } from '../../infra/config/config.js';
import { kommoBaseUrl } from '../../infra/config/config.js';
import type { SecretBox } from '../../infra/crypto/secret-box.js';
import { withTransaction, type Db } from '../../infra/db/db.js';
import { refreshAccessToken } from '../../infra/crm/kommo-oauth.js';
import { AppError, ErrorCode } from '../../errors.js';
import { getAccount } from './accounts.repository.js';

/** Refresh when less than this is left, so a token never expires mid-request. */
const REFRESH_MARGIN_MS = 5 * 60_000;

interface TokenRow {
  kind: 'oauth' | 'long_lived';
  access_token_enc: string;
  refresh_token_enc: string | null;
  expires_at: Date | null;
  version: number;
}

export interface StoredTokens {
  accessToken: string;
  refreshToken: string | null;
  expiresAt: Date | null;
}

export class KommoTokens {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    private readonly config: AppConfig,
  ) {}

  async store(accountId: number, kind: 'oauth' | 'long_lived', t: StoredTokens): Promise<void> {
    await this.db.query(
      `INSERT INTO kommo_tokens (account_id, kind, access_token_enc, refresh_token_enc, expires_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (account_id) DO UPDATE SET kind = EXCLUDED.kind, access_token_enc = EXCLUDED.access_token_enc,
         refresh_token_enc = EXCLUDED.refresh_token_enc, expires_at = EXCLUDED.expires_at,
         version = kommo_tokens.version + 1, updated_at = now()`,
      [accountId, kind, this.box.encrypt(t.accessToken), t.refreshToken ? this.box.encrypt(t.refreshToken) : null, t.expiresAt],
    );
  }

  async status(accountId: number): Promise<{ connected: boolean; kind: string | null; expiresAt: string | null }> {
    const r = await this.db.query<TokenRow>('SELECT kind, expires_at FROM kommo_tokens WHERE account_id = $1', [accountId]);
    const row = r.rows[0];
    return { connected: !!row, kind: row?.kind ?? null, expiresAt: row?.expires_at?.toISOString() ?? null };
  }

  /** A usable access token; refreshes (with rotation) when close to expiry or when `force`. */
  async getAccessToken(accountId: number, force = false): Promise<string> {
    const r = await this.db.query<TokenRow>('SELECT * FROM kommo_tokens WHERE account_id = $1', [accountId]);
    const row = r.rows[0];
    if (!row) throw new AppError(ErrorCode.KOMMO_NOT_CONNECTED, 'this Kommo account has not installed the integration yet');
    if (!force && !this.needsRefresh(row)) return this.box.decrypt(row.access_token_enc);
    return this.refresh(accountId, row.version);
  }

  private needsRefresh(row: TokenRow): boolean {
    if (row.kind === 'long_lived' || !row.expires_at) return false;
    return row.expires_at.getTime() - Date.now() < REFRESH_MARGIN_MS;
  }

  private async refresh(accountId: number, seenVersion: number): Promise<string> {
    return withTransaction(this.db, async (tx) => {
      const locked = await tx.query<TokenRow>('SELECT * FROM kommo_tokens WHERE account_id = $1 FOR UPDATE', [accountId]);
      const row = locked.rows[0];
      if (!row) throw new AppError(ErrorCode.KOMMO_NOT_CONNECTED, 'this Kommo account has not installed the integration yet');
      // Someone else rotated while we waited for the lock: their token is fresh, use it.
      if (row.version !== seenVersion || row.kind === 'long_lived' || !row.refresh_token_enc) {
        return this.box.decrypt(row.access_token_enc);
      }
      const account = await getAccount(tx, accountId);
      if (!account) throw new AppError(ErrorCode.KOMMO_NOT_CONNECTED, 'unknown account');
      const fresh = await refreshAccessToken({
        baseUrl: kommoBaseUrl(this.config, account.subdomain),
        clientId: this.config.kommo.clientId,
        clientSecret: this.config.kommo.clientSecret,
        redirectUri: this.config.kommo.redirectUri ?? '',
        refreshToken: this.box.decrypt(row.refresh_token_enc),
      });
      await tx.query(
        `UPDATE kommo_tokens SET access_token_enc = $2, refresh_token_enc = $3, expires_at = $4,
           version = version + 1, updated_at = now() WHERE account_id = $1`,
        [accountId, this.box.encrypt(fresh.accessToken), this.box.encrypt(fresh.refreshToken), fresh.expiresAt],
      );
      return fresh.accessToken;
    });
  }
}
