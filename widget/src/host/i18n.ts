/**
 * Strings come from Kommo: it loads i18n/<lang>.json into `self.langs`. Keys are typed from the
 * English file, so a key the code uses but en.json lacks does not compile; a key missing from
 * the loaded locale is reported as a console error (the browser tests fail on those).
 */
import type en from '../../i18n/en.json';

type Paths<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : Paths<T[K], `${P}${K}.`>;
}[keyof T & string];

export type I18nKey = Paths<typeof en>;
export type Vars = Record<string, string | number>;
export type T = (key: I18nKey, vars?: Vars) => string;

/** Marks a string as an i18n key where it is not passed to t() directly (tables of keys). */
export const key = (k: I18nKey): I18nKey => k;

export function createT(langs: Record<string, unknown> | undefined): T {
  return (k, vars) => {
    let node: unknown = langs;
    for (const part of k.split('.')) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
    if (typeof node !== 'string') {
      console.error(`leadmail: missing i18n key "${k}"`);
      return k;
    }
    return vars ? node.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)) : node;
  };
}
