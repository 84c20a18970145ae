import crypto from 'node:crypto';
import type { ErrorRequestHandler } from 'express';
import { AppError, ErrorCode } from '../errors.js';
import { isDbUnavailable } from '../infra/db/db.js';
import type { Logger } from '../infra/log/logger.js';

const STATUS: Record<ErrorCode, number> = {
  VALIDATION: 400,
  TEMPLATE_SYNTAX: 400,
  TEMPLATE_TOO_COMPLEX: 400,
  UNSAFE_URL: 400,
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  AUTH_MISSING: 401,
  AUTH_MALFORMED: 401,
  AUTH_BAD_SIGNATURE: 401,
  AUTH_BAD_ALGORITHM: 401,
  AUTH_EXPIRED: 401,
  AUTH_NOT_YET_VALID: 401,
  AUTH_BAD_AUDIENCE: 401,
  AUTH_BAD_CLAIMS: 401,
  KOMMO_NOT_CONNECTED: 409,
  KOMMO_API: 502,
  KOMMO_UNAUTHORIZED: 502,
  KOMMO_RATE_LIMITED: 503,
  FETCH_FAILED: 502,
  MAILBOX_NOT_READY: 409,
  INTERNAL: 500,
  DB_UNAVAILABLE: 503,
};

/** The one place that turns errors into HTTP answers: `{ error: { code, message, details? } }`. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (err instanceof AppError) {
      const status = STATUS[err.code] ?? 500;
      res.status(status).json({ error: { code: err.code, message: err.message, details: err.details } });
      return;
    }
    if (isDbUnavailable(err)) {
      log.warn({ path: req.path, err: (err as Error).message }, 'database unavailable');
      res.setHeader('Retry-After', '5');
      res.status(503).json({ error: { code: ErrorCode.DB_UNAVAILABLE, message: 'the database is unavailable; try again shortly' } });
      return;
    }
    // Body parser errors (malformed JSON, too large) carry a status and a type.
    const e = err as { status?: number; type?: string; message?: string };
    if (e.type === 'entity.parse.failed') {
      res.status(400).json({ error: { code: ErrorCode.VALIDATION, message: `body: malformed JSON (${e.message})` } });
      return;
    }
    if (e.type === 'entity.too.large' || (err as { code?: string }).code === 'LIMIT_FILE_SIZE') {
      res.status(413).json({ error: { code: ErrorCode.PAYLOAD_TOO_LARGE, message: `body: ${e.message ?? 'too large'}` } });
      return;
    }
    const errorId = crypto.randomUUID();
    log.error({ err, errorId, path: req.path }, 'unhandled error');
    res.status(500).json({ error: { code: ErrorCode.INTERNAL, message: 'internal error', errorId } });
  };
}
