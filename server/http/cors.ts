import type { RequestHandler } from 'express';

/** Kommo account origins; the widget runs inside https://<subdomain>.kommo.com. */
const KOMMO_ORIGIN = /^https:\/\/[a-z0-9][a-z0-9-]*\.kommo\.com$/i;

export function cors(extraOrigins: string[]): RequestHandler {
  const extra = new Set(extraOrigins.map((o) => o.replace(/\/+$/, '')));
  return (req, res, next) => {
    const origin = req.header('origin');
    res.vary('Origin');
    if (origin && (KOMMO_ORIGIN.test(origin) || extra.has(origin))) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Headers', 'X-Auth-Token, Content-Type');
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS');
      res.setHeader('Access-Control-Max-Age', '600');
    }
    if (req.method === 'OPTIONS' && origin) {
      res.status(204).end();
      return;
    }
    next();
  };
}
