/**
 * GET routes for notes and tasks (kommo-reference.md "Notes", "Tasks"): what a client reads back
 * to find out whether a write that failed with a 5xx or a lost answer was applied after all.
 * Mounted before read.routes.ts, whose `/{entity}/:id` would otherwise take `/leads/notes`.
 *   GET /{entity}/{id}/notes   ?filter[note_type]=&order[id]=asc|desc&page=&limit=
 *   GET /{entity}/notes        ?filter[entity_id][]=&filter[note_type]=&order[id]=
 *   GET /tasks                 ?filter[entity_type]=&filter[entity_id][]=&order[id]=
 */
import { Router, type Request } from 'express';
import { baseOf, idParam, notFound, sendPage } from './http.js';
import type { SimStore } from './store.js';
import type { SimAccount, SimEntityType, SimNote, SimTask } from './types.js';

const ENTITY_TYPES: SimEntityType[] = ['leads', 'contacts', 'companies'];

/** `filter[x]` or `filter[x][]`, one value or several, as numbers or strings. */
function filterValues(req: Request, name: string): string[] {
  const out: string[] = [];
  for (const key of [`filter[${name}]`, `filter[${name}][]`]) {
    const v = req.query[key];
    if (typeof v === 'string') out.push(...v.split(','));
    else if (Array.isArray(v)) out.push(...v.map(String));
  }
  return out;
}

function ordered<T extends { id: number }>(req: Request, items: T[]): T[] {
  const desc = req.query['order[id]'] === 'desc' || req.query['order[created_at]'] === 'desc';
  return [...items].sort((a, b) => (desc ? b.id - a.id : a.id - b.id));
}

function noteJson(account: SimAccount, n: SimNote, base: string) {
  return {
    id: n.id,
    entity_id: n.entity_id,
    created_by: 0,
    updated_by: 0,
    created_at: n.created_at,
    updated_at: n.created_at,
    responsible_user_id: 0,
    group_id: 0,
    note_type: n.note_type,
    params: n.params,
    account_id: account.id,
    _links: { self: { href: `${base}/api/v4/${n.entity_type}/${n.entity_id}/notes/${n.id}` } },
  };
}

function taskJson(account: SimAccount, t: SimTask, base: string) {
  return {
    id: t.id,
    created_by: 0,
    updated_by: 0,
    created_at: t.created_at,
    updated_at: t.created_at,
    responsible_user_id: t.responsible_user_id,
    group_id: 0,
    entity_id: t.entity_id ?? null,
    entity_type: t.entity_type ?? null,
    duration: 0,
    is_completed: t.is_completed,
    task_type_id: t.task_type_id,
    text: t.text,
    result: [],
    complete_till: t.complete_till,
    account_id: account.id,
    _links: { self: { href: `${base}/api/v4/tasks/${t.id}` } },
  };
}

export function activityRoutes(store: SimStore): Router {
  const router = Router({ mergeParams: true });
  const account = (req: Request) => store.account(String(req.params.sub));

  for (const entity of ENTITY_TYPES) {
    const notesOf = (req: Request, acc: SimAccount, entityIds: number[] | null) => {
      const types = filterValues(req, 'note_type');
      const notes = acc.notes.filter(
        (n) => n.entity_type === entity && (entityIds === null || entityIds.includes(n.entity_id)) && (types.length === 0 || types.includes(n.note_type)),
      );
      return ordered(req, notes).map((n) => noteJson(acc, n, baseOf(req)));
    };

    router.get(`/${entity}/notes`, (req, res) => {
      const ids = filterValues(req, 'entity_id').map(Number);
      sendPage(req, res, 'notes', notesOf(req, account(req), ids.length ? ids : null));
    });

    router.get(`/${entity}/:id/notes`, (req, res) => {
      const acc = account(req);
      const id = idParam(req);
      if (id === undefined || !acc[entity].has(id)) return notFound(res);
      sendPage(req, res, 'notes', notesOf(req, acc, [id]));
    });
  }

  router.get('/tasks', (req, res) => {
    const acc = account(req);
    const types = filterValues(req, 'entity_type');
    const ids = filterValues(req, 'entity_id').map(Number);
    const tasks = acc.tasks.filter((t) => (types.length === 0 || types.includes(t.entity_type)) && (ids.length === 0 || ids.includes(t.entity_id)));
    sendPage(
      req,
      res,
      'tasks',
      ordered(req, tasks).map((t) => taskJson(acc, t, baseOf(req))),
    );
  });

  return router;
}
