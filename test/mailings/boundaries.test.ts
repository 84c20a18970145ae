/**
 * The mailings module owns mailings and mailing_recipients; the emails, tracking and mailbox
 * tables are read through the MailingReads port, templates and the account through
 * MailingSources (docs/architecture.md, "The rule"): no SQL on them, and no import of another
 * module's repository (not even a type of it).
 */
import { foreignRepositoriesIn, offenders, tablesIn } from '../support/module-boundaries.js';

const OWN = new Set(['mailings', 'mailing_recipients']);

describe('the mailings module', () => {
  it('queries only its own tables', () => {
    expect(offenders('mailings', (source) => tablesIn(source).filter((t) => !OWN.has(t) && t !== 'unnest'))).toEqual([]);
  });

  it("imports no other module's repository", () => {
    expect(offenders('mailings', (source) => foreignRepositoriesIn(source))).toEqual([]);
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
