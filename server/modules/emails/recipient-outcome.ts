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
 *
 * Every other writer that ends a mail for good — a failure, the user's cancel, a mailing's
 * hold, the crash sweep, a send whose outcome is unknown — ends a partly delivered one through
 * finishPartlyDelivered: `sent`, naming who did not get it and why, never failed/cancelled/unknown.
 */
import { withTransaction, type Queryable } from '../../infra/db/db.js';
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
  const won = await withTransaction(deps.db, async (tx) => {
    await lockMailbox(tx, c.mailbox.id);
    const done = await finishPartlyDelivered(tx, { sql: STILL_OURS, params: ours(deps, c) }, {
      code: k.responseCode ? String(k.responseCode) : 'RECIPIENTS',
      why: k.serverText,
      missed,
      data: { attempt: email.attempts, accepted: [] },
    });
    if (!done.length) return false;
    await tx.query('UPDATE mailboxes SET last_send_at = now() WHERE id = $1', [email.mailbox_id]);
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

/** How the rest of a partly delivered mail ended: the history's and the error's words. */
export interface PartlyDeliveredEnd {
  /** The mail's error_code (the failure's, 'CANCELLED', 'INTERRUPTED', …). */
  code: string;
  /** Why the pending recipients did not get it: "cancelled by the user", the failure's text. */
  why: string;
  /** Each recipient's own reply, when the server gave one (settleFailure); else all get `why`. */
  missed?: RefusalView[];
  /** More for the `sent` history line. */
  data?: Record<string, unknown>;
}

/**
 * Ends `sent` the mails matching `match` (an SQL condition on the `emails` row, `$1…` its
 * params) that some recipients already have (a mail is never both delivered and failed): sent_at
 * kept if set, the error naming whom it did not reach and why, and a `sent` history line with
 * deliveredEarlier / notDelivered. The caller holds the mailbox lock (lock order: mailbox, then
 * email), leaves rows that are not partly delivered to its own update, and fires the "sent"
 * trigger points of the returned ids after commit: nothing fired them at the first delivery
 * (send-email.job.ts), so each mail gets exactly one trigger set.
 */
export async function finishPartlyDelivered(
  tx: Queryable,
  match: { sql: string; params: unknown[] },
  end: PartlyDeliveredEnd,
): Promise<{ id: string; mailbox_id: string }[]> {
  const n = match.params.length;
  const [code, why, missed, data] = [`$${n + 1}::text`, `$${n + 2}::text`, `$${n + 3}::jsonb`, `$${n + 4}::jsonb`];
  // Without per-recipient replies: every pending recipient, with the one reason.
  const pendingViews = `(SELECT jsonb_agg(jsonb_build_object('address', a, 'code', NULL, 'reply', ${why})) FROM jsonb_array_elements_text(e.pending_recipients) a)`;
  const r = await tx.query<{ id: string; mailbox_id: string }>(
    `WITH u AS (
       UPDATE emails e SET status = 'sent', sent_at = coalesce(e.sent_at, now()), owner_instance = NULL, lease_until = NULL,
         error_code = ${code}, error_text = 'Not delivered to ' || coalesce(
           (SELECT string_agg((m->>'address') || ' (' || (m->>'reply') || ')', ', ') FROM jsonb_array_elements(${missed}) m),
           (SELECT string_agg(a, ', ') FROM jsonb_array_elements_text(e.pending_recipients) a) || ' (' || ${why} || ')',
           'the remaining recipients (' || ${why} || ')'),
         updated_at = now()
       WHERE (${match.sql}) AND jsonb_array_length(e.delivered_recipients) > 0
       RETURNING e.id, e.account_id, e.mailbox_id, e.delivered_recipients, coalesce(${missed}, ${pendingViews}, '[]'::jsonb) AS not_delivered),
     ev AS (
       INSERT INTO email_events (email_id, account_id, type, data)
       SELECT id, account_id, 'sent', ${data} || jsonb_build_object('deliveredEarlier', delivered_recipients, 'notDelivered', not_delivered, 'reason', ${why}::text)
       FROM u)
     SELECT id, mailbox_id FROM u`,
    [...match.params, end.code, end.why, end.missed ? JSON.stringify(end.missed) : null, JSON.stringify(end.data ?? {})],
  );
  return r.rows;
}
