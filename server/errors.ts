/**
 * Typed application errors. Domain code throws these; the one Express error middleware
 * (server/http/error-handler.ts) maps the code to an HTTP status and the
 * `{ "error": { "code", "message", "details"? } }` body. Domain code never builds responses.
 */
export const ErrorCode = {
  VALIDATION: 'VALIDATION',
  NOT_FOUND: 'NOT_FOUND',
  FORBIDDEN: 'FORBIDDEN',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  RATE_LIMITED: 'RATE_LIMITED',
  TEMPLATE_SYNTAX: 'TEMPLATE_SYNTAX',
  TEMPLATE_TOO_COMPLEX: 'TEMPLATE_TOO_COMPLEX',
  AUTH_MISSING: 'AUTH_MISSING',
  AUTH_MALFORMED: 'AUTH_MALFORMED',
  AUTH_BAD_SIGNATURE: 'AUTH_BAD_SIGNATURE',
  AUTH_BAD_ALGORITHM: 'AUTH_BAD_ALGORITHM',
  AUTH_EXPIRED: 'AUTH_EXPIRED',
  AUTH_NOT_YET_VALID: 'AUTH_NOT_YET_VALID',
  AUTH_BAD_AUDIENCE: 'AUTH_BAD_AUDIENCE',
  AUTH_BAD_CLAIMS: 'AUTH_BAD_CLAIMS',
  KOMMO_NOT_CONNECTED: 'KOMMO_NOT_CONNECTED',
  KOMMO_API: 'KOMMO_API',
  KOMMO_UNAUTHORIZED: 'KOMMO_UNAUTHORIZED',
  KOMMO_RATE_LIMITED: 'KOMMO_RATE_LIMITED',
  UNSAFE_URL: 'UNSAFE_URL',
  FETCH_FAILED: 'FETCH_FAILED',
  MAILBOX_NOT_READY: 'MAILBOX_NOT_READY',
  INTERNAL: 'INTERNAL',
  DB_UNAVAILABLE: 'DB_UNAVAILABLE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string): AppError => new AppError(ErrorCode.NOT_FOUND, `${what} not found`);

/** A validation error naming the field (dot path) and the problem. */
export const invalid = (field: string, problem: string): AppError =>
  new AppError(ErrorCode.VALIDATION, `${field}: ${problem}`, { issues: [{ path: field, message: problem }] });
