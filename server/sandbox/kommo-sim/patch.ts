/**
 * Validation and application of one PATCH item (kommo-reference.md "Update"). Planning is
 * separated from committing because Kommo rejects a whole batch when any item is invalid:
 * every item is planned first, and only a clean batch is committed.
 * Tags named in `tags_to_add` are created while planning (Kommo's tag registry is per
 * account and an unused tag is harmless), everything else waits for commit.
 */
import { applyCustomFields, resolveTags } from './custom-fields.js';
import type { SimStore } from './store.js';
import type { SimAccount, SimCompany, SimContact, SimEntityType, SimLead, SimPipeline, SimValidationError } from './types.js';

export type Errors = SimValidationError[];
export const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
export const badChoice = (path: string): SimValidationError => ({ code: 'NotSupportedChoice', path, detail: 'The value you selected is not a valid choice.' });
export const invalidType = (path: string, type: string): SimValidationError => ({ code: 'InvalidType', path, detail: `This value should be of type ${type}.` });

type AnyEntity = SimLead | SimContact | SimCompany;

export function entityMap(account: SimAccount, entity: SimEntityType): Map<number, AnyEntity> {
  return account[entity] as Map<number, AnyEntity>;
}

/** Where a lead ends up: an explicit status must belong to the pipeline (142/143 belong to all). */
export function resolveStage(account: SimAccount, current: { pipeline_id: number; status_id: number } | null, item: Record<string, unknown>, errors: Errors) {
  let pipeline: SimPipeline | undefined;
  if (item.pipeline_id !== undefined) {
    pipeline = isInt(item.pipeline_id) ? account.pipelines.get(item.pipeline_id) : undefined;
    if (!pipeline) errors.push(badChoice('pipeline_id'));
  } else {
    pipeline = current ? account.pipelines.get(current.pipeline_id) : [...account.pipelines.values()].find((p) => p.is_main);
  }
  if (!pipeline) {
    if (item.pipeline_id === undefined) errors.push(badChoice('pipeline_id'));
    return undefined;
  }
  if (item.status_id !== undefined) {
    if (!isInt(item.status_id) || !pipeline.statuses.some((s) => s.id === item.status_id)) {
      errors.push(badChoice('status_id'));
      return undefined;
    }
    return { pipeline_id: pipeline.id, status_id: item.status_id };
  }
  if (current && current.pipeline_id === pipeline.id) return current;
  // A new lead starts in the first stage; a lead moved to another pipeline lands in its first
  // working stage (not "Incoming leads", which only the unsorted inbox fills).
  const first = current ? (pipeline.statuses.find((s) => s.type === 0) ?? pipeline.statuses[0]) : pipeline.statuses[0];
  return { pipeline_id: pipeline.id, status_id: first!.id };
}

/** Fields common to every entity: name, responsible user, custom fields, tags. */
export function planCommon(store: SimStore, account: SimAccount, entity: SimEntityType, target: AnyEntity, item: Record<string, unknown>, errors: Errors): void {
  if (item.name !== undefined) {
    if (typeof item.name === 'string') target.name = item.name;
    else errors.push(invalidType('name', 'string'));
  }
  if (item.responsible_user_id !== undefined) {
    if (isInt(item.responsible_user_id) && account.users.has(item.responsible_user_id)) target.responsible_user_id = item.responsible_user_id;
    else errors.push(badChoice('responsible_user_id'));
  }
  if (item.custom_fields_values !== undefined) {
    target.custom_fields_values = applyCustomFields(account.customFields[entity], target.custom_fields_values, item.custom_fields_values, 'custom_fields_values', errors);
  }
  const nextId = () => store.nextId();
  const embeddedTags = isObj(item._embedded) ? item._embedded.tags : undefined;
  if (embeddedTags !== undefined) {
    // `_embedded.tags` replaces the whole set and wins over tags_to_add/tags_to_delete.
    target.tagIds = resolveTags(account, entity, embeddedTags, '_embedded.tags', errors, nextId, true);
    return;
  }
  if (item.tags_to_add !== undefined) {
    const add = resolveTags(account, entity, item.tags_to_add, 'tags_to_add', errors, nextId, true);
    target.tagIds = [...new Set([...target.tagIds, ...add])];
  }
  if (item.tags_to_delete !== undefined) {
    const del = new Set(resolveTags(account, entity, item.tags_to_delete, 'tags_to_delete', errors, nextId, false));
    target.tagIds = target.tagIds.filter((id) => !del.has(id));
  }
}

/** Plans one PATCH item; returns the updated copy (to commit) or undefined with errors filled. */
export function planPatch(store: SimStore, account: SimAccount, entity: SimEntityType, item: unknown, errors: Errors, pathId?: number): AnyEntity | undefined {
  if (!isObj(item)) {
    errors.push(invalidType('', 'object'));
    return undefined;
  }
  const id = pathId ?? item.id;
  if (!isInt(id)) {
    errors.push({ code: 'FieldMissing', path: 'id', detail: 'This field is missing.' });
    return undefined;
  }
  const current = entityMap(account, entity).get(id);
  if (!current) {
    errors.push({ code: 'NotFound', path: 'id', detail: 'Entity not found.' });
    return undefined;
  }
  const next = structuredClone(current);
  planCommon(store, account, entity, next, item, errors);
  if (entity === 'leads') {
    const lead = next as SimLead;
    if (item.price !== undefined) {
      if (isInt(item.price) && item.price >= 0) lead.price = item.price;
      else errors.push(invalidType('price', 'int'));
    }
    if (item.status_id !== undefined || item.pipeline_id !== undefined) {
      const stage = resolveStage(account, lead, item, errors);
      if (stage) Object.assign(lead, stage);
    }
  }
  if (entity === 'contacts') {
    const contact = next as SimContact;
    for (const k of ['first_name', 'last_name'] as const) {
      if (item[k] === undefined) continue;
      if (typeof item[k] === 'string') contact[k] = item[k];
      else errors.push(invalidType(k, 'string'));
    }
  }
  return errors.length ? undefined : next;
}

/** Stores a planned entity; closing statuses stamp closed_at as Kommo does. */
export function commitEntity(store: SimStore, account: SimAccount, entity: SimEntityType, next: AnyEntity): void {
  next.updated_at = store.nowSec();
  if (entity === 'leads') {
    const lead = next as SimLead;
    const closed = lead.status_id === 142 || lead.status_id === 143;
    lead.closed_at = closed ? (lead.closed_at ?? store.nowSec()) : null;
  }
  entityMap(account, entity).set(next.id, next);
}
