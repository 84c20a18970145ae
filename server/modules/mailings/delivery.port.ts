/**
 * What the mailings module needs from delivery (wired in container.ts to emails/bulk-enqueue.ts):
 * hand over a batch of rendered mails of one mailbox, take queued ones off the queue, put paused
 * ones back. Nothing else of the queue is visible here.
 */
import type { Queryable } from '../../infra/db/db.js';
import type { BulkBatch, HoldCode } from '../emails/bulk-enqueue.js';

export type { BulkBatch, BulkMail } from '../emails/bulk-enqueue.js';

export interface MailingDelivery {
  enqueueBatch(batch: BulkBatch, onInserted?: (tx: Queryable) => Promise<void>): Promise<void>;
  hold(accountId: number, emailIds: string[], code: HoldCode): Promise<number>;
  release(accountId: number, emailIds: string[]): Promise<number>;
}
