/**
 * The environment is read and validated here, once; nothing else reads process.env.
 * A bad variable stops start-up with a message naming it (style.md: validated config).
 */
import { z } from 'zod';

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
  QUEUE_POLL_MS: z.coerce.number().int().min(50).default(1000),
  CRM_METADATA_TTL_MS: z.coerce.number().int().min(0).default(60_000),
  QUEUE_LOCK_LIFETIME_MS: z.coerce.number().int().min(1000).default(5 * 60_000),
  QUEUE_CONCURRENCY: z.coerce.number().int().min(2).max(200).default(20),
  SEND_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(8),
  INSTANCE_HEARTBEAT_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
  INSTANCE_DEAD_AFTER_MS: z.coerce.number().int().min(300).max(600_000).default(10_000),
});

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
  sending: { retryBaseMs: number; maxAttempts: number };
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
    sending: { retryBaseMs: e.SEND_RETRY_BASE_MS, maxAttempts: e.SEND_MAX_ATTEMPTS },
    queuePollMs: e.QUEUE_POLL_MS,
    queueLockLifetimeMs: e.QUEUE_LOCK_LIFETIME_MS,
    queueConcurrency: e.QUEUE_CONCURRENCY,
    sendConcurrency: e.SEND_CONCURRENCY,
    instance: { heartbeatMs: e.INSTANCE_HEARTBEAT_MS, deadAfterMs: e.INSTANCE_DEAD_AFTER_MS },
    crmMetadataTtlMs: e.CRM_METADATA_TTL_MS,
  };
}

export function kommoBaseUrl(config: AppConfig, subdomain: string): string {
  return config.kommo.apiUrlTemplate.replace('{subdomain}', subdomain);
}
