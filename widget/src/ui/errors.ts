import { ApiError } from '../host/transport.js';
import type { T } from '../host/i18n.js';

/** The server's own words (shown as text), or ours when it could not be reached at all. */
export function errorText(t: T, err: unknown): string {
  if (err instanceof ApiError) return err.status === 0 ? t('common.network_error') : err.message;
  return t('common.unknown_error', { code: err instanceof Error ? err.message : String(err) });
}
