import { pino, type Logger } from 'pino';

export type { Logger };

/** Paths never written to the log: secrets and message bodies (style.md). */
const REDACT = [
  'password',
  '*.password',
  '*.pass',
  '*.accessToken',
  '*.refreshToken',
  '*.access_token',
  '*.refresh_token',
  '*.html',
  '*.body',
  'req.headers["x-auth-token"]',
  'req.headers.authorization',
];

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' } });
}

/** "alice@example.com" → "a***@example.com": enough to debug, not a full address in logs. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${address[0]}***${address.slice(at)}`;
}
