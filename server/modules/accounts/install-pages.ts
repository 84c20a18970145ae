/**
 * The pages a person sees at the end of Kommo's install flow (`/oauth/kommo/callback`). They are
 * opened in a browser, so every outcome is a page that says what happened and what to do, never
 * a JSON error. Static text only: nothing from the request is echoed.
 */
import crypto from 'node:crypto';
import type { ErrorRequestHandler } from 'express';
import { AppError, ErrorCode } from '../../errors.js';
import type { Logger } from '../../infra/log/logger.js';

const page = (title: string, body: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
  `<meta name="robots" content="noindex,nofollow"><title>leadmail: ${title}</title>` +
  `<style>body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:36rem;margin:10vh auto;padding:0 1rem;color:#222}` +
  `h1{font-weight:600;font-size:1.4rem}p{color:#444;line-height:1.5}</style></head><body><h1>${title}</h1>${body}</body></html>`;

const REINSTALL =
  '<p>In Kommo, open <b>Settings → Integrations</b>, find <b>leadmail</b> and install it again ' +
  '(or disconnect it and connect it again). Kommo then opens this page with a fresh code.</p>';

export const CONNECTED_PAGE = page('leadmail is connected', '<p>leadmail is connected to your Kommo account. You can close this window.</p>');

/** Kommo answered 400/401 to the code exchange: the code was already used, expired (20 minutes) or is not ours. */
export const CODE_REJECTED_PAGE = page(
  'This installation link has expired or was already used',
  '<p>Kommo refused the installation code. A code works only once and only for 20 minutes, so a reloaded or late page cannot finish the installation.</p>' + REINSTALL,
);

export const INCOMPLETE_LINK_PAGE = page(
  'This installation link is incomplete',
  '<p>This page is opened by Kommo at the end of the installation, with a code and the address of your Kommo account. Those are missing or not valid here.</p>' + REINSTALL,
);

export const KOMMO_UNAVAILABLE_PAGE = page(
  'Kommo could not be reached',
  '<p>leadmail could not finish the installation because Kommo did not answer as expected. Nothing was changed. Please try again in a few minutes from <b>Settings → Integrations</b> in Kommo.</p>',
);

export const TOO_MANY_PAGE = page('Too many attempts', '<p>There were too many installation attempts from your address. Please wait a minute, then start again from <b>Settings → Integrations</b> in Kommo.</p>');

const failedPage = (errorId: string): string =>
  page('The installation failed', `<p>Something went wrong on our side. Please try again in a few minutes from <b>Settings → Integrations</b> in Kommo. If it keeps failing, tell support this reference: <code>${errorId}</code>.</p>`);

/** Mounted right after the callback route: its errors become pages, before the JSON error middleware. */
export function installErrorPages(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const send = (status: number, html: string): void => {
      res.status(status).set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' }).type('html').send(html);
    };
    const code = err instanceof AppError ? err.code : null;
    if (code === ErrorCode.VALIDATION) return send(400, INCOMPLETE_LINK_PAGE);
    if (code === ErrorCode.KOMMO_UNAUTHORIZED) return send(400, CODE_REJECTED_PAGE);
    if (code === ErrorCode.RATE_LIMITED) return send(429, TOO_MANY_PAGE);
    // Body-parser refusals (a GET with a body): the request was not Kommo's.
    const status = (err as { status?: unknown }).status;
    if (!code && typeof status === 'number' && status >= 400 && status < 500) return send(status, INCOMPLETE_LINK_PAGE);
    if (code === ErrorCode.KOMMO_API || code === ErrorCode.KOMMO_RATE_LIMITED) {
      log.warn({ err }, 'Kommo install failed: Kommo unavailable');
      return send(502, KOMMO_UNAVAILABLE_PAGE);
    }
    const errorId = crypto.randomUUID();
    log.error({ err, errorId, path: req.path }, 'Kommo install failed');
    return send(500, failedPage(errorId));
  };
}
