/**
 * Which mailbox a send nobody typed goes from (the digital pipeline, a send_email trigger, a
 * mailing, the dry run that predicts them): the mailboxes module's rule, asked through
 * MailboxesService.pickForSend (or this function where a service is not at hand).
 */
import type { Queryable } from '../../infra/db/db.js';
import { getAccount } from '../accounts/accounts.repository.js';
import type { MailboxRow } from './mailboxes.repository.js';

export interface MailboxPrefs {
  chosenId?: string | null;
  responsibleUserId?: number | null;
  templateOwnerId: number | null;
}

/**
 * The account's global mailbox if set; else the caller's choice; else a mailbox of the entity's
 * responsible user (a green check first: it is the one known to work); else one of the
 * template owner's (automation; a mailing's "responsible" mode passes null: no fallback). Null
 * when none exists: the caller records why nothing was sent.
 */
export async function pickSendingMailbox(db: Queryable, accountId: number, prefs: MailboxPrefs): Promise<MailboxRow | null> {
  const globalId = (await getAccount(db, accountId))?.global_mailbox_id;
  if (globalId) {
    const global = await db.query<MailboxRow>('SELECT * FROM mailboxes WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL', [accountId, globalId]);
    if (global.rows[0]) return global.rows[0];
  }
  if (prefs.chosenId) {
    const chosen = await db.query<MailboxRow>('SELECT * FROM mailboxes WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL', [accountId, prefs.chosenId]);
    if (chosen.rows[0]) return chosen.rows[0];
  }
  for (const owner of [prefs.responsibleUserId, prefs.templateOwnerId]) {
    if (!owner) continue;
    const r = await db.query<MailboxRow>(
      `SELECT * FROM mailboxes WHERE account_id = $1 AND owner_user_id = $2 AND deleted_at IS NULL
       ORDER BY (check_status = 'green') DESC, paused, created_at LIMIT 1`,
      [accountId, owner],
    );
    if (r.rows[0]) return r.rows[0];
  }
  return null;
}
