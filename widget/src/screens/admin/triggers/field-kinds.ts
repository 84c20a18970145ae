/**
 * Kommo field types as the "Change field" editor treats them, mirroring what the server accepts
 * (server/modules/triggers/actions/field-value.ts): which input fits, and the two special values.
 */
export type ValueInputKind = 'text' | 'textarea' | 'url' | 'number' | 'switch' | 'list' | 'radios' | 'multi' | 'date' | 'none';

export const RESET = '{reset}';
export const TODAY = '{date}';

const KIND: Record<string, ValueInputKind> = {
  text: 'text',
  textarea: 'textarea',
  url: 'url',
  numeric: 'number',
  price: 'number',
  checkbox: 'switch',
  select: 'list',
  radiobutton: 'radios',
  multiselect: 'multi',
  date: 'date',
  birthday: 'date',
  date_time: 'date',
};

/** 'none': a type the trigger cannot set (multitext, …): it can only be cleared. */
export function inputKind(type: string, settable: boolean): ValueInputKind {
  return settable ? (KIND[type] ?? 'none') : 'none';
}

export type ValueMode = 'value' | 'today' | 'reset';

export function modeOf(value: string, kind: ValueInputKind): ValueMode {
  const v = value.trim();
  if (v === RESET || kind === 'none') return 'reset';
  if (v === TODAY && kind === 'date') return 'today';
  return 'value';
}
