/**
 * "Check": SMTP verify and IMAP login + list, run side by side, each bounded (~15 s).
 * green = both work; grey = SMTP works and IMAP is off or fails; red = SMTP fails.
 * The result carries the server's own words and a plain-language hint, and is stored; when no
 * mail server answered at all, one fixed text instead (check-answers.ts: no port scanning).
 * Connections go only to addresses the host policy allows (mail-hosts.ts, wired in container.ts).
 * A mailbox paused by an authentication failure resumes when a check passes.
 */
import type { CheckResult } from '../../../shared/schemas/mailbox.js';
import type { SecretBox } from '../../infra/crypto/secret-box.js';
import type { Db } from '../../infra/db/db.js';
import type { MailTransport } from '../../infra/smtp/mail-transport.js';
import type { SmtpSettings } from '../../infra/smtp/smtp-settings.js';
import type { ImapSettings } from '../../infra/imap/imap-settings.js';
import type { MailboxStore } from '../../infra/imap/mailbox-store.js';
import type { AuthContext } from '../../http/auth.js';
import type { MailboxesService } from './mailboxes.service.js';
import { saveCheck } from './mailboxes.repository.js';
import { imapSettingsOf, smtpSettingsOf } from './mailbox-connection.js';
import { imapCheckFailure, smtpCheckFailure } from './check-answers.js';

export interface MailConnectors {
  smtp(settings: SmtpSettings): MailTransport;
  imap(settings: ImapSettings): MailboxStore;
}

export class MailboxChecker {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    private readonly mailboxes: MailboxesService,
    private readonly connectors: MailConnectors,
    /** Called after a check un-pauses a mailbox, to put its queued emails back on the queue. */
    private readonly onResumed: (mailboxId: string) => Promise<void>,
  ) {}

  async check(auth: AuthContext, id: string): Promise<CheckResult> {
    const row = await this.mailboxes.getEditable(auth, id);
    const imapSettings = imapSettingsOf(row, this.box);
    const [smtp, imap] = await Promise.all([this.checkSmtp(smtpSettingsOf(row, this.box)), imapSettings ? this.checkImap(imapSettings) : Promise.resolve({ ok: false, skipped: true })]);
    const status = !smtp.ok ? 'red' : imap.ok ? 'green' : 'grey';
    const result: CheckResult = { status, checkedAt: new Date().toISOString(), smtp, imap };
    const resume = smtp.ok && row.paused;
    await saveCheck(this.db, id, status, result, resume);
    if (resume) await this.onResumed(id);
    return result;
  }

  private async checkSmtp(settings: SmtpSettings): Promise<CheckResult['smtp']> {
    const transport = this.connectors.smtp(settings);
    try {
      await transport.verify();
      return { ok: true };
    } catch (err) {
      return smtpCheckFailure(err);
    } finally {
      transport.close();
    }
  }

  private async checkImap(settings: ImapSettings): Promise<CheckResult['imap']> {
    const store = this.connectors.imap(settings);
    try {
      const r = await store.check();
      return { ok: true, sentFolder: r.sentFolder };
    } catch (err) {
      return imapCheckFailure(err);
    } finally {
      await store.close().catch(() => {});
    }
  }
}
