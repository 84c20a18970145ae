/**
 * The emails module reads templates, triggers, accounts, automation's cap and the mailbox choice
 * through its ports (sources.port.ts, SendDeps, send-conditions.ts) or the owner's service
 * (docs/architecture.md, "The rule"), not through their repositories. The one exception is the
 * mailbox row's type: the drain paces on the mailbox's own columns.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('../../server/modules/emails', import.meta.url));

/** Repositories outside emails (and automation's cap, which reads its tables) imported (statically, as types, re-exported or dynamically), but the MailboxRow type. */
function foreignRepositoriesIn(source: string): string[] {
  const imports = [...source.matchAll(/\b(import|export)\s+(type\s+)?([^;]*?)\s*from\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]/g)];
  return imports
    .filter((m) => !(m[2] && /^\{\s*MailboxRow\s*\}$/.test(m[3]!.trim()) && /mailboxes\.repository(\.js)?$/.test(m[4]!)))
    .map((m) => (m[4] ?? m[5])!)
    .filter((s) => (/(^|\/)[^/]*\.repository(\.js)?$/.test(s) && !/^\.\/[^/]+$/.test(s)) || /\/automation\/send-cap(\.js)?$/.test(s));
}

describe('the emails module', () => {
  it("imports no other module's repository", () => {
    const foreign = fs
      .readdirSync(DIR)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => foreignRepositoriesIn(fs.readFileSync(path.join(DIR, f), 'utf8')).map((s) => `${f}: ${s}`));
    expect(foreign).toEqual([]);
  });

  it('would see such an import, and not its own repository or the mailbox row type', () => {
    const source = [
      "import { findTemplate } from '../templates/templates.repository.js';",
      "import * as mailboxes from '../mailboxes/mailboxes.repository.js';",
      "import type { AttachmentFile } from '../attachments.repository.js';",
      "export type { X } from '../triggers/executions.repository.js';",
      "const m = await import('../accounts/accounts.repository.js');",
      "import type { MailboxRow } from '../mailboxes/mailboxes.repository.js';",
      "import * as repo from './emails.repository.js';",
      "import { checkSendCap } from '../automation/send-cap.js';",
    ].join('\n');
    expect(foreignRepositoriesIn(source)).toEqual([
      '../templates/templates.repository.js',
      '../mailboxes/mailboxes.repository.js',
      '../attachments.repository.js',
      '../triggers/executions.repository.js',
      '../accounts/accounts.repository.js',
      '../automation/send-cap.js',
    ]);
  });
});
