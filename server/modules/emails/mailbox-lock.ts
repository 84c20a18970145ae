/**
 * The mailbox row lock every delivery transaction takes first (lock order everywhere: the mailbox,
 * then its emails — send-outcome.ts says why).
 *
 * FOR NO KEY UPDATE, not FOR UPDATE: it excludes the other delivery transactions all the same (the
 * mode conflicts with itself), but not the FOR KEY SHARE lock PostgreSQL takes on the mailbox row
 * for every email inserted that references it. With FOR UPDATE a drain's claim waited behind every
 * open transaction that was inserting mail for the mailbox — a resolving 100,000-recipient mailing
 * writing batches of 500 mails nearly stopped its own sending (bench/mailing-scale.ts).
 */
import type { Queryable } from '../../infra/db/db.js';
import type { MailboxRow } from '../mailboxes/mailboxes.repository.js';

export async function lockMailbox(tx: Queryable, mailboxId: string): Promise<MailboxRow | undefined> {
  return (await tx.query<MailboxRow>('SELECT * FROM mailboxes WHERE id = $1 FOR NO KEY UPDATE', [mailboxId])).rows[0];
}
