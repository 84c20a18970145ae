/**
 * The environment is read and validated here, once; nothing else reads process.env.
 * A bad variable stops start-up with a message naming it (style.md: validated config).
 */
import net from 'node:net';
import { z } from 'zod';
import { parseAddressList } from '../http/address-policy.js';

/**
 * SMTP_UNPACED_PARALLEL's default, chosen by `BENCH_ONLY=drain npm run bench` (send-email.job.ts):
 * 20 in flight drained at 0.78 × the raw 5-connection pool, 30 at 0.88 ×, 40 at 0.90 ×, 50 at
 * 0.94 × (each place waits for its claim and its outcome's commit, which more places hide). 40
 * stays under the 50 connections per client that Postfix allows by default.
 */
export const DEFAULT_SMTP_UNPACED_PARALLEL = 40;

const optionalUrl = z.url({ protocol: /^https?$/ }).optional();

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: optionalUrl,
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL').optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  ENCRYPTION_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$|^[A-Za-z0-9+/]{43}=$/, 'must be 32 bytes as 64 hex characters or 44 base64 characters')
    .optional(),
  KOMMO_CLIENT_ID: z.string().default(''),
  KOMMO_CLIENT_SECRET: z.string().default(''),
  KOMMO_REDIRECT_URI: optionalUrl,
  KOMMO_API_URL: z
    .string()
    .refine((v) => v.includes('{subdomain}') && /^https?:\/\//.test(v), 'must be an http(s) URL containing {subdomain}')
    .default('https://{subdomain}.kommo.com'),
  CORS_EXTRA_ORIGINS: z.string().default(''),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SEND_RETRY_BASE_MS: z.coerce.number().int().min(1).default(60_000),
  SEND_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(8),
  // Messages in flight at once (= pooled SMTP connections) for a mailbox without a pace limit.
  SMTP_UNPACED_PARALLEL: z.coerce.number().int().min(1).max(50).default(DEFAULT_SMTP_UNPACED_PARALLEL),
  QUEUE_POLL_MS: z.coerce.number().int().min(50).default(1000),
  CRM_METADATA_TTL_MS: z.coerce.number().int().min(0).default(60_000),
  QUEUE_LOCK_LIFETIME_MS: z.coerce.number().int().min(1000).default(5 * 60_000),
  TRUST_PROXY: z.string().default('false').transform(parseTrustProxy),
  // Addresses/CIDRs mailbox SMTP/IMAP hosts may resolve to although not public (an internal relay).
  MAILBOX_PRIVATE_HOSTS: z
    .string()
    .default('')
    .superRefine((v, ctx) => {
      for (const problem of parseAddressList(v).problems) ctx.addIssue({ code: 'custom', message: problem });
    }),
  RATE_LIMIT_PER_ADDRESS: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_DP_PER_ACCOUNT: z.coerce.number().int().min(1).default(600),
  // Gmail's image proxy and Apple's privacy relay fetch for many readers from a few addresses.
  RATE_LIMIT_TRACKING_PER_ADDRESS: z.coerce.number().int().min(1).default(6000),
  // Opens and clicks arriving this close together share one write (each answer waits for it).
  TRACKING_COMMIT_WINDOW_MS: z.coerce.number().int().min(0).max(1000).default(2),
  // How often each process decides the clicks whose settle window has passed.
  TRACKING_SWEEP_MS: z.coerce.number().int().min(10).max(60_000).default(250),
  // Whole-transaction ceilings (nodemailer.transport.ts, imapflow.store.ts). The SMTP default
  // leaves the 10 min RFC 5321 §4.5.3.2.6 grants the final dot; a send in flight is kept alive
  // by its process's heartbeat, not by a lease, so the ceiling only bounds a hostile server.
  SMTP_SEND_DEADLINE_MS: z.coerce.number().int().min(100).max(15 * 60_000).default(12 * 60_000),
  IMAP_APPEND_DEADLINE_MS: z.coerce.number().int().min(100).max(15 * 60_000).default(5 * 60_000),
  QUEUE_CONCURRENCY: z.coerce.number().int().min(2).max(200).default(20),
  SEND_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(8),
  INSTANCE_HEARTBEAT_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
  INSTANCE_DEAD_AFTER_MS: z.coerce.number().int().min(300).max(600_000).default(10_000),
  // How far the heap may grow past the live data between full collections, in % (infra/runtime/heap.ts); 0: V8's own.
  HEAP_GROWING_PERCENT: z.coerce.number().int().min(0).max(300).default(50),
  // How often waiting reminder mails of recipients who responded are taken back early (0 = never;
  // the drain checks each one when it is claimed either way).
  MAILING_REMINDER_SWEEP_MS: z.coerce.number().int().max(24 * 3_600_000).default(60_000)
    .refine((v) => v === 0 || v >= 1000, 'must be 0 (off) or at least 1000'),
});

/**
 * Express's `trust proxy` forms: false/true, a hop count, or a comma-separated list of addresses,
 * subnets (CIDR or IPv4 netmask) and the names loopback, linklocal, uniquelocal. Off by default:
 * with it on, X-Forwarded-For (which any client can send) becomes the client address that
 * tracking judges human vs machine by.
 */
function parseTrustProxy(v: string, ctx: z.RefinementCtx): boolean | number | string[] {
  const t = v.trim().toLowerCase();
  if (t === 'false') return false;
  if (t === 'true') return true;
  if (/^\d+$/.test(t)) return Number(t);
  const items = v.split(',').map((x) => x.trim()).filter(Boolean);
  const bad = items.find((x) => !isProxyAddress(x));
  if (items.length === 0 || bad !== undefined) {
    ctx.addIssue({ code: 'custom', message: `must be false, true, a hop count, or addresses/subnets/loopback/linklocal/uniquelocal separated by commas${bad ? ` (not an address: "${bad}")` : ''}` });
    return z.NEVER;
  }
  return items;
}

function isProxyAddress(x: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(x)) return true;
  const [ip, range, ...rest] = x.split('/');
  const family = net.isIP(ip ?? '');
  if (!family || rest.length > 0) return false;
  if (range === undefined) return true;
  if (/^\d{1,3}$/.test(range)) return Number(range) <= (family === 4 ? 32 : 128);
  return family === 4 && net.isIPv4(range);
}

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  port: number;
  publicUrl: string;
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPgPort: number;
  /** Raw 32-byte key; undefined means "generate/keep one in dataDir" (development only). */
  encryptionKey: Buffer | undefined;
  kommo: {
    clientId: string;
    clientSecret: string;
    redirectUri: string | undefined;
    /** Template containing {subdomain}, e.g. https://{subdomain}.kommo.com */
    apiUrlTemplate: string;
  };
  corsExtraOrigins: string[];
  logLevel: string;
  sending: { retryBaseMs: number; maxAttempts: number; unpacedParallel: number };
  queuePollMs: number;
  /** How long a running job stays locked to its process; our own row leases guard the sends. */
  queueLockLifetimeMs: number;
  /** Jobs in flight per process, all kinds; sends alone may take at most `sendConcurrency` of them. */
  queueConcurrency: number;
  sendConcurrency: number;
  /** Liveness of this process in PostgreSQL (infra/queue/instance.ts). */
  instance: { heartbeatMs: number; deadAfterMs: number };
  /** How long users, fields and pipelines read from Kommo are reused (0 = always re-read). */
  crmMetadataTtlMs: number;
  /** Express's `trust proxy`: whose X-Forwarded-For decides the client address (TRUST_PROXY). */
  trustProxy: boolean | number | string[];
  /** Non-public addresses mailbox servers may use anyway (IPs and CIDR ranges); default none. */
  mailboxPrivateHosts: string[];
  /** Requests per minute on the public routes (server/public/surfaces.ts). */
  publicRateLimits: { perAddress: number; trackingPerAddress: number; dpPerAccount: number };
  /** Ceilings on one whole SMTP send and one IMAP append to Sent, however the server behaves. */
  deadlines: { smtpSendMs: number; imapAppendMs: number };
  /** Group commit of tracking hits and the click sweep's period. */
  tracking: { commitWindowMs: number; sweepMs: number };
  /** The reminder sweep's period (reminder-recheck.ts); 0 = off. */
  mailings: { reminderSweepMs: number };
  /** The process's heap growth between full collections, in % (infra/runtime/heap.ts); 0 = V8's own. */
  heapGrowingPercent: number;
}

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  // Empty strings mean "unset" for optional variables (a common .env habit).
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production') {
    const missing = (['ENCRYPTION_KEY', 'KOMMO_CLIENT_SECRET', 'KOMMO_REDIRECT_URI', 'PUBLIC_URL'] as const).filter(
      (k) => !e[k],
    );
    if (missing.length) {
      throw new ConfigError(`Invalid configuration:\n${missing.map((k) => `  ${k}: required in production`).join('\n')}`);
    }
  }
  // A key generated into DATA_DIR is only safe beside the embedded database it protects: with an
  // external database the data outlives a (possibly ephemeral) disk, and a lost key makes every
  // stored secret and every tracking link already sent unreadable.
  if (e.DATABASE_URL && !e.ENCRYPTION_KEY) {
    throw new ConfigError('Invalid configuration:\n  ENCRYPTION_KEY: required when DATABASE_URL is set (32 bytes as 64 hex or 44 base64 characters, e.g. `openssl rand -hex 32`)');
  }
  if (e.SEND_CONCURRENCY >= e.QUEUE_CONCURRENCY) {
    throw new ConfigError('Invalid configuration:\n  SEND_CONCURRENCY: must be less than QUEUE_CONCURRENCY, so timers and tracking jobs keep running while every send is busy');
  }
  if (e.INSTANCE_DEAD_AFTER_MS < 3 * e.INSTANCE_HEARTBEAT_MS) {
    throw new ConfigError('Invalid configuration:\n  INSTANCE_DEAD_AFTER_MS: must be at least 3 × INSTANCE_HEARTBEAT_MS');
  }
  const key = e.ENCRYPTION_KEY
    ? Buffer.from(e.ENCRYPTION_KEY, /^[0-9a-fA-F]{64}$/.test(e.ENCRYPTION_KEY) ? 'hex' : 'base64')
    : undefined;
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    encryptionKey: key,
    kommo: {
      clientId: e.KOMMO_CLIENT_ID,
      clientSecret: e.KOMMO_CLIENT_SECRET,
      redirectUri: e.KOMMO_REDIRECT_URI,
      apiUrlTemplate: e.KOMMO_API_URL.replace(/\/+$/, ''),
    },
    corsExtraOrigins: e.CORS_EXTRA_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean),
    logLevel: e.LOG_LEVEL,
    sending: { retryBaseMs: e.SEND_RETRY_BASE_MS, maxAttempts: e.SEND_MAX_ATTEMPTS, unpacedParallel: e.SMTP_UNPACED_PARALLEL },
    queuePollMs: e.QUEUE_POLL_MS,
    queueLockLifetimeMs: e.QUEUE_LOCK_LIFETIME_MS,
    queueConcurrency: e.QUEUE_CONCURRENCY,
    sendConcurrency: e.SEND_CONCURRENCY,
    instance: { heartbeatMs: e.INSTANCE_HEARTBEAT_MS, deadAfterMs: e.INSTANCE_DEAD_AFTER_MS },
    crmMetadataTtlMs: e.CRM_METADATA_TTL_MS,
    trustProxy: e.TRUST_PROXY,
    mailboxPrivateHosts: parseAddressList(e.MAILBOX_PRIVATE_HOSTS).entries,
    publicRateLimits: {
      perAddress: e.RATE_LIMIT_PER_ADDRESS,
      trackingPerAddress: e.RATE_LIMIT_TRACKING_PER_ADDRESS,
      dpPerAccount: e.RATE_LIMIT_DP_PER_ACCOUNT,
    },
    deadlines: { smtpSendMs: e.SMTP_SEND_DEADLINE_MS, imapAppendMs: e.IMAP_APPEND_DEADLINE_MS },
    tracking: { commitWindowMs: e.TRACKING_COMMIT_WINDOW_MS, sweepMs: e.TRACKING_SWEEP_MS },
    mailings: { reminderSweepMs: e.MAILING_REMINDER_SWEEP_MS },
    heapGrowingPercent: e.HEAP_GROWING_PERCENT,
  };
}

export function kommoBaseUrl(config: AppConfig, subdomain: string): string {
  return config.kommo.apiUrlTemplate.replace('{subdomain}', subdomain);
}
