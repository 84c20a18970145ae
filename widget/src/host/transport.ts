/**
 * The one way to the backend: Kommo's `$authorizedAjax`, which adds the widget JWT as
 * X-Auth-Token (kommo-reference.md). Turns jQuery's callbacks into Promises and the backend's
 * `{ error: { code, message, details } }` into a typed ApiError naming the field.
 */
import type { JqXhr, KommoSelf } from './kommo-types.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The request field the server named (e.g. "subject", "smtp.host"), when it named one. */
    readonly field: string | null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  json?: unknown;
  form?: FormData;
  /** Upload progress 0..1 (multipart bodies). */
  onProgress?: (fraction: number) => void;
  /** The answer as text (a CSV export), not parsed as JSON; errors are still the JSON error body. */
  text?: boolean;
}

export type Transport = <T>(method: string, path: string, opts?: RequestOptions) => Promise<T>;

interface ErrorBody {
  /** `part`: the template part (subject, html) a TEMPLATE_SYNTAX / TEMPLATE_TOO_COMPLEX error names. */
  error?: { code?: string; message?: string; details?: { issues?: { path?: string }[]; part?: string } };
}

/**
 * "body.smtp.host: must be…" → "smtp.host". A leading "params." stays: the route's own params are
 * never a form's field, while a trigger's body has a field called `params` ("params.value").
 */
function fieldOf(body: ErrorBody): string | null {
  const path = body.error?.details?.issues?.[0]?.path ?? body.error?.details?.part ?? /^([\w.[\]]+):/.exec(body.error?.message ?? '')?.[1];
  return path ? path.replace(/^(body|query)\./, '') : null;
}

export function toApiError(xhr: JqXhr): ApiError {
  let body: ErrorBody | undefined = xhr.responseJSON as ErrorBody | undefined;
  if (!body && xhr.responseText) {
    try {
      body = JSON.parse(xhr.responseText) as ErrorBody;
    } catch {
      body = undefined;
    }
  }
  if (!xhr.status) return new ApiError(0, 'NETWORK', 'network error', null);
  const code = body?.error?.code ?? `HTTP_${xhr.status}`;
  return new ApiError(xhr.status, code, body?.error?.message ?? `HTTP ${xhr.status}`, body ? fieldOf(body) : null);
}

function queryString(q: RequestOptions['query']): string {
  if (!q) return '';
  const parts = Object.entries(q)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

export function createTransport(self: KommoSelf, baseUrl: string): Transport {
  return <T>(method: string, path: string, opts: RequestOptions = {}) =>
    new Promise<T>((resolve, reject) => {
      const url = `${baseUrl}${path}${queryString(opts.query)}`;
      const body = opts.form
        ? { data: opts.form, processData: false, contentType: false as const }
        : opts.json !== undefined
          ? { data: JSON.stringify(opts.json), contentType: 'application/json' }
          : {};
      const progress = opts.onProgress;
      const xhr = progress
        ? () => {
            const x = new XMLHttpRequest();
            x.upload.addEventListener('progress', (e) => e.lengthComputable && progress(e.loaded / e.total));
            return x;
          }
        : undefined;
      self
        .$authorizedAjax({ url, type: method.toUpperCase(), dataType: opts.text ? 'text' : 'json', ...body, ...(xhr ? { xhr } : {}) })
        .done((data) => resolve(data as T))
        .fail((x) => reject(toApiError(x)));
    });
}
