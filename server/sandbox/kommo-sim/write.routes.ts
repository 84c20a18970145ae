/**
 * Write routes of the simulated API v4: PATCH entities, POST notes, tasks and leads. Batches
 * are all-or-nothing: any invalid item answers 400 validation-errors and nothing is stored.
 */
import { Router, type Request, type Response } from 'express';
import { applyCustomFields, resolveTags } from './custom-fields.js';
import { baseOf, idParam, sendHal, sendProblem, sendValidation, type ValidationGroup } from './http.js';
import { badChoice, commitEntity, entityMap, invalidType, isInt, isObj, planPatch, resolveStage, type Errors } from './patch.js';
import type { SimStore } from './store.js';
import type { SimAccount, SimEntityType, SimLead, SimNote, SimTask } from './types.js';

const ENTITY_TYPES: SimEntityType[] = ['leads', 'contacts', 'companies'];
const MAX_BATCH = 250;
const NOTE_TYPES = new Set(['common', 'call_in', 'call_out', 'service_message', 'extended_service_message', 'sms_in', 'sms_out', 'geolocation', 'attachment']);
const TASK_TYPES = new Set([1, 2]);

const requestId = (item: unknown, i: number) => (isObj(item) && item.request_id !== undefined ? String(item.request_id) : String(i));

/** Checks the batch envelope; on failure the 400 has already been sent. */
function batchOf(req: Request, res: Response): unknown[] | undefined {
  if (!Array.isArray(req.body) || req.body.length === 0) {
    sendValidation(res, [{ request_id: '0', errors: [invalidType('', 'array')] }]);
    return undefined;
  }
  if (req.body.length > MAX_BATCH) {
    sendValidation(res, [{ request_id: '0', errors: [{ code: 'OutOfRange', path: '', detail: `At most ${MAX_BATCH} items per request.` }] }]);
    return undefined;
  }
  return req.body as unknown[];
}

/** Plans every item; sends the 400 and returns undefined when any item fails. */
function planAll<T>(res: Response, items: unknown[], plan: (item: unknown, errors: Errors) => T | undefined): T[] | undefined {
  const groups: ValidationGroup[] = [];
  const planned = items.map((item, i) => {
    const errors: Errors = [];
    const p = plan(item, errors);
    groups.push({ request_id: requestId(item, i), errors });
    return p;
  });
  if (groups.some((g) => g.errors.length)) {
    sendValidation(res, groups);
    return undefined;
  }
  return planned as T[];
}

function planNewLead(store: SimStore, account: SimAccount, item: unknown, errors: Errors): SimLead | undefined {
  if (!isObj(item)) return void errors.push(invalidType('', 'object'));
  const stage = resolveStage(account, null, item, errors);
  const emb = isObj(item._embedded) ? item._embedded : {};
  const contacts = Array.isArray(emb.contacts) ? emb.contacts : [];
  const links = contacts.flatMap((c, i) => {
    if (isObj(c) && isInt(c.id) && account.contacts.has(c.id)) return [{ id: c.id, is_main: typeof c.is_main === 'boolean' ? c.is_main : i === 0 }];
    errors.push(badChoice(`_embedded.contacts.${i}.id`));
    return [];
  });
  const company = Array.isArray(emb.companies) && isObj(emb.companies[0]) ? emb.companies[0].id : undefined;
  if (company !== undefined && !(isInt(company) && account.companies.has(company))) errors.push(badChoice('_embedded.companies.0.id'));
  if (item.name !== undefined && typeof item.name !== 'string') errors.push(invalidType('name', 'string'));
  if (item.price !== undefined && !(isInt(item.price) && item.price >= 0)) errors.push(invalidType('price', 'int'));
  const user = item.responsible_user_id;
  if (user !== undefined && !(isInt(user) && account.users.has(user))) errors.push(badChoice('responsible_user_id'));
  const cf = item.custom_fields_values === undefined ? [] : applyCustomFields(account.customFields.leads, [], item.custom_fields_values, 'custom_fields_values', errors);
  const tagIds = emb.tags === undefined ? [] : resolveTags(account, 'leads', emb.tags, '_embedded.tags', errors, () => store.nextId(), true);
  if (errors.length || !stage) return undefined;
  const now = store.nowSec();
  const id = store.nextId();
  return {
    id,
    // Kommo names an unnamed lead after its id.
    name: typeof item.name === 'string' ? item.name : `Lead #${id}`,
    price: isInt(item.price) ? item.price : 0,
    responsible_user_id: isInt(user) ? user : (account.users.keys().next().value ?? 0),
    created_at: now,
    updated_at: now,
    custom_fields_values: cf,
    tagIds,
    ...stage,
    closed_at: null,
    contacts: links,
    companyId: isInt(company) ? company : null,
  };
}

function planNote(account: SimAccount, entity: SimEntityType, item: unknown, errors: Errors): Omit<SimNote, 'id' | 'created_at'> | undefined {
  if (!isObj(item)) return void errors.push(invalidType('', 'object'));
  if (!isInt(item.entity_id) || !entityMap(account, entity).has(item.entity_id)) errors.push(badChoice('entity_id'));
  if (typeof item.note_type !== 'string' || !NOTE_TYPES.has(item.note_type)) errors.push(badChoice('note_type'));
  const params = isObj(item.params) ? item.params : undefined;
  if (item.note_type === 'common' && (typeof params?.text !== 'string' || params.text === '')) {
    errors.push({ code: 'FieldMissing', path: 'params.text', detail: 'This value should not be blank.' });
  }
  if (errors.length) return undefined;
  return { entity_type: entity, entity_id: item.entity_id as number, note_type: item.note_type as string, params: params ?? {} };
}

function planTask(account: SimAccount, item: unknown, errors: Errors): Omit<SimTask, 'id' | 'created_at'> | undefined {
  if (!isObj(item)) return void errors.push(invalidType('', 'object'));
  if (typeof item.text !== 'string' || item.text === '') errors.push({ code: 'FieldMissing', path: 'text', detail: 'This value should not be blank.' });
  if (!isInt(item.complete_till)) errors.push(invalidType('complete_till', 'int'));
  const typeId = item.task_type_id ?? 1;
  if (!isInt(typeId) || !TASK_TYPES.has(typeId)) errors.push(badChoice('task_type_id'));
  const entity = item.entity_type as SimEntityType;
  if (item.entity_id !== undefined || item.entity_type !== undefined) {
    if (!ENTITY_TYPES.includes(entity)) errors.push(badChoice('entity_type'));
    else if (!isInt(item.entity_id) || !entityMap(account, entity).has(item.entity_id)) errors.push(badChoice('entity_id'));
  }
  const user = item.responsible_user_id;
  if (user !== undefined && !(isInt(user) && account.users.has(user))) errors.push(badChoice('responsible_user_id'));
  if (errors.length) return undefined;
  return {
    text: item.text as string,
    complete_till: item.complete_till as number,
    task_type_id: typeId as number,
    entity_id: item.entity_id as number,
    entity_type: entity,
    responsible_user_id: isInt(user) ? user : (account.users.keys().next().value ?? 0),
    is_completed: false,
  };
}

export function writeRoutes(store: SimStore): Router {
  const router = Router({ mergeParams: true });
  const account = (req: Request) => store.account(String(req.params.sub));
  const link = (req: Request, path: string) => ({ self: { href: `${baseOf(req)}/api/v4/${path}` } });

  for (const entity of ENTITY_TYPES) {
    router.patch(`/${entity}`, (req, res) => {
      const acc = account(req);
      const items = batchOf(req, res);
      const planned = items && planAll(res, items, (item, errors) => planPatch(store, acc, entity, item, errors));
      if (!planned) return;
      planned.forEach((next) => commitEntity(store, acc, entity, next));
      const out = planned.map((e) => ({ id: e.id, updated_at: e.updated_at, _links: link(req, `${entity}/${e.id}`) }));
      sendHal(res, 200, { _links: link(req, entity), _embedded: { [entity]: out } });
    });

    router.patch(`/${entity}/:id`, (req, res) => {
      const acc = account(req);
      const id = idParam(req);
      if (id === undefined || !entityMap(acc, entity).has(id)) return sendProblem(res, 404, 'Not Found', 'Entity not found');
      const planned = planAll(res, [req.body], (item, errors) => planPatch(store, acc, entity, item, errors, id));
      if (!planned) return;
      commitEntity(store, acc, entity, planned[0]!);
      sendHal(res, 200, { id, updated_at: planned[0]!.updated_at, _links: link(req, `${entity}/${id}`) });
    });

    router.post(`/${entity}/notes`, (req, res) => {
      const acc = account(req);
      const items = batchOf(req, res);
      const planned = items && planAll(res, items, (item, errors) => planNote(acc, entity, item, errors));
      if (!planned || !items) return;
      const notes = planned.map((n) => ({ ...n, id: store.nextId(), created_at: store.nowSec() }));
      acc.notes.push(...notes);
      const out = notes.map((n, i) => ({ id: n.id, entity_id: n.entity_id, request_id: requestId(items[i], i), _links: link(req, `${entity}/notes/${n.id}`) }));
      sendHal(res, 200, { _links: link(req, `${entity}/notes`), _embedded: { notes: out } });
    });
  }

  router.post('/tasks', (req, res) => {
    const acc = account(req);
    const items = batchOf(req, res);
    const planned = items && planAll(res, items, (item, errors) => planTask(acc, item, errors));
    if (!planned || !items) return;
    const tasks = planned.map((t) => ({ ...t, id: store.nextId(), created_at: store.nowSec() }));
    acc.tasks.push(...tasks);
    const out = tasks.map((t, i) => ({ id: t.id, request_id: requestId(items[i], i), _links: link(req, `tasks/${t.id}`) }));
    sendHal(res, 200, { _links: link(req, 'tasks'), _embedded: { tasks: out } });
  });

  router.post('/leads', (req, res) => {
    const acc = account(req);
    const items = batchOf(req, res);
    const planned = items && planAll(res, items, (item, errors) => planNewLead(store, acc, item, errors));
    if (!planned || !items) return;
    planned.forEach((lead) => acc.leads.set(lead.id, lead));
    const out = planned.map((l, i) => ({ id: l.id, request_id: requestId(items[i], i), _links: link(req, `leads/${l.id}`) }));
    sendHal(res, 200, { _links: link(req, 'leads'), _embedded: { leads: out } });
  });

  return router;
}
