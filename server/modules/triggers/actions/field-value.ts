/**
 * The "Change field" value as the admin types it (seed 004, "Change field"), turned into Kommo's
 * `values` for the field's type (kommo-reference.md "Update"). The same function refuses a value
 * at save time and builds the request at run time, so what was accepted is what gets sent.
 *
 *   text, textarea, url      the text (template and trigger variables allowed), replacing the old
 *   numeric, price           a number, nothing else                     → {value: 42}
 *   checkbox ("switch")      1 on, 0 off                                → {value: true|false}
 *   select, radiobutton      an existing option, written exactly        → {enum_id}
 *   multiselect              an existing option, ADDED to those set     → [{enum_id}, …]
 *   date, birthday           YYYY-MM-DD, or {date} = the day it runs    → {value: unix seconds}
 *   date_time                YYYY-MM-DD (midnight) or {date} = now      → {value: unix seconds}
 *   any field                {reset}                                    → values: null (cleared)
 */
import type { CrmCustomFieldDef, CrmFieldValue } from '../../../infra/crm/crm-client.js';

const TEXT = new Set(['text', 'textarea', 'url']);
const NUMBER = new Set(['numeric', 'price']);
const SINGLE_LIST = new Set(['select', 'radiobutton']);
const DATE = new Set(['date', 'birthday', 'date_time']);
export const SUPPORTED_FIELD_TYPES = [...TEXT, ...NUMBER, 'checkbox', ...SINGLE_LIST, 'multiselect', ...DATE];

export type FieldValueResult = { ok: true; values: CrmFieldValue[] | null } | { ok: false; problem: string };

export interface FieldValueOptions {
  now: Date;
  /** The entity's current values of this field (a multiselect keeps them). */
  current?: CrmFieldValue[] | null;
  /** Renders variables in text values; at save time the text is taken as written. */
  renderText?: (source: string) => string;
}

const RESET = '{reset}';
const TODAY = '{date}';

const fail = (problem: string): FieldValueResult => ({ ok: false, problem });
const ok = (values: CrmFieldValue[] | null): FieldValueResult => ({ ok: true, values });

/** Kommo date fields hold midnight; without an account time zone we use UTC midnight. */
function utcMidnight(y: number, m: number, d: number): number | null {
  const ms = Date.UTC(y, m - 1, d);
  const back = new Date(ms);
  // Date.UTC rolls 2024-02-31 over into March: a date that does not exist is refused instead.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d) return null;
  return ms / 1000;
}

function dateValue(def: CrmCustomFieldDef, raw: string, now: Date): FieldValueResult {
  if (raw === TODAY) {
    if (def.type === 'date_time') return ok([{ value: Math.floor(now.getTime() / 1000) }]);
    return ok([{ value: utcMidnight(now.getUTCFullYear(), now.getUTCMonth() + 1, now.getUTCDate())! }]);
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw);
  const seconds = m ? utcMidnight(Number(m[1]), Number(m[2]), Number(m[3])) : null;
  if (seconds === null) return fail(`"${raw}" is not a date: write YYYY-MM-DD (e.g. 2018-08-29) or {date} for the day the trigger runs`);
  return ok([{ value: seconds }]);
}

function enumOf(def: CrmCustomFieldDef, raw: string): { id: number } | FieldValueResult {
  const e = (def.enums ?? []).find((x) => x.value === raw);
  if (e) return e;
  const options = (def.enums ?? []).map((x) => `"${x.value}"`).join(', ');
  return fail(`"${raw}" is not an option of the list field "${def.name}" (options: ${options || 'none'})`);
}

export function fieldValue(def: CrmCustomFieldDef, value: string, opts: FieldValueOptions): FieldValueResult {
  const raw = value.trim();
  if (raw === RESET) return ok(null);
  if (raw === '') return fail('is required (write {reset} to clear the field)');

  if (TEXT.has(def.type)) {
    const text = opts.renderText ? opts.renderText(raw) : raw;
    // Only a literal URL can be checked at save time; one built from variables is sent as rendered.
    if (def.type === 'url' && !raw.includes('{') && !/^https?:\/\/[^\s]+$/i.test(raw)) {
      return fail(`"${raw}" is not a URL (field "${def.name}" is a URL field: write http://… or https://…)`);
    }
    return ok([{ value: text }]);
  }
  if (NUMBER.has(def.type)) {
    if (!/^-?\d+(\.\d+)?$/.test(raw)) return fail(`"${raw}" is not a number (field "${def.name}" is numeric: digits only, e.g. 42 or 12.5)`);
    return ok([{ value: Number(raw) }]);
  }
  if (def.type === 'checkbox') {
    if (raw !== '1' && raw !== '0') return fail(`"${raw}" does not fit the switch "${def.name}": write 1 to turn it on or 0 to turn it off`);
    return ok([{ value: raw === '1' }]);
  }
  if (SINGLE_LIST.has(def.type)) {
    const e = enumOf(def, raw);
    return 'ok' in e ? e : ok([{ enum_id: e.id }]);
  }
  if (def.type === 'multiselect') {
    const e = enumOf(def, raw);
    if ('ok' in e) return e;
    const kept = (opts.current ?? []).map((v) => v.enum_id).filter((id): id is number => typeof id === 'number');
    return ok([...new Set([...kept, e.id])].map((enum_id) => ({ enum_id })));
  }
  if (DATE.has(def.type)) return dateValue(def, raw, opts.now);
  return fail(`field "${def.name}" is of type ${def.type}, which can only be cleared with {reset} (supported: ${SUPPORTED_FIELD_TYPES.join(', ')})`);
}
