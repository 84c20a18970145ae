/**
 * Response helpers shaped like Kommo's: hal+json for success, problem+json for errors,
 * 204 with no body for an empty list, and `_page`/`_links.next` pagination.
 */
import type { Request, Response } from 'express';
import type { SimValidationError } from './types.js';

export const MAX_LIMIT = 250;
const DEFAULT_LIMIT = 50;

export function sendHal(res: Response, status: number, body: unknown): void {
  res.status(status).type('application/hal+json').send(JSON.stringify(body));
}

export function sendProblem(res: Response, status: number, title: string, detail: string, extra: Record<string, unknown> = {}): void {
  const body = { ...extra, title, type: `https://httpstatus.es/${status}`, status, detail };
  res.status(status).type('application/problem+json').send(JSON.stringify(body));
}

export interface ValidationGroup {
  request_id: string;
  errors: SimValidationError[];
}

export function sendValidation(res: Response, groups: ValidationGroup[]): void {
  sendProblem(res, 400, 'Bad Request', 'Request validation failed', { 'validation-errors': groups.filter((g) => g.errors.length) });
}

export const notFound = (res: Response) => sendProblem(res, 404, 'Not Found', 'Entity not found');

/** Origin + subdomain as the caller reached us; `_links` are built from it. */
export const baseOf = (req: Request): string => `${req.protocol}://${req.get('host')}/${String(req.params.sub)}`;

export function withParts(req: Request): Set<string> {
  const w = req.query.with;
  return new Set(typeof w === 'string' ? w.split(',').map((s) => s.trim()) : []);
}

/** Numeric path id, or undefined for anything Kommo would not route to an entity. */
export function idParam(req: Request): number | undefined {
  const raw = String(req.params.id);
  return /^\d+$/.test(raw) ? Number(raw) : undefined;
}

function flatQuery(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.query)) if (typeof v === 'string') out[k] = v;
  return out;
}

/**
 * Answers one page of `items` as Kommo does. `totals` adds `_total_items`/`_page_count`,
 * which Kommo sends for users and custom fields but not for leads or contacts.
 */
export function sendPage<T>(req: Request, res: Response, key: string, items: T[], opts: { totals?: boolean } = {}): void {
  const q = flatQuery(req);
  const errors: SimValidationError[] = [];
  const page = q.page === undefined ? 1 : Number(q.page);
  const limit = q.limit === undefined ? DEFAULT_LIMIT : Number(q.limit);
  if (!Number.isInteger(page) || page < 1) errors.push({ code: 'InvalidType', path: 'page', detail: 'This value should be a positive integer.' });
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    errors.push({ code: 'OutOfRange', path: 'limit', detail: `This value should be between 1 and ${MAX_LIMIT}.` });
  }
  if (errors.length) return sendValidation(res, [{ request_id: '0', errors }]);

  const slice = items.slice((page - 1) * limit, page * limit);
  if (slice.length === 0) {
    res.status(204).end();
    return;
  }
  const href = (p: number) => {
    const params = new URLSearchParams({ ...q, page: String(p), limit: String(limit) });
    const pathname = new URL(req.originalUrl, 'http://sim').pathname;
    return `${req.protocol}://${req.get('host')}${pathname}?${params.toString()}`;
  };
  const links: Record<string, { href: string }> = { self: { href: href(page) } };
  if (page * limit < items.length) links.next = { href: href(page + 1) };
  if (page > 1) links.prev = { href: href(page - 1) };
  const totals = opts.totals ? { _total_items: items.length, _page_count: Math.ceil(items.length / limit) } : {};
  sendHal(res, 200, { ...totals, _page: page, _links: links, _embedded: { [key]: slice } });
}
