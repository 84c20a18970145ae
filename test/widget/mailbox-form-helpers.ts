/** What the quick set-up test and the mailboxes page test share: a world whose SMTP sink takes Dovecot's login, and the generic mailbox typed in. */
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { IMAP_PASSWORD, imapPort, imapUser } from '../support/imap-client.js';
import { checkAndCloseAfterTests, startWidgetWorld, type WidgetWorld } from './harness.js';

export interface MailboxWorld {
  ww: WidgetWorld;
  sink: SmtpSink;
  /** The Dovecot user, also the SMTP sink's login. */
  address: string;
}

/** The test file's lifecycle: the world and the sink started before its tests (handed to `take`), checked and closed after. */
export function withMailboxWorld(take: (world: MailboxWorld) => void): void {
  let world: MailboxWorld | undefined;
  beforeAll(async () => {
    const ww = await startWidgetWorld();
    const address = imapUser(0);
    // The SMTP login is the Dovecot user's, so "same login and password as SMTP" works for IMAP too.
    const sink = await startSmtpSink({ auth: { user: address, pass: IMAP_PASSWORD } });
    world = { ww, sink, address };
    take(world);
  }, 60_000);
  checkAndCloseAfterTests(() => ({ ww: world?.ww, sink: world?.sink }));
}

/** A hosting mailbox pointing at the test sink (and Dovecot when `imap`), typed into the form whose inputs `input` names. */
export async function fillGeneric(
  ww: WidgetWorld,
  input: (name: string) => string,
  to: { sink: SmtpSink; address: string },
  opts: { displayName?: string; password: string; imap: boolean },
): Promise<void> {
  const page = ww.page;
  await page.selectOption(input('preset'), 'generic');
  if (opts.displayName !== undefined) await page.fill(input('displayName'), opts.displayName);
  await page.fill(input('name'), 'Maria Sales');
  await page.fill(input('address'), to.address);
  await page.fill(input('password'), opts.password);
  await page.fill(input('smtpHost'), to.sink.host);
  await page.fill(input('smtpPort'), String(to.sink.port));
  await page.selectOption(input('smtpSecurity'), 'none');
  await page.setChecked(input('imapOn'), opts.imap);
  if (opts.imap) {
    await page.fill(input('imapHost'), '127.0.0.1');
    await page.fill(input('imapPort'), String(imapPort()));
    await page.selectOption(input('imapSecurity'), 'none');
    await page.setChecked(input('sameCredentials'), true);
  }
}
