/**
 * What a send meant for each recipient (issue 6 §3). SMTP decides per recipient at RCPT TO
 * (RFC 5321 §3.3): a server may take the message for some and refuse others, 4yz "try later"
 * (greylisting, a full mailbox) or 5yz "never".
 *
 * - A recipient deferred with 4yz while others were accepted is retried alone, with the same
 *   backoff as any temporary failure: `pending_recipients` narrows the next attempt's envelope,
 *   and the headers still name everyone, so it is the same message (same Message-ID).
 * - A recipient refused with 5yz is recorded with its full address and the server's reply in
 *   the mail's history: the owner needs to know whom to correct in the CRM. Logs mask it.
 * - Once anyone has the mail, it ends `sent` even if the rest never take it (a mail is never
 *   both delivered and failed), and it is filed in Sent once, at its first delivery.
 *
 * send-email.job.ts calls in at two points: after a send (recordPartialDelivery) and after a
 * failed one (settleFailure). Everything else about the queue stays there.
 */
import { withTransaction } from '../../infra/db/db.js';
import { maskEmail } from '../../infra/log/logger.js';
import type { RecipientRefusal, SendResult } from '../../infra/smtp/mail-transport.js';
import { recipientRefusals, type SmtpErrorClass } from '../../infra/smtp/classify-send-error.js';
import { addEvent, type EmailRow } from './emails.repository.js';
import type { SendDeps } from './send-email.job.js';
import { lockMailbox, ours, STILL_OURS, type Claimed } from './send-outcome.js';

/** The columns of migration 20261129200500 (read with SELECT * along with the rest of the row). */
interface RecipientColumns {
  pending_recipients?: string[] | null;
  delivered_recipients?: string[];
}

/** How the job retries: the shape its retryLater() takes. */
export interface RecipientRetry {
  serverText: string;
  responseCode?: number;
}

/** A refused recipient as the owner sees it in the history: full address, the server's words. */
interface RefusalView {
  address: string;
  code: number | null;
  reply: string;
}

const view = (r: RecipientRefusal): RefusalView => ({ address: r.address, code: r.responseCode ?? null, reply: r.reply });
const columns = (email: EmailRow): RecipientColumns => email as EmailRow & RecipientColumns;

/** This attempt's envelope: only the recipients still owed the mail, once some have it. */
export function envelopeFor(email: EmailRow): { envelopeTo?: string[] } {
  const pending = columns(email).pending_recipients;
  return pending && pending.length > 0 ? { envelopeTo: pending } : {};
}

/** The `sent` event's account of an attempt: who took the message, who refused it and why. */
export function deliveryDetails(result: SendResult): { accepted: string[]; refused: RefusalView[] } {
  return { accepted: result.accepted, refused: result.refused.map(view) };
}

/**
 * After a send some recipients took: when others were deferred (4yz) and attempts remain,
 * records who got it on this attempt, keeps only the deferred ones for the next, and returns
 * the retry for the job to schedule (after filing the Sent copy if `firstDelivery`).
 * null: nothing left to retry; the job records the mail as sent.
 */
export async function recordPartialDelivery(
  deps: Pick<SendDeps, 'db' | 'log' | 'retry' | 'instanceId'>,
  c: Claimed,
  result: SendResult,
): Promise<{ retry: RecipientRetry; firstDelivery: boolean } | null> {
  const { email } = c;
  const deferred = result.refused.filter((r) => r.kind === 'transient');
  if (deferred.length === 0 || email.attempts >= deps.retry.maxAttempts) return null;
  const refused = result.refused.filter((r) => r.kind === 'permanent');
  const before = columns(email).delivered_recipients ?? [];
  const delivered = [...before, ...result.accepted];
  // Lock order and claim rules of send-outcome.ts: mailbox first, and only the claim in flight.
  await withTransaction(deps.db, async (tx) => {
    await lockMailbox(tx, c.mailbox.id);
    const r = await tx.query(
      `UPDATE emails SET pending_recipients = $4, delivered_recipients = $5, smtp_response = $6, updated_at = now()
       WHERE ${STILL_OURS}`,
      [...ours(deps, c), JSON.stringify(deferred.map((r) => r.address)), JSON.stringify(delivered), result.response],
    );
    // Taken over meanwhile: retryLater (next) finds the claim gone and records the late outcome.
    if (!r.rowCount) return;
    await addEvent(tx, email.id, email.account_id, 'partially_sent', {
      attempt: email.attempts,
      response: result.response,
      accepted: result.accepted,
      deferred: deferred.map(view),
      refused: refused.map(view),
    });
  });
  deps.log.info(
    { emailId: email.id, accepted: result.accepted.map(maskEmail), deferred: deferred.map((r) => maskEmail(r.address)) },
    'email delivered to some recipients; the deferred ones will be retried',
  );
  return { retry: retryFor(deferred), firstDelivery: before.length === 0 };
}

/**
 * After a failed send (not an authentication failure, which pauses the mailbox as usual):
 * - 'retry': every recipient was refused at RCPT, some for now and some for good: the ones
 *   refused for good are recorded and dropped, the deferred ones retried.
 * - 'sent': this was a retry for deferred recipients of a mail others already have, and it
 *   will not go through: the mail is recorded as sent, naming whom it did not reach.
 * - 'as-usual': the job's ordinary retry / fail.
 */
export async function settleFailure(
  deps: Pick<SendDeps, 'db' | 'retry' | 'instanceId'>,
  c: Claimed,
  err: unknown,
  k: SmtpErrorClass,
): Promise<{ next: 'retry'; retry: RecipientRetry } | { next: 'sent' } | { next: 'as-usual' } | { next: 'lost' }> {
  const { email } = c;
  if (k.kind === 'auth') return { next: 'as-usual' };
  const refusals = recipientRefusals(err);
  const deferred = refusals.filter((r) => r.kind === 'transient');
  const refused = refusals.filter((r) => r.kind === 'permanent');
  const attemptsLeft = email.attempts < deps.retry.maxAttempts;

  if (deferred.length > 0 && refused.length > 0 && attemptsLeft) {
    await withTransaction(deps.db, async (tx) => {
      await lockMailbox(tx, c.mailbox.id);
      const r = await tx.query(`UPDATE emails SET pending_recipients = $4, updated_at = now() WHERE ${STILL_OURS}`, [
        ...ours(deps, c),
        JSON.stringify(deferred.map((r) => r.address)),
      ]);
      if (!r.rowCount) return;
      await addEvent(tx, email.id, email.account_id, 'recipients_refused', { attempt: email.attempts, refused: refused.map(view) });
    });
    return { next: 'retry', retry: retryFor(deferred) };
  }

  const delivered = columns(email).delivered_recipients ?? [];
  const final = k.kind === 'permanent' || !attemptsLeft;
  if (delivered.length === 0 || !final) return { next: 'as-usual' };
  const missed: RefusalView[] =
    refusals.length > 0
      ? refusals.map(view)
      : (envelopeFor(email).envelopeTo ?? []).map((address) => ({ address, code: k.responseCode ?? null, reply: k.serverText }));
  const text = `Not delivered to ${missed.map((m) => `${m.address} (${m.reply})`).join(', ')}`;
  const won = await withTransaction(deps.db, async (tx) => {
    await lockMailbox(tx, c.mailbox.id);
    const r = await tx.query(
      `UPDATE emails SET status = 'sent', sent_at = now(), owner_instance = NULL, lease_until = NULL, error_code = $4, error_text = $5,
         updated_at = now() WHERE ${STILL_OURS}`,
      [...ours(deps, c), k.responseCode ? String(k.responseCode) : 'RECIPIENTS', text],
    );
    if (!r.rowCount) return false;
    await tx.query('UPDATE mailboxes SET last_send_at = now() WHERE id = $1', [email.mailbox_id]);
    await addEvent(tx, email.id, email.account_id, 'sent', { attempt: email.attempts, accepted: [], deliveredEarlier: delivered, notDelivered: missed });
    return true;
  });
  return won ? { next: 'sent' } : { next: 'lost' };
}

function retryFor(deferred: RecipientRefusal[]): RecipientRetry {
  const first = deferred[0]!;
  return {
    serverText: deferred.map((r) => `${r.address}: ${r.reply}`).join('; '),
    ...(first.responseCode ? { responseCode: first.responseCode } : {}),
  };
}
