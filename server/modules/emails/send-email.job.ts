/**
 * The `email.send` job: claim one queued email under the mailbox's row lock, send it over SMTP,
 * record the outcome (send-outcome.ts), then file a copy in the mailbox's Sent folder over IMAP.
 *
 * Exactly-once rules: the claim flips `queued → sending` in a transaction that also checks the
 * job is the current one for that email (its slot matches), and names this process as the owner
 * (infra/queue/instance.ts). Only that owner may finish the send. A process that dies mid-send
 * stops its heartbeat; within seconds a peer or its restart takes the send over and settles it
 * as `sent` (found in the Sent folder) or `unknown` — never resent automatically
 * (interrupted-sends.ts).
 *
 * Whoever holds a mailbox's in-flight send also sends whatever else of that mailbox is due (the
 * loop in runSendJob): one worker per busy mailbox, and a job that finds its mailbox busy leaves
 * at once, without queueing on the mailbox row lock. Send jobs as a kind are capped below the
 * queue's total concurrency (container.ts), so timers, tracking and pipeline jobs keep running
 * while slow SMTP servers hold every send worker.
 *
 * Why a burst of sends once froze a mailbox (issue 6 §3; test/emails/burst.test.ts): mail B,
 * queued while mail A was in flight, is claimed by A's job right after A (the loop below), while
 * B's own job wakes at the same moment. B's job took the mailbox row lock and then waited for
 * B's row; the "sent" transaction of B had already updated B's row and then waited for the
 * mailbox row (email first, mailbox second). PostgreSQL broke that deadlock after
 * deadlock_timeout by aborting one side; when it chose the "sent" transaction, B stayed
 * `sending` although the SMTP server had accepted it, no "sent" was logged, the pooled
 * connection sat idle, and every later job found the mailbox busy until B's 20-minute lease
 * ran out. Now every transaction locks the mailbox before the email (send-outcome.ts), a job
 * that finds its mailbox busy leaves without touching the mailbox lock, and a send left
 * `sending` by any exception is settled by the heartbeat sweep instead of waiting for a lease.
 *
 * Issue 7 (one drain job per mailbox, batch claims with FOR UPDATE SKIP LOCKED) can build on
 * this: the loop in runSendJob already is a per-mailbox drain; what remains is to schedule one
 * job per mailbox instead of one per mail, and to claim several due mails per transaction.
 */
import type { Logger } from '../../infra/log/logger.js';
import { withTransaction, type Db, type Queryable } from '../../infra/db/db.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import { ServerInstance } from '../../infra/queue/instance.js';
import type { MailTransport, OutgoingMessage } from '../../infra/smtp/mail-transport.js';
import { classifySmtpError } from '../../infra/smtp/classify-send-error.js';
import type { AttachmentFile } from '../attachments.repository.js';
import { loadAttachmentFiles } from '../attachments.repository.js';
import type { MailboxRow } from '../mailboxes/mailboxes.repository.js';
import { addEvent, lockEmail, type EmailRow } from './emails.repository.js';
import { canSendNow, type Slot } from './pacing.js';
import { MAX_EMAIL_ATTACHMENTS_BYTES } from '../../../shared/schemas/template.js';
import { insertOpenPixel } from '../tracking/open-pixel.js';
import { insertHoneypot } from '../tracking/honeypot.js';
import type { TriggerRunner } from '../automation/automation.port.js';
import { htmlToText } from '../templates/render/html-to-text.js';
import { envelopeFor, recordPartialDelivery, settleFailure } from './recipient-outcome.js';
import { maskEmail } from '../../infra/log/logger.js';
import { afterOutcome, fileInSent, lockMailbox, pauseForAuth, recordFailed, recordSent, retryLater, type Claimed } from './send-outcome.js';
import { scheduleSend, type SendJobData } from './send-schedule.js';
import { wakeMailbox } from './interrupted-sends.js';

export { SEND_JOB, scheduleSend, type SendJobData } from './send-schedule.js';

export interface SendDeps {
  db: Db;
  log: Logger;
  queue: JobQueue;
  /** This process: the owner named on every claim (queue.instance.id). */
  instanceId: string;
  /** When a silent process counts as dead (INSTANCE_DEAD_AFTER_MS). */
  deadAfterMs: number;
  /**
   * Ids this process is sending right now. A `sending` row of ours that is not here was left by a
   * job that threw half-way; the heartbeat sweep settles it like a dead process's.
   */
  inFlight: Set<string>;
  retry: { baseMs: number; maxAttempts: number };
  /** A (possibly reused) transport for the mailbox; `releaseTransport(id, true)` after an error. */
  transportFor(mailbox: MailboxRow): MailTransport;
  releaseTransport(mailboxId: string, broken: boolean): void;
  saveToSent(mailbox: MailboxRow, raw: Buffer, messageId: string): Promise<{ appended: boolean; folder: string } | null>;
  /** null when the mailbox has no IMAP settings. */
  findInSent(mailbox: MailboxRow, messageId: string): Promise<{ found: boolean; folder: string } | null>;
  fetchLinkAttachment(url: string, filename?: string): Promise<AttachmentFile>;
  openPixelUrl(emailId: string): string;
  /** The hidden link only scanners follow (tracking/honeypot.ts). */
  honeypotUrl(emailId: string): string;
  triggers: TriggerRunner;
}

type Claim =
  | { kind: 'send'; email: EmailRow; mailbox: MailboxRow }
  | { kind: 'reschedule'; emailId: string; slot: Slot }
  | { kind: 'nothing' };

/** When pacing says "not yet", only the earliest due email gets a new time — no herd of jobs re-polling. */
async function decide(deps: SendDeps, tx: Queryable, mailbox: MailboxRow, email: EmailRow): Promise<Claim> {
  if (mailbox.deleted_at) {
    // Nothing leaves a deleted mailbox, also mail that was back in the queue for a retry.
    await tx.query("UPDATE emails SET status = 'cancelled', lease_until = NULL, updated_at = now() WHERE id = $1", [email.id]);
    await addEvent(tx, email.id, email.account_id, 'cancelled', { reason: 'mailbox deleted' });
    return { kind: 'nothing' };
  }
  const decision = await canSendNow(tx, mailbox);
  if (decision.ok) {
    // A process whose own heartbeat is failing (its peers may soon call it dead) claims nothing:
    // a healthy process, or this one once its heartbeat is back, wakes the mailbox instead.
    const alive = await tx.query(`SELECT 1 WHERE ${ServerInstance.aliveSql('$1::uuid', '$2')}`, [deps.instanceId, deps.deadAfterMs / 2]);
    if (!alive.rowCount) {
      deps.log.warn({ emailId: email.id }, 'not claiming: this process’s heartbeat is late');
      return { kind: 'nothing' };
    }
    // In the set before the claim commits: the sweep never mistakes a fresh claim for a stray one.
    deps.inFlight.add(email.id);
    await tx.query(
      `UPDATE emails SET status = 'sending', attempts = attempts + 1, owner_instance = $2, lease_until = NULL, updated_at = now()
       WHERE id = $1`,
      [email.id, deps.instanceId],
    );
    await addEvent(tx, email.id, email.account_id, 'sending', { attempt: email.attempts + 1, instance: deps.instanceId });
    return { kind: 'send', email: { ...email, attempts: email.attempts + 1 }, mailbox };
  }
  // Paused mailboxes keep their emails queued with no job; resuming reschedules them. A busy
  // one: its in-flight holder sends this email after its own (runSendJob).
  if (!('notBefore' in decision)) return { kind: 'nothing' };
  const slot = decision.notBefore;
  await tx.query('UPDATE emails SET not_before = $2, updated_at = now() WHERE id = $1', [email.id, slot.at]);
  return { kind: 'reschedule', emailId: email.id, slot };
}

async function claimById(deps: SendDeps, data: SendJobData): Promise<Claim> {
  return withTransaction(deps.db, async (tx) => {
    const peek = await tx.query<{ mailbox_id: string; status: string; not_before: Date; now: Date; busy: boolean }>(
      `SELECT e.mailbox_id, e.status, e.not_before, now() AS now,
              EXISTS (SELECT 1 FROM emails s WHERE s.mailbox_id = e.mailbox_id AND s.status = 'sending') AS busy
       FROM emails e WHERE e.id = $1`,
      [data.emailId],
    );
    const p = peek.rows[0];
    if (!p || p.status !== 'queued' || p.not_before.toISOString() !== data.slot) return { kind: 'nothing' };
    // Woken before its slot by the database's clock (this process's clock runs ahead): wait again.
    if (p.not_before > p.now) return { kind: 'reschedule', emailId: data.emailId, slot: { at: p.not_before, inMs: p.not_before.getTime() - p.now.getTime() } };
    // Busy and due: the holder of the in-flight send takes this one next; leave without waiting
    // on the mailbox lock, so a busy mailbox holds one worker, not every worker that wakes for it.
    if (p.busy) return { kind: 'nothing' };
    // Lock order everywhere: mailbox, then email. The mailbox lock serialises claims across processes.
    const mailbox = await lockMailbox(tx, p.mailbox_id);
    const email = await lockEmail(tx, data.emailId);
    if (!mailbox || !email || email.status !== 'queued') return { kind: 'nothing' };
    if (email.not_before.toISOString() !== data.slot) return { kind: 'nothing' }; // superseded by a newer job
    return decide(deps, tx, mailbox, email);
  });
}

/** The earliest due email of the mailbox, if the mailbox may send now. */
async function claimNextDue(deps: SendDeps, mailboxId: string): Promise<Claim> {
  let claimedId: string | undefined;
  return withTransaction<Claim>(deps.db, async (tx) => {
    const mailbox = await lockMailbox(tx, mailboxId);
    if (!mailbox) return { kind: 'nothing' };
    const next = await tx.query<EmailRow>(
      `SELECT * FROM emails WHERE mailbox_id = $1 AND status = 'queued' AND not_before <= now()
       ORDER BY not_before, created_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [mailboxId],
    );
    const email = next.rows[0];
    if (!email) return { kind: 'nothing' };
    claimedId = email.id;
    return decide(deps, tx, mailbox, email);
  }).catch((err: unknown) => {
    // As in runSendJob's first claim: not in flight here, so the sweep settles it if it did commit.
    if (claimedId) deps.inFlight.delete(claimedId);
    throw err;
  });
}

export async function runSendJob(deps: SendDeps, data: SendJobData): Promise<void> {
  let c = await claimById(deps, data).catch((err: unknown) => {
    deps.inFlight.delete(data.emailId); // the claim did not commit
    throw err;
  });
  while (c.kind === 'send') {
    const claimed = c;
    try {
      await sendClaimed(deps, claimed);
    } finally {
      // Whatever happened, the row is no longer being worked on here: a send left `sending`
      // by an exception is settled by the heartbeat sweep (interrupted-sends.ts).
      deps.inFlight.delete(claimed.email.id);
    }
    if (deps.queue.stopping) {
      // Shutting down: finish this send only, and leave the rest of the mailbox to a job that
      // another process (or this one's restart) picks up, instead of draining it here.
      await wakeMailbox(deps.db, deps.queue, claimed.mailbox.id);
      return;
    }
    c = await claimNextDue(deps, claimed.mailbox.id);
  }
  if (c.kind === 'reschedule') await scheduleSend(deps.queue, c.emailId, c.slot);
}

async function sendClaimed(deps: SendDeps, c: Claimed): Promise<void> {
  const { email, mailbox } = c;
  const log = deps.log.child({ emailId: email.id, mailboxId: mailbox.id });

  let message: OutgoingMessage;
  try {
    message = await buildMessage(deps, email, mailbox);
  } catch (err) {
    // A link attachment that cannot be fetched or is refused: a permanent problem of this email.
    await recordFailed(deps, c, 'ATTACHMENT', (err as Error).message);
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
    if (k.kind === 'auth') return pauseForAuth(deps, c, k.serverText, k.hint);
    // Recipients refused one by one, or deferred ones of a mail others have (recipient-outcome.ts).
    const settled = await settleFailure(deps, c, err, k);
    if (settled.next === 'retry') return retryLater(deps, c, settled.retry);
    if (settled.next === 'sent') return afterOutcome(deps, email.id, 'sent');
    if (settled.next === 'lost') return;
    if (k.kind === 'transient' && email.attempts < deps.retry.maxAttempts) return retryLater(deps, c, k);
    await recordFailed(deps, c, k.responseCode ? String(k.responseCode) : k.kind.toUpperCase(), k.serverText, k.hint);
    return;
  }
  deps.releaseTransport(mailbox.id, false);
  // Some recipients deferred at RCPT: retried alone; Sent gets its copy at the first delivery.
  const partial = await recordPartialDelivery(deps, c, result);
  if (partial) {
    if (partial.firstDelivery) await fileInSent(deps, c, result.raw);
    return retryLater(deps, c, partial.retry);
  }

  if (!(await recordSent(deps, c, result))) return;
  log.info({ recipients: email.to_addresses.map(maskEmail) }, 'email sent');
  await fileInSent(deps, c, result.raw);
  await afterOutcome(deps, email.id, 'sent');
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
