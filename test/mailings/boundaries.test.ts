/**
 * The mailings module owns mailings and mailing_recipients; the emails, tracking and mailbox
 * tables are read through the MailingReads port (docs/architecture.md, "The rule").
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('../../server/modules/mailings', import.meta.url));
const OWN = new Set(['mailings', 'mailing_recipients']);

/** Tables named after FROM, JOIN, UPDATE, INSERT INTO or DELETE FROM in the module's SQL. */
function tablesIn(source: string): string[] {
  const sql = [...source.matchAll(/`[^`]*`|'[^'\n]*'|"[^"\n]*"/g)].map((m) => m[0]).filter((s) => /\b(SELECT|UPDATE|INSERT|DELETE)\b/.test(s));
  return sql.flatMap((s) => [...s.matchAll(/\b(?:FROM|JOIN|UPDATE|INSERT INTO|DELETE FROM)\s+([a-z_]+)\b/gi)].map((m) => m[1]!.toLowerCase()));
}

describe('the mailings module', () => {
  it('queries only its own tables', () => {
    const foreign = fs
      .readdirSync(DIR)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => tablesIn(fs.readFileSync(path.join(DIR, f), 'utf8')).filter((t) => !OWN.has(t) && t !== 'unnest').map((t) => `${f}: ${t}`));
    expect(foreign).toEqual([]);
  });

  it('would see a query on another table', () => {
    expect(tablesIn("db.query('SELECT 1 FROM mailing_recipients r JOIN emails e ON e.id = r.email_id')")).toEqual(['mailing_recipients', 'emails']);
  });
});
