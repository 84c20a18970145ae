/**
 * Checks of docs/architecture.md's rule ("a domain owns its tables; others go through its service
 * or a port") over a module's source files: which other modules' repositories it imports, and
 * which tables its SQL names. Each module's boundaries test says what it allows.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The module's own .ts files (not its tests) with their text. */
export function moduleSources(module: string): { file: string; source: string }[] {
  const dir = fileURLToPath(new URL(`../../server/modules/${module}`, import.meta.url));
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((file) => ({ file, source: fs.readFileSync(path.join(dir, file), 'utf8') }));
}

export interface ImportRules {
  /** More specifiers that count as foreign besides other modules' repositories. */
  alsoForbidden?: RegExp[];
  /** A type-only import allowed from a foreign repository: `{ names: /^\{\s*MailboxRow\s*\}$/, from: /mailboxes\.repository/ }`. */
  allowTypes?: { names: RegExp; from: RegExp };
}

/** Repositories outside the module imported (statically, as types, re-exported or dynamically). */
export function foreignRepositoriesIn(source: string, rules: ImportRules = {}): string[] {
  const imports = [...source.matchAll(/\b(import|export)\s+(type\s+)?([^;]*?)\s*from\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]/g)];
  const allowed = rules.allowTypes;
  return imports
    .filter((m) => !(allowed && m[2] && allowed.names.test(m[3]!.trim()) && allowed.from.test(m[4]!)))
    .map((m) => (m[4] ?? m[5])!)
    .filter((s) => (/(^|\/)[^/]*\.repository(\.js)?$/.test(s) && !/^\.\/[^/]+$/.test(s)) || (rules.alsoForbidden ?? []).some((r) => r.test(s)));
}

/** Tables named after FROM, JOIN, UPDATE, INSERT INTO or DELETE FROM in the SQL strings of a source. */
export function tablesIn(source: string): string[] {
  const sql = [...source.matchAll(/`[^`]*`|'[^'\n]*'|"[^"\n]*"/g)].map((m) => m[0]).filter((s) => /\b(SELECT|UPDATE|INSERT|DELETE)\b/.test(s));
  return sql.flatMap((s) => [...s.matchAll(/\b(?:FROM|JOIN|UPDATE|INSERT INTO|DELETE FROM)\s+([a-z_]+)\b/gi)].map((m) => m[1]!.toLowerCase()));
}

/** "file: offender" for every offender `check` finds in the module's files. */
export function offenders(module: string, check: (source: string) => string[]): string[] {
  return moduleSources(module).flatMap(({ file, source }) => check(source).map((s) => `${file}: ${s}`));
}
