/**
 * What the mailings module needs from delivery and tracking, wired in container.ts:
 * - MailingDelivery (emails/bulk-enqueue.ts): hand over a batch of rendered mails of one
 *   mailbox, take queued ones off the queue, put paused ones back, and choose the mailbox a
 *   recipient's mail goes from (MailboxesService.pickForSend, the same choice automation makes);
 * - MailingReads (emails/mail-reads.ts, tracking/hit-reads.ts): the state, pace and engagement
 *   of the mails a mailing created: a whole mailing asked by its id (the batch carries it to
 *   emails.mailing_id), a page of recipients or a reminder's batch by their mails' ids;
 *   ResponseReads, the part of it a reminder's send-time check asks on the drain's transaction.
 * The other way round, this module implements the emails module's PreSendGuard
 * (emails/send-conditions.ts) for its reminder mails (reminder-guard.ts).
 * Nothing else of the queue or the tracking tables is visible here.
 */
import type { Queryable } from '../../infra/db/db.js';
import type { BulkBatch, HoldCode, MailSet } from '../emails/bulk-enqueue.js';
import type { PreSendGuard } from '../emails/send-conditions.js';
import type { MailingKey, MailState, MailStateRow } from '../emails/mail-reads.js';
import type { Engagement, HitSeries, Response } from '../tracking/hit-reads.js';

export type { BulkBatch, BulkMail } from '../emails/bulk-enqueue.js';
export type { MailingKey, MailSet, MailState, MailStateRow, Engagement, HitSeries, Response, HoldCode, PreSendGuard };

/** The mailbox fields a mailing uses (a structural subset of the mailboxes module's row). */
export interface SendingMailbox {
  id: string;
  owner_user_id: number;
}

export interface MailingDelivery {
  enqueueBatch(batch: BulkBatch, onInserted?: (tx: Queryable) => Promise<void>): Promise<void>;
  /** `onHeld` runs in the hold's transaction with the ids it took off the queue (not those already sending). */
  hold(accountId: number, mails: MailSet, code: HoldCode, onHeld?: (tx: Queryable, heldIds: string[]) => Promise<void>): Promise<number>;
  release(accountId: number, mails: MailSet): Promise<number>;
  /** The global mailbox if set; else the chosen one; else one of the responsible user's, else of the template owner's; null when none. */
  pickMailbox(accountId: number, prefs: { chosenId?: string | null; responsibleUserId?: number | null; templateOwnerId: number | null }): Promise<SendingMailbox | null>;
}

export interface MailingReads {
  // A whole mailing, by its id: no id array travels.
  stateCounts(m: MailingKey): Promise<Map<MailState, number>>;
  failureReasons(m: MailingKey): Promise<{ status: 'failed' | 'unknown'; reason: string; count: number }[]>;
  paceOf(m: MailingKey, minutes: number): Promise<{ recentSent: number; lastSlot: Date | null }>;
  pausedMailboxesOf(m: MailingKey): Promise<{ name: string; reason: string | null }[]>;
  sendsPerHour(m: MailingKey): Promise<{ sent: number; failed: number; hourly: { hour: Date; series: 'sent' | 'failed'; n: number }[] }>;
  waitingOf(m: MailingKey): Promise<Set<string>>;
  engagementOf(m: MailingKey): Promise<Engagement>;
  hitsPerHour(m: MailingKey): Promise<{ hour: Date; series: HitSeries; n: number }[]>;
  // A page of recipients or a reminder's batch: their mails' ids.
  statesOf(ids: string[]): Promise<Map<string, MailStateRow>>;
  sentAmong(ids: string[]): Promise<Set<string>>;
  respondedAmong(ids: string[], response: Response): Promise<Set<string>>;
}

/** Whether the first mailing's mails left and were responded to, on a given connection (a claim's transaction). */
export type ResponseReads = Pick<MailingReads, 'sentAmong' | 'respondedAmong'>;
