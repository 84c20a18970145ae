/**
 * The `email.send` job: claim one queued email under the mailbox's row lock, send it over SMTP,
 * record the outcome, then file a copy in the mailbox's Sent folder over IMAP.
 *
 * Exactly-once rules: the claim flips `queued → sending` in a transaction that also checks the
 * job is the current one for that email (its slot matches), so a stale or duplicated job does
 * nothing. A process that dies mid-send leaves `sending` with an expired lease; recovery marks
 * it failed rather than risk a second copy (see recover.job.ts).
 */
import type { Logger } from '../../infra/log/logger.js';
import { maskEmail } from '../../infra/log/logger.js';
import { withTransaction, type Db } from '../../infra/db/db.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { MailTransport, OutgoingMessage } from '../../infra/smtp/mail-transport.js';
import { classifySmtpError } from '../../infra/smtp/classify-send-error.js';
import type { AttachmentFile } from '../attachments.repository.js';
import { loadAttachmentFiles } from '../attachments.repository.js';
import * as mailboxes from '../mailboxes/mailboxes.repository.js';
import type { MailboxRow } from '../mailboxes/mailboxes.repository.js';
import { addEvent, lockEmail, type EmailRow } from './emails.repository.js';
import { canSendNow, reserveSlot } from './pacing.js';
import type { Queryable } from '../../infra/db/db.js';
import { MAX_EMAIL_ATTACHMENTS_BYTES } from '../../../shared/schemas/template.js';
import { insertOpenPixel } from '../tracking/open-pixel.js';
import { insertHoneypot } from '../tracking/honeypot.js';
import type { TriggerRunner } from '../automation/automation.port.js';
import { fireEmailPoint, scheduleNotOpened } from './email-automation.js';
import { htmlToText } from '../templates/render/html-to-text.js';
import { deliveryDetails, envelopeFor, recordPartialDelivery, settleFailure } from './recipient-outcome.js';

export const SEND_JOB = 'email.send';
export interface SendJobData {
  emailId: string;
  /** The slot this job was scheduled for; a job whose slot no longer matches is stale. */
  slot: string;
}

/**
 * Longer than anything a send may legitimately take: link downloads (30 s each) plus the SMTP
 * transaction, whose final reply may take 10 minutes (RFC 5321 §4.5.3.2.6, container.ts).
 */
const LEASE_MS = 20 * 60_000;

export interface SendDeps {
  db: Db;
  log: Logger;
  queue: JobQueue;
  retry: { baseMs: number; maxAttempts: number };
  /** A (possibly reused) transport for the mailbox; `releaseTransport(id, true)` after an error. */
  transportFor(mailbox: MailboxRow): MailTransport;
  releaseTransport(mailboxId: string, broken: boolean): void;
  saveToSent(mailbox: MailboxRow, raw: Buffer, messageId: string): Promise<{ appended: boolean; folder: string } | null>;
  fetchLinkAttachment(url: string, filename?: string): Promise<AttachmentFile>;
  openPixelUrl(emailId: string): string;
  /** The hidden link only scanners follow (tracking/honeypot.ts). */
  honeypotUrl(emailId: string): string;
  triggers: TriggerRunner;
}

export async function scheduleSend(queue: JobQueue, emailId: string, slot: Date): Promise<void> {
  await queue.schedule<SendJobData>(SEND_JOB, { emailId, slot: slot.toISOString() }, slot);
}

type Claim =
  | { kind: 'send'; email: EmailRow; mailbox: MailboxRow }
  | { kind: 'reschedule'; emailId: string; slot: Date }
  | { kind: 'nothing' };

/**
 * Whoever holds the mailbox's in-flight send also sends whatever else of that mailbox is due
 * (see runSendJob): so a job that finds the mailbox busy just stops, and when pacing says
 * "not yet", only the earliest due email gets a new time — no herd of jobs re-polling.
 */
async function decide(tx: Queryable, mailbox: MailboxRow, email: EmailRow): Promise<Claim> {
  if (mailbox.deleted_at) {
    // Nothing leaves a deleted mailbox, also mail that was back in the queue for a retry.
    await tx.query("UPDATE emails SET status = 'cancelled', lease_until = NULL, updated_at = now() WHERE id = $1", [email.id]);
    await addEvent(tx, email.id, email.account_id, 'cancelled', { reason: 'mailbox deleted' });
    return { kind: 'nothing' };
  }
  const decision = await canSendNow(tx, mailbox);
  if (decision.ok) {
    await tx.query(
      `UPDATE emails SET status = 'sending', attempts = attempts + 1, lease_until = $2, updated_at = now() WHERE id = $1`,
      [email.id, new Date(Date.now() + LEASE_MS)],
    );
    await addEvent(tx, email.id, email.account_id, 'sending', { attempt: email.attempts + 1 });
    return { kind: 'send', email: { ...email, attempts: email.attempts + 1 }, mailbox };
  }
  // Paused mailboxes keep their emails queued with no job; resuming reschedules them.
  if (!('notBefore' in decision)) return { kind: 'nothing' };
  const slot = decision.notBefore;
  await tx.query('UPDATE emails SET not_before = $2, updated_at = now() WHERE id = $1', [email.id, slot]);
  return { kind: 'reschedule', emailId: email.id, slot };
}

async function claimById(deps: SendDeps, data: SendJobData): Promise<Claim> {
  return withTransaction(deps.db, async (tx) => {
    const peek = await tx.query<{ mailbox_id: string }>('SELECT mailbox_id FROM emails WHERE id = $1', [data.emailId]);
    const mailboxId = peek.rows[0]?.mailbox_id;
    if (!mailboxId) return { kind: 'nothing' };
    // Lock order everywhere: mailbox, then email. The mailbox lock serialises claims across processes.
    const mailbox = (await tx.query<MailboxRow>('SELECT * FROM mailboxes WHERE id = $1 FOR UPDATE', [mailboxId])).rows[0];
    const email = await lockEmail(tx, data.emailId);
    if (!mailbox || !email || email.status !== 'queued') return { kind: 'nothing' };
    if (email.not_before.toISOString() !== data.slot) return { kind: 'nothing' }; // superseded by a newer job
    return decide(tx, mailbox, email);
  });
}

/** The earliest due email of the mailbox, if the mailbox may send now. */
async function claimNextDue(deps: SendDeps, mailboxId: string): Promise<Claim> {
  return withTransaction(deps.db, async (tx) => {
    const mailbox = (await tx.query<MailboxRow>('SELECT * FROM mailboxes WHERE id = $1 FOR UPDATE', [mailboxId])).rows[0];
    if (!mailbox) return { kind: 'nothing' };
    const next = await tx.query<EmailRow>(
      `SELECT * FROM emails WHERE mailbox_id = $1 AND status = 'queued' AND not_before <= now()
       ORDER BY not_before, created_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [mailboxId],
    );
    const email = next.rows[0];
    if (!email) return { kind: 'nothing' };
    return decide(tx, mailbox, email);
  });
}

export async function runSendJob(deps: SendDeps, data: SendJobData): Promise<void> {
  let c = await claimById(deps, data);
  while (c.kind === 'send') {
    await sendClaimed(deps, c.email, c.mailbox);
    c = await claimNextDue(deps, c.mailbox.id);
  }
  if (c.kind === 'reschedule') await scheduleSend(deps.queue, c.emailId, c.slot);
}

async function sendClaimed(deps: SendDeps, email: EmailRow, mailbox: MailboxRow): Promise<void> {
  const log = deps.log.child({ emailId: email.id, mailboxId: mailbox.id });

  let message: OutgoingMessage;
  try {
    message = await buildMessage(deps, email, mailbox);
  } catch (err) {
    // A link attachment that cannot be fetched or is refused: a permanent problem of this email.
    await finishFailed(deps, email, mailbox, 'ATTACHMENT', (err as Error).message);
    return;
  }

  const transport = deps.transportFor(mailbox);
  let result: Awaited<ReturnType<MailTransport['send']>>;
  try {
    result = await transport.send(message);
  } catch (err) {
    deps.releaseTransport(mailbox.id, true);
    const k = classifySmtpError(err);
    log.warn({ kind: k.kind, responseCode: k.responseCode }, 'send failed');
    if (k.kind === 'auth') return pauseForAuth(deps, email, mailbox, k.serverText, k.hint);
    // Recipients refused one by one, or deferred ones of a mail others have (recipient-outcome.ts).
    const settled = await settleFailure(deps, email, err, k);
    if (settled.next === 'retry') return retryLater(deps, email, mailbox, settled.retry);
    if (settled.next === 'sent') return afterOutcome(deps, email.id, 'sent');
    if (k.kind === 'transient' && email.attempts < deps.retry.maxAttempts) return retryLater(deps, email, mailbox, k);
    await finishFailed(deps, email, mailbox, k.responseCode ? String(k.responseCode) : k.kind.toUpperCase(), k.serverText, k.hint);
    return;
  }
  deps.releaseTransport(mailbox.id, false);
  // Some recipients deferred at RCPT: retried alone; Sent gets its copy at the first delivery.
  const partial = await recordPartialDelivery(deps, email, result);
  if (partial) {
    if (partial.firstDelivery) await fileInSent(deps, email, mailbox, result.raw);
    return retryLater(deps, email, mailbox, partial.retry);
  }

  await withTransaction(deps.db, async (tx) => {
    await tx.query(
      `UPDATE emails SET status = 'sent', sent_at = now(), lease_until = NULL, smtp_response = $2,
         error_code = NULL, error_text = NULL, updated_at = now() WHERE id = $1`,
      [email.id, result.response],
    );
    await tx.query('UPDATE mailboxes SET last_send_at = now() WHERE id = $1', [mailbox.id]);
    await addEvent(tx, email.id, email.account_id, 'sent', {
      response: result.response,
      ...deliveryDetails(result),
    });
  });
  log.info({ recipients: email.to_addresses.map(maskEmail) }, 'email sent');
  await fileInSent(deps, email, mailbox, result.raw);
  await afterOutcome(deps, email.id, 'sent');
}

/** Trigger points of the outcome; a failure here never changes the email's status. */
async function afterOutcome(deps: SendDeps, emailId: string, point: 'sent' | 'failed', vars?: Record<string, string>): Promise<void> {
  // Each step on its own: a failure of one must not lose the other, and never changes the
  // email's status. The recovery sweep repeats whatever did not happen (email-automation.ts).
  try {
    await fireEmailPoint(deps.db, deps.triggers, emailId, point, vars);
  } catch (err) {
    deps.log.error({ err, emailId, point }, 'firing trigger point failed');
  }
  if (point !== 'sent') return;
  try {
    const e = (await deps.db.query<{ id: string; not_opened_after_seconds: number | null; sent_at: Date }>(
      'SELECT id, not_opened_after_seconds, sent_at FROM emails WHERE id = $1',
      [emailId],
    )).rows[0];
    if (e) await scheduleNotOpened(deps.queue, e, e.sent_at);
  } catch (err) {
    deps.log.error({ err, emailId }, 'scheduling the not-opened timer failed');
  }
}

async function buildMessage(deps: SendDeps, email: EmailRow, mailbox: MailboxRow): Promise<OutgoingMessage> {
  const stored = await loadAttachmentFiles(deps.db, { emailId: email.id });
  // Link attachments are downloaded at send time (the file behind the link may change).
  const linked = [];
  let total = stored.reduce((n, a) => n + a.content.length, 0);
  for (const l of email.link_attachments) {
    const f = await deps.fetchLinkAttachment(l.url, l.filename);
    total += f.content.length;
    if (total > MAX_EMAIL_ATTACHMENTS_BYTES) {
      throw new Error(`attachments would total ${(total / 1048576).toFixed(1)} MB with ${f.filename}; an email may carry at most 100 MB`);
    }
    linked.push(f);
  }
  return {
    from: { name: mailbox.from_name, address: mailbox.from_address },
    replyTo: mailbox.reply_to ?? undefined,
    to: email.to_addresses,
    cc: email.cc_addresses,
    bcc: email.bcc_addresses,
    subject: email.subject,
    html: insertHoneypot(insertOpenPixel(email.body_html, deps.openPixelUrl(email.id)), deps.honeypotUrl(email.id)),
    // From the HTML as rendered (what the preview showed), without the hidden honeypot link.
    text: htmlToText(email.body_html),
    ...envelopeFor(email),
    attachments: [...stored, ...linked].map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
    messageId: email.message_id,
    headers: { 'X-Leadmail-Email-Id': email.id },
  };
}

async function fileInSent(deps: SendDeps, email: EmailRow, mailbox: MailboxRow, raw: Buffer): Promise<void> {
  if (!mailbox.save_to_sent || !mailbox.imap_enabled) return;
  try {
    const r = await deps.saveToSent(mailbox, raw, email.message_id);
    if (!r) return;
    await deps.db.query('UPDATE emails SET sent_folder = $2 WHERE id = $1', [email.id, r.folder]);
    await addEvent(deps.db, email.id, email.account_id, r.appended ? 'saved_to_sent' : 'already_in_sent', { folder: r.folder });
  } catch (err) {
    // The mail is delivered; a Sent copy failing must not turn it into a failure.
    await addEvent(deps.db, email.id, email.account_id, 'save_to_sent_failed', { error: (err as Error).message });
  }
}

async function retryLater(deps: SendDeps, email: EmailRow, mailbox: MailboxRow, k: { serverText: string; retryAfterMs?: number; responseCode?: number }): Promise<void> {
  // Exponential backoff with full jitter, capped at 1 h; the server's "try again in N s" wins when longer.
  const exp = Math.min(deps.retry.baseMs * 2 ** (email.attempts - 1), 60 * 60_000);
  const delay = Math.max(k.retryAfterMs ?? 0, exp / 2 + Math.random() * (exp / 2));
  const slot = await withTransaction(deps.db, async (tx) => {
    const mb = (await tx.query<MailboxRow>('SELECT * FROM mailboxes WHERE id = $1 FOR UPDATE', [mailbox.id])).rows[0] ?? mailbox;
    const s = await reserveSlot(tx, mb, new Date(Date.now() + delay));
    await tx.query(
      `UPDATE emails SET status = 'queued', lease_until = NULL, not_before = $2, error_code = $3, error_text = $4, updated_at = now()
       WHERE id = $1 AND status = 'sending'`,
      [email.id, s, k.responseCode ? String(k.responseCode) : 'TRANSIENT', k.serverText],
    );
    await tx.query('UPDATE mailboxes SET last_send_at = now() WHERE id = $1', [mailbox.id]);
    await addEvent(tx, email.id, email.account_id, 'retry_scheduled', { attempt: email.attempts, at: s.toISOString(), error: k.serverText });
    return s;
  });
  await scheduleSend(deps.queue, email.id, slot);
}

async function pauseForAuth(deps: SendDeps, email: EmailRow, mailbox: MailboxRow, serverText: string, hint: string): Promise<void> {
  await withTransaction(deps.db, async (tx) => {
    // The attempt did not count against the email: the mailbox, not the message, is at fault.
    await tx.query(
      `UPDATE emails SET status = 'queued', attempts = attempts - 1, lease_until = NULL, error_code = 'AUTH', error_text = $2,
         updated_at = now() WHERE id = $1 AND status = 'sending'`,
      [email.id, serverText],
    );
    await mailboxes.pauseMailbox(tx, mailbox.id, `SMTP authentication failed: ${serverText}`, {
      status: 'red',
      checkedAt: new Date().toISOString(),
      smtp: { ok: false, kind: 'auth', serverText, hint },
      imap: { ok: false, skipped: true },
    });
    await addEvent(tx, email.id, email.account_id, 'mailbox_paused', { error: serverText });
  });
}

async function finishFailed(deps: SendDeps, email: EmailRow, mailbox: MailboxRow, code: string, text: string, hint?: string): Promise<void> {
  await withTransaction(deps.db, async (tx) => {
    await tx.query(
      `UPDATE emails SET status = 'failed', lease_until = NULL, error_code = $2, error_text = $3, updated_at = now()
       WHERE id = $1 AND status = 'sending'`,
      [email.id, code, text],
    );
    await tx.query('UPDATE mailboxes SET last_send_at = now() WHERE id = $1', [mailbox.id]);
    await addEvent(tx, email.id, email.account_id, 'failed', { code, error: text, ...(hint ? { hint } : {}) });
  });
  await afterOutcome(deps, email.id, 'failed', { error: text, error_code: code });
}
