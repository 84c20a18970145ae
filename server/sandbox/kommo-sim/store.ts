/**
 * In-memory state of the Kommo simulator: accounts (one per subdomain), the OAuth registry,
 * a controllable clock and the id sequence. Seeding helpers live in seed.ts; this file only
 * owns the data and the token rules (kommo-reference.md "OAuth 2.0").
 */
import { randomBytes } from 'node:crypto';
import type { SimAccount, SimEntityType, SimIntegration } from './types.js';

export interface StoreOptions {
  /** Access token lifetime reported as `expires_in` and enforced; Kommo uses 24 h. */
  accessTokenTtlSec?: number;
  /** Refresh tokens live about three months in Kommo (unconfirmed). */
  refreshTokenTtlSec?: number;
  /** Authorization codes live 20 minutes in Kommo. */
  codeTtlSec?: number;
}

interface Grant {
  subdomain: string;
  clientId: string | null;
  expiresAt: number;
}

const ENTITY_TYPES: SimEntityType[] = ['leads', 'contacts', 'companies'];

export class SimStore {
  readonly accounts = new Map<string, SimAccount>();
  readonly integrations = new Map<string, SimIntegration>();
  readonly accessTokens = new Map<string, Grant>();
  readonly refreshTokens = new Map<string, Grant>();
  readonly codes = new Map<string, Grant & { redirectUri: string }>();
  readonly accessTokenTtlSec: number;
  readonly refreshTokenTtlSec: number;
  readonly codeTtlSec: number;
  private offsetMs = 0;
  private seq = 1_000_000;

  constructor(opts: StoreOptions = {}) {
    this.accessTokenTtlSec = opts.accessTokenTtlSec ?? 86_400;
    this.refreshTokenTtlSec = opts.refreshTokenTtlSec ?? 90 * 86_400;
    this.codeTtlSec = opts.codeTtlSec ?? 20 * 60;
  }

  /** Simulated time in ms: wall clock plus whatever tests advanced it by (token/code expiry). */
  now(): number {
    return Date.now() + this.offsetMs;
  }
  nowSec(): number {
    return Math.floor(this.now() / 1000);
  }
  /** Moves simulated time forward, e.g. past a code's 20 minutes, without sleeping. */
  advanceTime(ms: number): void {
    this.offsetMs += ms;
  }

  /** Kommo ids are one global sequence; explicit seed ids push the sequence past them. */
  nextId(explicit?: number): number {
    if (explicit !== undefined) {
      this.seq = Math.max(this.seq, explicit + 1);
      return explicit;
    }
    return this.seq++;
  }

  createAccount(subdomain: string, id: number): SimAccount {
    if (this.accounts.has(subdomain)) throw new Error(`kommo-sim: account ${subdomain} already exists`);
    const perEntity = <T>() => Object.fromEntries(ENTITY_TYPES.map((e) => [e, new Map<number, T>()])) as Record<SimEntityType, Map<number, T>>;
    const account: SimAccount = {
      id,
      subdomain,
      users: new Map(),
      pipelines: new Map(),
      customFields: perEntity(),
      tags: perEntity(),
      leads: new Map(),
      contacts: new Map(),
      companies: new Map(),
      notes: [],
      tasks: [],
    };
    this.accounts.set(subdomain, account);
    return account;
  }

  account(subdomain: string): SimAccount {
    const a = this.accounts.get(subdomain);
    if (!a) throw new Error(`kommo-sim: no account ${subdomain}; seed it with addAccount()`);
    return a;
  }

  private token(prefix: string): string {
    return `${prefix}_${randomBytes(24).toString('base64url')}`;
  }

  /** Issues an access/refresh pair as the token endpoint does. */
  issueTokenPair(subdomain: string, clientId: string) {
    const accessToken = this.token('sim_at');
    const refreshToken = this.token('sim_rt');
    this.accessTokens.set(accessToken, { subdomain, clientId, expiresAt: this.now() + this.accessTokenTtlSec * 1000 });
    this.refreshTokens.set(refreshToken, { subdomain, clientId, expiresAt: this.now() + this.refreshTokenTtlSec * 1000 });
    return { accessToken, refreshToken, expiresIn: this.accessTokenTtlSec };
  }

  /** A long-lived token of a private integration (no refresh token); default 5 years. */
  addAccessToken(subdomain: string, opts: { token?: string; ttlSec?: number } = {}): string {
    this.account(subdomain);
    const token = opts.token ?? this.token('sim_ll');
    this.accessTokens.set(token, { subdomain, clientId: null, expiresAt: this.now() + (opts.ttlSec ?? 5 * 365 * 86_400) * 1000 });
    return token;
  }

  /** Makes a token (or every access token of an account) expired, to provoke 401s. */
  expireAccessTokens(filter: { token?: string; subdomain?: string } = {}): void {
    for (const [token, grant] of this.accessTokens) {
      if (filter.token !== undefined && token !== filter.token) continue;
      if (filter.subdomain !== undefined && grant.subdomain !== filter.subdomain) continue;
      grant.expiresAt = this.now() - 1;
    }
  }

  /** Returns why a bearer token is refused for the account, or null when it is good. */
  checkAccessToken(subdomain: string, token: string | undefined): string | null {
    if (!token) return 'Authorization header is missing';
    const grant = this.accessTokens.get(token);
    if (!grant || grant.subdomain !== subdomain) return 'Invalid access token';
    if (grant.expiresAt <= this.now()) return 'Access token has expired';
    return null;
  }

  addIntegration(integration: SimIntegration): void {
    this.integrations.set(integration.clientId, integration);
  }

  /** The code Kommo hands to the redirect_uri after the user installs the integration. */
  issueAuthorizationCode(subdomain: string, clientId: string, code?: string): string {
    this.account(subdomain);
    const integration = this.integrations.get(clientId);
    if (!integration) throw new Error(`kommo-sim: no integration ${clientId}; seed it with addIntegration()`);
    const value = code ?? this.token('sim_code');
    this.codes.set(value, { subdomain, clientId, redirectUri: integration.redirectUri, expiresAt: this.now() + this.codeTtlSec * 1000 });
    return value;
  }
}
