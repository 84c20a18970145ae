/**
 * The mailings module owns mailings and mailing_recipients; the emails, tracking and mailbox
 * tables are read through the MailingReads port, templates and the account through
 * MailingSources (docs/architecture.md, "The rule"): no SQL on them, and no import of another
 * module's repository (not even a type of it).
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

/** Modules imported (statically, as types, re-exported or dynamically) that are repositories outside mailings. */
function foreignRepositoriesIn(source: string): string[] {
  const specs = [...source.matchAll(/\b(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
  return specs.filter((s) => /(^|\/)[^/]*\.repository(\.js)?$/.test(s) && !/^\.\/[^/]+$/.test(s));
}

describe('the mailings module', () => {
  it('queries only its own tables', () => {
    const foreign = fs
      .readdirSync(DIR)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => tablesIn(fs.readFileSync(path.join(DIR, f), 'utf8')).filter((t) => !OWN.has(t) && t !== 'unnest').map((t) => `${f}: ${t}`));
    expect(foreign).toEqual([]);
  });

  it("imports no other module's repository", () => {
    const foreign = fs
      .readdirSync(DIR)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => foreignRepositoriesIn(fs.readFileSync(path.join(DIR, f), 'utf8')).map((s) => `${f}: ${s}`));
    expect(foreign).toEqual([]);
  });

  it('would see an import of another repository, and not its own', () => {
    const source = [
      "import { getSignature } from '../templates/templates.repository.js';",
      "import type { MailboxRow } from '../mailboxes/mailboxes.repository.js';",
      "import { listAttachmentMeta } from '../attachments.repository.js';",
      "export type { X } from '../emails/emails.repository.js';",
      "const m = await import('../accounts/accounts.repository.js');",
      "import * as repo from './mailings.repository.js';",
      "import type { MailingRow } from './mailings.repository.js';",
      "import { getAccount } from '../accounts/accounts.service.js';",
    ].join('\n');
    expect(foreignRepositoriesIn(source)).toEqual([
      '../templates/templates.repository.js',
      '../mailboxes/mailboxes.repository.js',
      '../attachments.repository.js',
      '../emails/emails.repository.js',
      '../accounts/accounts.repository.js',
    ]);
  });

  it('would see a query on another table', () => {
    expect(tablesIn("db.query('SELECT 1 FROM mailing_recipients r JOIN emails e ON e.id = r.email_id')")).toEqual(['mailing_recipients', 'emails']);
  });
});
