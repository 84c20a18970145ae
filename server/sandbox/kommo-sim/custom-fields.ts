/**
 * How Kommo validates and stores `custom_fields_values` and tags on write. Used by PATCH,
 * POST /leads and by the seeding helpers, so seeded data goes through the same rules the
 * API enforces (a seed with an unknown enum id fails loudly instead of producing data Kommo
 * could never return).
 */
import type {
  SimAccount,
  SimCfValue,
  SimCustomFieldDef,
  SimCustomFieldValue,
  SimEntityType,
  SimValidationError,
} from './types.js';

type Errors = SimValidationError[];
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const invalidType = (path: string, detail: string): SimValidationError => ({ code: 'InvalidType', path, detail });
const badChoice = (path: string): SimValidationError => ({
  code: 'NotSupportedChoice',
  path,
  detail: 'The value you selected is not a valid choice.',
});

const SINGLE_VALUE = new Set(['text', 'textarea', 'url', 'numeric', 'price', 'checkbox', 'select', 'radiobutton', 'date', 'date_time', 'birthday']);

/** Resolves a select/multiselect/multitext value to one of the field's enums (by id, code or text). */
function pickEnum(def: SimCustomFieldDef, v: Record<string, unknown>, path: string, errors: Errors) {
  const enums = def.enums ?? [];
  if (v.enum_id !== undefined) {
    const e = enums.find((x) => x.id === v.enum_id);
    if (!e) errors.push(badChoice(`${path}.enum_id`));
    return e;
  }
  if (typeof v.enum_code === 'string') {
    const e = enums.find((x) => x.value === v.enum_code);
    if (!e) errors.push(badChoice(`${path}.enum_code`));
    return e;
  }
  // Kommo also accepts the option's text in `value` for list fields.
  const e = enums.find((x) => x.value === v.value);
  if (!e && def.type !== 'multitext') errors.push(badChoice(`${path}.enum_id`));
  return e;
}

/** Dates are unix seconds on the wire; ISO strings are accepted on write as Kommo does. */
function toUnixSeconds(raw: unknown): number | undefined {
  if (typeof raw === 'number' && Number.isInteger(raw)) return raw;
  if (typeof raw === 'string' && /^\d+$/.test(raw)) return Number(raw);
  if (typeof raw === 'string' && !Number.isNaN(Date.parse(raw))) return Math.floor(Date.parse(raw) / 1000);
  return undefined;
}

function normalizeOne(def: SimCustomFieldDef, v: Record<string, unknown>, path: string, errors: Errors): SimCfValue | undefined {
  const raw = v.value;
  switch (def.type) {
    case 'numeric':
    case 'price': {
      const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isFinite(n)) return void errors.push(invalidType(`${path}.value`, 'This value should be of type numeric.'));
      return { value: n };
    }
    case 'checkbox':
      if (typeof raw !== 'boolean') return void errors.push(invalidType(`${path}.value`, 'This value should be of type bool.'));
      return { value: raw };
    case 'date':
    case 'date_time':
    case 'birthday': {
      const s = toUnixSeconds(raw);
      if (s === undefined) return void errors.push(invalidType(`${path}.value`, 'This value should be a unix timestamp.'));
      return { value: s };
    }
    case 'select':
    case 'radiobutton':
    case 'multiselect': {
      const e = pickEnum(def, v, path, errors);
      return e && { value: e.value, enum_id: e.id };
    }
    case 'multitext': {
      if (typeof raw !== 'string' || raw === '') return void errors.push(invalidType(`${path}.value`, 'This value should be of type string.'));
      const e = def.enums?.length ? pickEnum(def, v, path, errors) ?? def.enums[0] : undefined;
      return e ? { value: raw, enum_id: e.id, enum_code: e.value } : { value: raw };
    }
    default:
      if (typeof raw !== 'string' && typeof raw !== 'number') return void errors.push(invalidType(`${path}.value`, 'This value should be of type string.'));
      return { value: String(raw) };
  }
}

/**
 * Applies `custom_fields_values` from a write request to the stored values. Fields not named
 * keep their values; `values: null` (or an empty list) clears a field, as in Kommo.
 */
export function applyCustomFields(
  defs: Map<number, SimCustomFieldDef>,
  current: SimCustomFieldValue[],
  input: unknown,
  path: string,
  errors: Errors,
): SimCustomFieldValue[] {
  if (!Array.isArray(input)) {
    errors.push(invalidType(path, 'This value should be of type array.'));
    return current;
  }
  const next = new Map(current.map((c) => [c.field_id, c]));
  input.forEach((item, i) => {
    const p = `${path}.${i}`;
    if (!isObj(item)) return void errors.push(invalidType(p, 'This value should be of type object.'));
    // Kommo lets predefined fields (EMAIL, PHONE) be addressed by code instead of id.
    const def =
      typeof item.field_id === 'number'
        ? defs.get(item.field_id)
        : [...defs.values()].find((d) => d.code !== null && d.code === item.field_code);
    if (!def) return void errors.push(badChoice(`${p}.field_id`));
    if (item.values === null || (Array.isArray(item.values) && item.values.length === 0)) return void next.delete(def.id);
    if (!Array.isArray(item.values)) return void errors.push(invalidType(`${p}.values`, 'This value should be of type array.'));
    if (SINGLE_VALUE.has(def.type) && item.values.length > 1) {
      return void errors.push({ code: 'InvalidCount', path: `${p}.values`, detail: 'This field accepts a single value.' });
    }
    const before = errors.length;
    const values = item.values.map((v, j) =>
      isObj(v) ? normalizeOne(def, v, `${p}.values.${j}`, errors) : void errors.push(invalidType(`${p}.values.${j}`, 'This value should be of type object.')),
    );
    if (errors.length > before) return;
    next.set(def.id, { field_id: def.id, field_name: def.name, field_code: def.code, field_type: def.type, values: values as SimCfValue[] });
  });
  return [...next.values()];
}

/** Resolves `[{id}|{name}]` to tag ids, creating tags by name (Kommo creates unknown names). */
export function resolveTags(
  account: SimAccount,
  entity: SimEntityType,
  input: unknown,
  path: string,
  errors: Errors,
  nextId: () => number,
  create: boolean,
): number[] {
  if (!Array.isArray(input)) {
    errors.push(invalidType(path, 'This value should be of type array.'));
    return [];
  }
  const tags = account.tags[entity];
  const ids: number[] = [];
  input.forEach((t, i) => {
    if (!isObj(t)) return void errors.push(invalidType(`${path}.${i}`, 'This value should be of type object.'));
    if (typeof t.id === 'number') {
      if (tags.has(t.id)) ids.push(t.id);
      else if (create) errors.push(badChoice(`${path}.${i}.id`));
      return;
    }
    if (typeof t.name !== 'string' || t.name.trim() === '') return void errors.push(invalidType(`${path}.${i}.name`, 'This value should not be blank.'));
    const found = [...tags.values()].find((x) => x.name === t.name);
    if (found) return void ids.push(found.id);
    if (!create) return;
    const tag = { id: nextId(), name: t.name };
    tags.set(tag.id, tag);
    ids.push(tag.id);
  });
  return ids;
}
