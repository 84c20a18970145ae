/**
 * The `email.drain` job: one per mailbox, not one per mail (issue 7 §2). It claims the mailbox's
 * due mail under the mailbox's row lock — in batches for a mailbox without a pace limit, one at a
 * time for a paced one, priority first (a card send overtakes a draining mailing) — sends it over
 * SMTP, records each outcome (send-outcome.ts), files a copy in the Sent folder over IMAP, and
 * goes on until nothing is due; then it schedules itself for the next due mail or pacing slot.
 *
 * Exactly-once rules: the claim flips `queued → sending` in a transaction that holds the mailbox
 * row, finds nothing of the mailbox in flight, and names this process as the owner
 * (infra/queue/instance.ts). Only that owner may finish the send. A process that dies mid-send
 * stops its heartbeat; within seconds a peer or its restart takes the send over and settles it
 * as `sent` (found in the Sent folder) or `unknown` — never resent automatically
 * (interrupted-sends.ts). Several processes may run drains of one mailbox: the mailbox lock and
 * the "nothing in flight" check let only one of them claim at a time, and the spacing is
 * measured from the previous send's end in the database clock (pacing.ts).
 *
 * A mailbox without a pace limit keeps up to SMTP_UNPACED_PARALLEL messages in flight, counted
 * in the database (`sending` rows of every process) under the mailbox lock, so a claim is never
 * more than there are free places — and never more than the daily cap's room — and a claimed
 * mail is handed to its own pooled connection at once. Its `sent` outcome is group-committed
 * with the others of the drain (sent-log.ts); the place it held is free again only once that
 * write has committed, and that same transaction claims the mails that fill the freed places
 * (a refill), which start when it commits. A crash therefore leaves `unknown` only mails that
 * were on a connection or delivered and waiting for their commit — what was in flight — never a
 * claimed batch.
 *
 * Why a burst of sends once froze a mailbox (issue 6 §3; test/emails/burst.test.ts): a send's
 * "sent" transaction locked the email and then the mailbox while a claim held the mailbox and
 * waited for that email; PostgreSQL aborted one side and a delivered mail stayed `sending`. Now
 * every transaction locks the mailbox before the email (send-outcome.ts), and a send left
 * `sending` by any exception is settled by the heartbeat sweep instead of waiting for a lease.
 * Drains as a kind are capped below the queue's total concurrency (container.ts), so timers,
 * tracking and pipeline jobs keep running while slow SMTP servers hold every send worker.
 */
import type { Logger } from '../../infra/log/logger.js';
import { withTransaction, type Db, type Queryable } from '../../infra/db/db.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import { ServerInstance } from '../../infra/queue/instance.js';
import type { MailTransport, OutgoingMessage } from '../../infra/smtp/mail-transport.js';
import { classifySmtpError } from '../../infra/smtp/classify-send-error.js';
import { loadEmailFiles, type AttachmentFile } from './email-files.js';
import type { MailboxRow } from '../mailboxes/mailboxes.repository.js';
import type { EmailRow } from './emails.repository.js';
import { canSendNow, CLOCK_SQL, isUnpaced } from './pacing.js';
import { MAX_EMAIL_ATTACHMENTS_BYTES } from '../../../shared/schemas/template.js';
import { insertOpenPixel } from '../tracking/open-pixel.js';
import { insertHoneypot } from '../tracking/honeypot.js';
import type { TriggerRunner } from '../automation/automation.port.js';
import { htmlToText } from '../templates/render/html-to-text.js';
import { envelopeFor, recordPartialDelivery, settleFailure } from './recipient-outcome.js';
import { maskEmail } from '../../infra/log/logger.js';
import { afterOutcome, fileInSent, filesInSent, lockMailbox, pauseForAuth, recordFailed, recordSent, retryLater, type Claimed } from './send-outcome.js';
import { scheduleDrain, type DrainJobData } from './send-schedule.js';
import { createSentLog, type Refill, type SentLog } from './sent-log.js';
import { DEFAULT_SMTP_UNPACED_PARALLEL } from '../../infra/config/config.js';
import { settleLostReply, wakeMailbox } from './interrupted-sends.js';
import { applySendChecks, type PreSendGuard } from './send-conditions.js';

export { DRAIN_JOB, scheduleDrain, type DrainJobData } from './send-schedule.js';

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
  /** Messages in flight at once for a mailbox without a pace limit (SMTP_UNPACED_PARALLEL). */
  unpacedParallel: number;
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
  /** mailboxes: turns the mailbox red and pauses it (SMTP 535), in the caller's transaction. */
  pauseMailbox(tx: Queryable, mailboxId: string, reason: string, checkResult: unknown): Promise<void>;
  /** Asked about claimed mails queued with a send-time condition (a reminder's): send-conditions.ts. */
  preSend?: PreSendGuard;
}

/**
 * The default number of messages in flight at once for a mailbox without a pace limit
 * (SMTP_UNPACED_PARALLEL; its SMTP pool has as many connections). A claim takes only as many
 * mails as there are free places, and a place is free again only once the outcome of its send is
 * recorded, so what a crash leaves `unknown` is what was really in flight (on a connection, or
 * delivered and waiting for its outcome's commit), never a claimed batch that had not started.
 */
export const UNPACED_PARALLEL = DEFAULT_SMTP_UNPACED_PARALLEL;

type DrainDeps = SendDeps & { sentLog: SentLog };

/** A claimed email and what its send needs to know without reading again. */
export type DrainRow = EmailRow & { has_triggers: boolean; has_files: boolean; send_check: boolean; delivered_recipients?: string[] | null };

type Claim =
  | { kind: 'send'; emails: DrainRow[]; mailbox: MailboxRow }
  /** Nothing may leave yet: drain again in `inMs` (database clock distance). */
  | { kind: 'later'; inMs: number }
  | { kind: 'nothing' };

/**
 * One claim of the drain, under the mailbox row lock (lock order everywhere: mailbox, then email):
 * nothing while a send of the mailbox is in flight (its holder drains on), nothing before the
 * spacing, never more than the daily cap's room; then the due mails in priority order, flipped
 * `queued → sending` with this process as their owner in one statement (SKIP LOCKED: a cancel
 * holding a row is not waited for). Claimed mails with a send-time condition (a reminder's) are
 * put to it in the same transaction; those refused end there (send-conditions.ts).
 */
async function claimBatch(deps: SendDeps, mailboxId: string): Promise<Claim> {
  const added: string[] = [];
  return withTransaction(deps.db, (tx) => claimIn(deps, tx, mailboxId, added)).catch((err: unknown) => {
    for (const id of added) deps.inFlight.delete(id); // the claim did not commit
    throw err;
  });
}

/** `locked`: the mailbox row, when the caller's transaction has locked it already (a refill, sent-log.ts). */
async function claimIn(deps: SendDeps, tx: Queryable, mailboxId: string, added: string[], locked?: MailboxRow | null): Promise<Claim> {
  {
    const mailbox = locked !== undefined ? locked : await lockMailbox(tx, mailboxId);
    if (!mailbox) return { kind: 'nothing' };
    if (mailbox.deleted_at) {
      // Nothing leaves a deleted mailbox, also mail that was back in the queue for a retry.
      const gone = await tx.query<{ id: string; account_id: number }>(
        "UPDATE emails SET status = 'cancelled', lease_until = NULL, updated_at = now() WHERE mailbox_id = $1 AND status = 'queued' RETURNING id, account_id",
        [mailboxId],
      );
      if (gone.rowCount) {
        await tx.query(
          `INSERT INTO email_events (email_id, account_id, type, data) SELECT e, a, 'cancelled', '{"reason":"mailbox deleted"}'::jsonb
           FROM unnest($1::uuid[], $2::bigint[]) AS x(e, a)`,
          [gone.rows.map((r) => r.id), gone.rows.map((r) => r.account_id)],
        );
      }
      return { kind: 'nothing' };
    }
    // The mail in flight, the earliest queued mail, and whether this process's own heartbeat is
    // fresh, in one read under the mailbox lock.
    const next = await tx.query<{ now: Date; in_flight: number; due: boolean | null; in_ms: number | null; alive: boolean }>(
      `SELECT ${CLOCK_SQL}, n.due, n.in_ms, ${ServerInstance.aliveSql('$2::uuid', '$3')} AS alive FROM (SELECT 1) one
       LEFT JOIN LATERAL (SELECT not_before <= now() AS due, greatest(0, extract(epoch FROM (not_before - now())) * 1000)::float8 AS in_ms
                          FROM emails WHERE mailbox_id = $1 AND status = 'queued' ORDER BY not_before LIMIT 1) n ON true`,
      [mailboxId, deps.instanceId, deps.deadAfterMs / 2],
    );
    const decision = await canSendNow(tx, mailbox, isUnpaced(mailbox) ? deps.unpacedParallel : 1, next.rows[0]!);
    // Paused: the mail stays queued with no drain; resuming wakes the mailbox. Busy: the holder
    // of the in-flight send claims on after it.
    if (!decision.ok && !('notBefore' in decision)) return { kind: 'nothing' };
    const first = next.rows[0]!;
    if (first.due === null) return { kind: 'nothing' };
    if (!decision.ok) return { kind: 'later', inMs: Math.max(first.in_ms!, decision.notBefore.inMs) };
    if (!first.due) return { kind: 'later', inMs: first.in_ms! };
    // A process whose own heartbeat is failing (its peers may soon call it dead) claims nothing:
    // a healthy process, or this one once its heartbeat is back, wakes the mailbox instead.
    if (!first.alive) {
      deps.log.warn({ mailboxId }, 'not claiming: this process’s heartbeat is late');
      return { kind: 'nothing' };
    }
    const n = decision.room;
    // The claim and its history lines in one statement; what the send will need to know
    // (stored files, trigger points) comes back with it, so a plain mail costs no extra reads.
    const claimed = await tx.query<DrainRow>(
      `WITH c AS (
         UPDATE emails e SET status = 'sending', attempts = e.attempts + 1, owner_instance = $3, lease_until = NULL, updated_at = now()
         WHERE e.id IN (SELECT id FROM emails WHERE mailbox_id = $1 AND status = 'queued' AND not_before <= now()
                        ORDER BY priority, not_before, created_at LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING e.*),
       -- A mail with a send-time condition gets its line once the condition let it go (send-conditions.ts).
       ev AS (
         INSERT INTO email_events (email_id, account_id, type, data)
         SELECT id, account_id, 'sending', jsonb_build_object('attempt', attempts, 'instance', $3::text) FROM c WHERE NOT c.send_check),
       -- A mailbox without a pace limit does not write its row per recorded send (send-outcome.ts):
       -- its last send is stamped here, where the row is locked anyway.
       m AS (UPDATE mailboxes SET last_send_at = now() WHERE id = $1 AND $4 AND EXISTS (SELECT 1 FROM c))
       SELECT c.*,
         EXISTS (SELECT 1 FROM email_triggers t WHERE t.email_id = c.id) AS has_triggers,
         EXISTS (SELECT 1 FROM attachments a WHERE a.email_id = c.id) OR EXISTS (SELECT 1 FROM email_attachment_refs r WHERE r.email_id = c.id) AS has_files
       FROM c`,
      [mailboxId, n, deps.instanceId, isUnpaced(mailbox)],
    );
    if (!claimed.rowCount) return { kind: 'nothing' };
    // A reminder's mail whose recipient responded meanwhile ends here, in this transaction, before
    // any SMTP traffic; a claim without such mails asks nothing (send-conditions.ts).
    const going = await applySendChecks(tx, deps.preSend, claimed.rows, mailbox, deps.instanceId);
    // In the set before the claim commits: the sweep never mistakes a fresh claim for a stray one.
    for (const e of going) {
      deps.inFlight.add(e.id);
      added.push(e.id);
    }
    // Sent in priority order (RETURNING keeps none).
    // Nothing left to send (all refused): the drain claims again at once.
    const rows = going.sort((x, y) => x.priority - y.priority || x.not_before.getTime() - y.not_before.getTime() || x.created_at.getTime() - y.created_at.getTime());
    return { kind: 'send', emails: rows, mailbox };
  }
}

/**
 * The `email.drain` job of one mailbox: claim what is due, send it (up to SMTP_UNPACED_PARALLEL
 * at once over the pooled connections of a mailbox without a pace limit — the places freed while
 * a claim runs are claimed together by the next — one at a time otherwise), record every
 * outcome (group-committed for a mailbox without a pace limit), and go on until nothing is due;
 * then schedule itself for the next due mail or pacing slot.
 */
export async function runDrainJob(base: SendDeps, data: DrainJobData): Promise<void> {
  const running = new Set<Promise<void>>();
  let claiming = true;
  const start = (c: Claim): void => {
    if (c.kind !== 'send') return;
    for (const email of c.emails) {
      const p: Promise<void> = sendOne(deps, email, c.mailbox).finally(() => running.delete(p));
      running.add(p);
    }
  };
  // The places of recorded mails are claimed again in the transaction that records them (sent-log.ts).
  let refilled: { added: string[]; mailbox: MailboxRow | null } = { added: [], mailbox: null };
  const refill: Refill<Claim> = {
    active: () => claiming && !base.queue.stopping,
    lock: async (tx) => {
      refilled = { added: [], mailbox: (await lockMailbox(tx, data.mailboxId)) ?? null };
    },
    claim: (tx) => claimIn(base, tx, data.mailboxId, refilled.added, refilled.mailbox),
    committed: start,
    rolledBack: () => {
      for (const id of refilled.added) base.inFlight.delete(id);
    },
  };
  // The drain's `sent` outcomes of a mailbox without a pace limit share their writes (sent-log.ts).
  const deps: DrainDeps = { ...base, sentLog: createSentLog(base.db, base.instanceId, refill) };
  try {
    for (;;) {
      if (deps.queue.stopping) {
        // Shutting down: finish what is in flight only, and leave the rest of the mailbox to a
        // drain that another process (or this one's restart) picks up.
        claiming = false;
        await Promise.all(running);
        await wakeMailbox(deps.db, deps.queue, data.mailboxId);
        return;
      }
      const c = await claimBatch(deps, data.mailboxId);
      if (c.kind === 'send') {
        start(c);
        if (!isUnpaced(c.mailbox)) await Promise.all(running);
        // The refills keep the places taken while there is due mail; claim here when they did not.
        else while (running.size >= deps.unpacedParallel) await Promise.race(running);
        continue;
      }
      // Own sends still in flight: claim again when one of them ends.
      if (running.size) {
        await Promise.race(running);
        continue;
      }
      if (c.kind === 'later') await scheduleDrain(deps.db, deps.queue, data.mailboxId, c.inMs);
      return;
    }
  } finally {
    claiming = false;
    // A refill committing meanwhile adds to `running`: wait until nothing is left.
    while (running.size) await Promise.all(running);
  }
}

async function sendOne(deps: DrainDeps, email: DrainRow, mailbox: MailboxRow): Promise<void> {
  try {
    await sendClaimed(deps, { email, mailbox });
  } catch (err) {
    // Left `sending`: the heartbeat sweep settles it as a stray claim (interrupted-sends.ts).
    deps.log.error({ err, emailId: email.id }, 'send failed unexpectedly');
  } finally {
    // Whatever happened, the row is no longer being worked on here.
    deps.inFlight.delete(email.id);
  }
}

async function sendClaimed(deps: DrainDeps, c: Claimed): Promise<void> {
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
    // The reply to the final dot was lost: maybe delivered, so never retried (interrupted-sends.ts).
    if (k.kind === 'unknown') return settleLostReply(deps, c, k.serverText);
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

  const won = await recordSent(deps, c, result);
  if (!won) return;
  log.info({ recipients: email.to_addresses.map(maskEmail) }, 'email sent');
  await fileInSent(deps, c, result.raw);
  await afterOutcome(deps, email.id, 'sent', undefined, won === true ? {} : won);
}

async function buildMessage(deps: SendDeps, email: Claimed['email'], mailbox: MailboxRow): Promise<OutgoingMessage> {
  // The claim said whether the mail has stored files: most mailing mails have none to read.
  const stored = email.has_files === false ? [] : await loadEmailFiles(deps.db, email.id);
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
    keepRaw: filesInSent(mailbox),
  };
}
