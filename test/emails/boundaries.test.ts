/**
 * The emails module reads templates, triggers, accounts, automation's cap and the mailbox choice
 * through its ports (sources.port.ts, SendDeps, send-conditions.ts) or the owner's service
 * (docs/architecture.md, "The rule"), not through their repositories. The one exception is the
 * mailbox row's type: the drain paces on the mailbox's own columns.
 */
import { foreignRepositoriesIn as foreignIn, offenders } from '../support/module-boundaries.js';

/** Other modules' repositories and automation's cap (it reads its tables); the MailboxRow type is allowed. */
const foreignRepositoriesIn = (source: string) =>
  foreignIn(source, { alsoForbidden: [/\/automation\/send-cap(\.js)?$/], allowTypes: { names: /^\{\s*MailboxRow\s*\}$/, from: /mailboxes\.repository(\.js)?$/ } });

describe('the emails module', () => {
  it("imports no other module's repository", () => {
    expect(offenders('emails', foreignRepositoriesIn)).toEqual([]);
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
