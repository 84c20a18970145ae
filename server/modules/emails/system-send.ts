/**
 * Sends nobody clicked "Send" for: the digital pipeline and the send_email trigger. Here are
 * their request/result types and the choice of recipients (the mailbox is the mailboxes module's
 * choice: MailboxesService.pickForSend); EmailsService.sendSystem
 * composes and queues through the same path as a manual send.
 */
import type { EntityType } from '../../../shared/schemas/common.js';
import type { Queryable } from '../../infra/db/db.js';
import type { EntityData } from '../templates/entity-data.js';
import { contactEmails } from '../templates/entity-data.js';

export interface SystemSendRequest {
  accountId: number;
  templateId: string;
  entity: { type: EntityType; id: number };
  source: 'pipeline' | 'trigger';
  /** The mail whose trigger sends this one. */
  parentEmailId?: string | null;
  /** A mailbox the caller chose (a trigger's "original" or chosen one); the global mailbox still wins. */
  mailboxId?: string | null;
  /** The entity as the caller just read it from Kommo, to spare a second read. */
  data?: EntityData;
  /**
   * Runs inside the transaction that inserts the email, e.g. to mark the event that caused the
   * send as done: a retried job then finds it done, and the email cannot be queued twice.
   */
  onQueued?: (tx: Queryable, emailId: string) => Promise<void>;
}

export type SystemSkipCode = 'no_template' | 'no_recipients' | 'no_mailbox' | 'per_day' | 'repeat_limit';

export type SystemSendResult =
  | { status: 'queued'; emailId: string; mailboxId: string; to: string[] }
  | { status: 'skipped'; code: SystemSkipCode; reason: string; noteAdded?: boolean };

/** Every contact of the entity that has an address, main contact first (entity-data.ts orders them). */
export function automaticRecipients(data: EntityData): { to: string[]; contactIds: number[] } {
  const to = new Set<string>();
  const contactIds: number[] = [];
  for (const c of data.contacts) {
    const emails = contactEmails(c);
    if (emails.length === 0) continue;
    emails.forEach((e) => to.add(e.toLowerCase()));
    contactIds.push(c.id);
  }
  return { to: [...to], contactIds };
}
