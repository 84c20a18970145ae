/** GET routes of the simulated API v4 (mounted under /{sub}/api/v4, after auth). */
import { Router, type Request, type Response } from 'express';
import { companyJson, contactJson, customFieldJson, leadJson, pipelineJson, userJson } from './serialize.js';
import { baseOf, idParam, sendHal, sendPage, sendProblem, withParts } from './http.js';
import type { SimStore } from './store.js';
import type { SimAccount, SimCustomFieldValue, SimEntityType } from './types.js';

export interface ReadOptions {
  /**
   * What GET /{entity}/{id} answers for an unknown id. 404 by default; Kommo has been seen
   * answering 204 instead, so tests can switch to prove the client copes with both.
   */
  missingEntityStatus: 404 | 204;
}

const ENTITY_TYPES: SimEntityType[] = ['leads', 'contacts', 'companies'];

function serializeEntity(account: SimAccount, entity: SimEntityType, id: number, base: string, w: Set<string>) {
  if (entity === 'leads') {
    const lead = account.leads.get(id);
    return lead && leadJson(account, lead, base, w);
  }
  if (entity === 'contacts') {
    const contact = account.contacts.get(id);
    return contact && contactJson(account, contact, base, w);
  }
  const company = account.companies.get(id);
  return company && companyJson(account, company, base, w);
}

/**
 * `filter[id][]=1&filter[id][]=2` (or indexed `filter[id][0]=1`, or one `filter[id]=1`), as
 * Kommo takes them; undefined when the request does not filter by id.
 */
function idFilter(req: Request): Set<number> | undefined {
  let out: Set<number> | undefined;
  for (const [k, v] of Object.entries(req.query)) {
    if (!/^filter\[id\](\[\d*\])?$/.test(k)) continue;
    out ??= new Set();
    for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string' && /^\d+$/.test(x)) out.add(Number(x));
  }
  return out;
}

/**
 * Kommo's `query`: a case-insensitive match in the entity's filled fields — its name and its
 * custom field values (a contact's phone and email among them); no query matches everything.
 */
function queryMatcher(req: Request): (e: { name: string; custom_fields_values: SimCustomFieldValue[] }) => boolean {
  const q = typeof req.query.query === 'string' ? req.query.query.trim().toLowerCase() : '';
  if (!q) return () => true;
  return (e) =>
    e.name.toLowerCase().includes(q) ||
    e.custom_fields_values.some((f) => f.values.some((v) => typeof v.value === 'string' && v.value.toLowerCase().includes(q)));
}

export function readRoutes(store: SimStore, opts: ReadOptions): Router {
  const router = Router({ mergeParams: true });
  const account = (req: Request) => store.account(String(req.params.sub));

  // Who a token belongs to: the OAuth callback only names a subdomain, the id comes from here.
  router.get('/account', (req, res) => {
    const acc = account(req);
    const admin = [...acc.users.values()].find((u) => u.is_admin) ?? acc.users.values().next().value;
    sendHal(res, 200, {
      id: acc.id,
      name: acc.subdomain,
      subdomain: acc.subdomain,
      current_user_id: admin?.id ?? 0,
      country: 'US',
      currency: 'USD',
      is_unsorted_on: true,
      _links: { self: { href: `${baseOf(req)}/api/v4/account` } },
    });
  });

  // Pipelines are not paginated in Kommo (an account has at most 50).
  router.get('/leads/pipelines', (req, res) => {
    const acc = account(req);
    const pipelines = [...acc.pipelines.values()].map((p) => pipelineJson(acc, p, baseOf(req)));
    sendHal(res, 200, {
      _total_items: pipelines.length,
      _links: { self: { href: `${baseOf(req)}/api/v4/leads/pipelines` } },
      _embedded: { pipelines },
    });
  });

  router.get('/users', (req, res) => {
    const users = [...account(req).users.values()].map((u) => userJson(u, baseOf(req)));
    sendPage(req, res, 'users', users, { totals: true });
  });

  for (const entity of ENTITY_TYPES) {
    router.get(`/${entity}/custom_fields`, (req, res) => {
      const acc = account(req);
      const defs = [...acc.customFields[entity].values()].sort((a, b) => a.sort - b.sort).map((d) => customFieldJson(acc, d, baseOf(req)));
      sendPage(req, res, 'custom_fields', defs, { totals: true });
    });

    // The tag registry (`GET /leads/tags` etc.): paginated like users, sorted by id, `color` null
    // for tags made through the API. Registered before `/:id`, which would take "tags" for an id.
    router.get(`/${entity}/tags`, (req, res) => {
      const tags = [...account(req).tags[entity].values()].sort((a, b) => a.id - b.id).map((t) => ({ id: t.id, name: t.name, color: null }));
      sendPage(req, res, 'tags', tags);
    });

    router.get(`/${entity}`, (req, res) => {
      const acc = account(req);
      // filter[created_at][from] (unix seconds), as Kommo's list filter: what was created since.
      const from = Number(req.query['filter[created_at][from]'] ?? 0);
      const wanted = idFilter(req);
      const matches = queryMatcher(req);
      const ids = [...acc[entity].values()]
        .filter((e) => e.created_at >= from && (!wanted || wanted.has(e.id)) && matches(e))
        .map((e) => e.id)
        .sort((a, b) => a - b);
      const items = ids.map((id) => serializeEntity(acc, entity, id, baseOf(req), withParts(req)));
      sendPage(req, res, entity, items);
    });

    router.get(`/${entity}/:id`, (req: Request, res: Response) => {
      const id = idParam(req);
      const body = id === undefined ? undefined : serializeEntity(account(req), entity, id, baseOf(req), withParts(req));
      if (body) return sendHal(res, 200, body);
      if (opts.missingEntityStatus === 204) return void res.status(204).end();
      sendProblem(res, 404, 'Not Found', 'Entity not found');
    });
  }

  return router;
}
