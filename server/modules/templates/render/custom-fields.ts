/**
 * Kommo custom field values → the strings a template prints, reachable by field id and by name.
 *
 * Formatting by field type (kommo-reference.md "Field types"):
 *   select / radiobutton / multiselect / category → the option text (looked up by enum_id in the
 *       field definition, falling back to the value Kommo sent alongside)
 *   multitext (EMAIL, PHONE) and any multi-valued field → values joined with ", "
 *   date / birthday → YYYY-MM-DD; date_time → YYYY-MM-DD HH:mm (unix seconds, account zone)
 *   checkbox → "Yes" / "No". Chosen over 1/0 because the value lands in an email read by a
 *       person. Note "No" is a non-empty string, so test it with `{{#if_eq … "Yes"}}`, not `{{#if}}`.
 *   anything else → the value as text
 */
import type { CrmCustomFieldDef, CrmCustomFieldValue, CrmFieldValue } from '../../../infra/crm/crm-client.js';
import { formatInstant } from './date-format.js';

export const CHECKBOX_YES = 'Yes';
export const CHECKBOX_NO = 'No';

const ENUM_TYPES = new Set(['select', 'radiobutton', 'multiselect', 'category']);

function epochValue(v: CrmFieldValue): Date | null {
  const raw = v.value;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (Number.isFinite(n)) return new Date(Math.abs(n) < 1e11 ? n * 1000 : n);
  // Some account settings return ISO strings for dates: accept them too.
  const ms = typeof raw === 'string' ? Date.parse(raw) : NaN;
  return Number.isNaN(ms) ? null : new Date(ms);
}

function isTruthy(raw: CrmFieldValue['value']): boolean {
  return raw === true || raw === 1 || raw === '1' || (typeof raw === 'string' && raw.toLowerCase() === 'true');
}

export function formatFieldValue(cfv: CrmCustomFieldValue, def: CrmCustomFieldDef | undefined, timeZone: string): string {
  const values = cfv.values ?? [];
  const type = def?.type ?? cfv.field_type ?? 'text';
  if (type === 'checkbox') return values.length > 0 && isTruthy(values[0]!.value) ? CHECKBOX_YES : CHECKBOX_NO;
  const texts: string[] = [];
  for (const v of values) {
    let out: string;
    if (type === 'date' || type === 'birthday' || type === 'date_time') {
      const d = epochValue(v);
      out = d ? formatInstant(d, type === 'date_time' ? 'YYYY-MM-DD HH:mm' : 'YYYY-MM-DD', timeZone) : String(v.value ?? '');
    } else if (ENUM_TYPES.has(type) && v.enum_id !== undefined) {
      out = def?.enums?.find((e) => e.id === v.enum_id)?.value ?? String(v.value ?? '');
    } else {
      out = v.value === null || v.value === undefined ? '' : String(v.value);
    }
    if (out.trim() !== '') texts.push(out);
  }
  return texts.join(', ');
}

/**
 * Sets a key as an own, enumerable data property. Plain assignment would silently drop a
 * field literally named "__proto__" (and reassign the prototype for object values).
 */
export function defineValue(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * `{ "<id>": text, "<name>": text }` for one entity. Every defined field is present (empty when
 * the record has no value), so `{{#if lead.fields.[Budget]}}` behaves the same for unset fields.
 * Ids win over names (a field named "123" cannot shadow field id 123); when two fields share a
 * name, the first in the account's field order owns it; the other stays reachable by id.
 */
export function buildFieldMap(
  values: CrmCustomFieldValue[] | null | undefined,
  defs: CrmCustomFieldDef[] | undefined,
  timeZone: string,
): Record<string, string> {
  const defById = new Map((defs ?? []).map((d) => [d.id, d]));
  const byId = new Map<number, string>();
  const names: { id: number; name: string }[] = [];
  for (const d of defs ?? []) {
    byId.set(d.id, '');
    names.push({ id: d.id, name: d.name });
  }
  for (const cfv of values ?? []) {
    const def = defById.get(cfv.field_id);
    if (!byId.has(cfv.field_id) && cfv.field_name) names.push({ id: cfv.field_id, name: cfv.field_name });
    byId.set(cfv.field_id, formatFieldValue(cfv, def, timeZone));
  }
  const fields: Record<string, string> = {};
  for (const [id, text] of byId) defineValue(fields, String(id), text);
  for (const { id, name } of names) {
    if (name && !Object.prototype.hasOwnProperty.call(fields, name)) defineValue(fields, name, byId.get(id) ?? '');
  }
  return fields;
}

/**
 * The main e-mail or phone of a contact/company: the first value of the EMAIL (PHONE) field,
 * preferring the one marked WORK, as Kommo's own card does.
 */
export function primaryValue(
  values: CrmCustomFieldValue[] | null | undefined,
  defs: CrmCustomFieldDef[] | undefined,
  code: 'EMAIL' | 'PHONE',
): string {
  const codeOf = (cfv: CrmCustomFieldValue): string | null | undefined =>
    cfv.field_code ?? defs?.find((d) => d.id === cfv.field_id)?.code;
  const all: CrmFieldValue[] = [];
  for (const cfv of values ?? []) if (codeOf(cfv) === code) all.push(...(cfv.values ?? []));
  const usable = all.filter((v) => typeof v.value === 'string' && v.value.trim() !== '');
  const chosen = usable.find((v) => v.enum_code === 'WORK') ?? usable[0];
  return chosen ? String(chosen.value).trim() : '';
}
