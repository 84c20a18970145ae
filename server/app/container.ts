/**
 * Composition root: builds every service from config, pool, logger and secret box, wires the
 * real adapters (nodemailer, imapflow, Kommo) behind their ports, and defines the queue's jobs.
 */
import type { AppConfig } from '../infra/config/config.js';
import { kommoBaseUrl } from '../infra/config/config.js';
import type { SecretBox } from '../infra/crypto/secret-box.js';
import type { Db } from '../infra/db/db.js';
import type { Logger } from '../infra/log/logger.js';
import { JobQueue } from '../infra/queue/job-queue.js';
import type { CrmClient } from '../infra/crm/crm-client.js';
import { KommoCrmClient } from '../infra/crm/kommo.client.js';
import { CrmMetadataCache, withMetadataCache } from '../infra/crm/cached-crm.client.js';
import { PgRateLimiter } from '../infra/crm/pg-rate-limiter.js';
import { KOMMO_RATE_LIMIT, useSharedKommoRateLimiter } from '../infra/crm/rate-limiter.js';
import { createSmtpTransport } from '../infra/smtp/nodemailer.transport.js';
import { TransportCache } from '../infra/smtp/transport-cache.js';
import { createImapStore } from '../infra/imap/imapflow.store.js';
import { fetchPublicFile } from '../infra/http/safe-fetch.js';
import { AppError, ErrorCode } from '../errors.js';
import { getAccount } from '../modules/accounts/accounts.repository.js';
import { KommoTokens } from '../modules/accounts/kommo-tokens.service.js';
import { MailboxesService } from '../modules/mailboxes/mailboxes.service.js';
import { pauseMailbox } from '../modules/mailboxes/mailboxes.repository.js';
import { MailboxChecker, type MailConnectors } from '../modules/mailboxes/mailbox-check.js';
import { imapSettingsOf, smtpSettingsOf } from '../modules/mailboxes/mailbox-connection.js';
import { MailHostPolicy } from '../modules/mailboxes/mail-hosts.js';
import { TemplatesService } from '../modules/templates/templates.service.js';
import { EmailsService } from '../modules/emails/emails.service.js';
import { RECOVER_JOB, recoverQueue, rescheduleMailbox } from '../modules/emails/email-queue.js';
import { NOT_OPENED_JOB, refireMissedPoints, runNotOpenedJob } from '../modules/emails/email-automation.js';
import { runDrainJob, DRAIN_JOB, type SendDeps, type DrainJobData } from '../modules/emails/send-email.job.js';
import { settleInterruptedSendsOnHeartbeat, wakeQueuedMailboxes } from '../modules/emails/interrupted-sends.js';
import { afterOutcome } from '../modules/emails/send-outcome.js';
import { openPixelUrl } from '../modules/tracking/open-pixel.js';
import { clickToken, clickUrl, HONEYPOT_LINK_ID } from '../modules/tracking/click-token.js';
import { TrackingService } from '../modules/tracking/tracking.service.js';
import { defineTrackingJobs } from '../modules/tracking/tracking.jobs.js';
import { TriggerLinksService } from '../modules/trigger-links/trigger-links.service.js';
import type { TriggerRunner } from '../modules/automation/automation.port.js';
import { TriggerEngine } from '../modules/triggers/trigger-engine.js';
import { TriggersService } from '../modules/triggers/triggers.service.js';
import { PipelineService } from '../modules/pipeline/pipeline.service.js';
import { PipelineActionsService } from '../modules/pipeline/pipeline-actions.service.js';
import { definePipelineJobs } from '../modules/pipeline/dp-event.job.js';
import { DryRunService } from '../modules/automation/dry-run.service.js';
import { enqueueBatch, holdEmails, releaseEmails } from '../modules/emails/bulk-enqueue.js';
import { SuppressionsService } from '../modules/suppressions/suppressions.service.js';
import { MailingsService } from '../modules/mailings/mailings.service.js';
import { RESOLVE_JOB, resumeResolving, runResolve } from '../modules/mailings/resolve.job.js';
import { RECHECK_JOB } from '../modules/mailings/reminder-recheck.js';
import { reminderGuard } from '../modules/mailings/reminder-guard.js';
import type { MailingDelivery, MailingReads } from '../modules/mailings/delivery.port.js';
import type { MailingSources } from '../modules/mailings/sources.port.js';
import { findTemplate, getSignature } from '../modules/templates/templates.repository.js';
import { assertTriggersExist, loadTriggerPoints } from '../modules/templates/trigger-points.repository.js';
import { listAttachmentMeta, loadAttachmentFiles } from '../modules/attachments.repository.js';
import type { EmailSources } from '../modules/emails/sources.port.js';
import { checkSendCap } from '../modules/automation/send-cap.js';
import { listRunsForEmails } from '../modules/triggers/executions.repository.js';
import * as mailReads from '../modules/emails/mail-reads.js';
import * as hitReads from '../modules/tracking/hit-reads.js';

const SMTP_DATA_TIMEOUT_MS = 10 * 60_000;

/** Link attachments: 25 MB each at most; the 100 MB per-email total is checked on compose. */
const LINK_ATTACHMENT_MAX_BYTES = 25 * 1024 * 1024;

export interface Services {
  config: AppConfig;
  db: Db;
  log: Logger;
  box: SecretBox;
  queue: JobQueue;
  tokens: KommoTokens;
  crmFor(accountId: number): Promise<CrmClient>;
  mailboxes: MailboxesService;
  mailboxCheck: MailboxChecker;
  /** Pooled SMTP connections per mailbox; closed on shutdown. */
  transports: TransportCache;
  templates: TemplatesService;
  emails: EmailsService;
  triggerLinks: TriggerLinksService;
  tracking: TrackingService;
  pipeline: PipelineService;
  /** Digital-pipeline actions and their signed tokens (admin API). */
  pipelineActions: PipelineActionsService;
  /** Template dry runs: what a send would set off, read-only. */
  dryRun: DryRunService;
  triggers: TriggersService;
  /** Records and runs trigger executions; producers call `fire()` (automation.port.ts). */
  triggerEngine: TriggerEngine;
  /** Bulk sends to selected entities (mailings/). */
  mailings: MailingsService;
  suppressions: SuppressionsService;
}

export async function buildServices(
  base: { config: AppConfig; db: Db; log: Logger; box: SecretBox },
): Promise<Services> {
  const { config, db, log, box } = base;
  const queue = new JobQueue(db, log, {
    processEveryMs: config.queuePollMs,
    lockLifetimeMs: config.queueLockLifetimeMs,
    maxConcurrency: config.queueConcurrency,
    instance: config.instance,
  });
  await queue.ready();
  const crmMetadata = new CrmMetadataCache(config.crmMetadataTtlMs);
  const kommoLimiter = new PgRateLimiter(db, KOMMO_RATE_LIMIT);
  // Install-time calls (code exchange, GET /account) share the same per-account budget.
  useSharedKommoRateLimiter(kommoLimiter);
  const tokens = new KommoTokens(db, box, config, { rateLimiter: kommoLimiter });

  const crmFor = async (accountId: number): Promise<CrmClient> => {
    const account = await getAccount(db, accountId);
    if (!account) throw new AppError(ErrorCode.KOMMO_NOT_CONNECTED, 'unknown account');
    const client = new KommoCrmClient({
      baseUrl: kommoBaseUrl(config, account.subdomain),
      accountId,
      getAccessToken: () => tokens.getAccessToken(accountId),
      onUnauthorized: (refused) => tokens.refreshIfCurrent(accountId, refused),
      logger: log.child({ accountId, component: 'kommo' }),
      rateLimiter: kommoLimiter,
    });
    return withMetadataCache(client, accountId, crmMetadata);
  };

  // Every SMTP/IMAP connection, checks and sends alike, goes to an address the policy allows.
  const mailHosts = new MailHostPolicy(config.mailboxPrivateHosts);
  const connectors: MailConnectors = {
    smtp: (s) => mailHosts.smtp(s, (pinned) => createSmtpTransport(pinned)),
    imap: (s) => mailHosts.imap(s, (pinned) => createImapStore(pinned, { appendDeadlineMs: config.deadlines.imapAppendMs })),
  };
  const mailboxes = new MailboxesService(db, box);
  const mailboxCheck = new MailboxChecker(db, box, mailboxes, connectors, async (id) => {
    await rescheduleMailbox(db, queue, id);
  });
  const triggerLinks = new TriggerLinksService(db, box, config.publicUrl);
  const templates = new TemplatesService(db, crmFor, triggerLinks);
  const messageIdDomain = new URL(config.publicUrl).hostname;
  // What a send reads of templates, triggers, the account and the automation cap: through their owners' functions.
  const emailSources: EmailSources = {
    findTemplate: (accountId, id) => findTemplate(db, accountId, id),
    templateFiles: (templateId) => loadAttachmentFiles(db, { templateId }),
    templateTriggerPoints: (templateId) => loadTriggerPoints(db, { templateId }),
    assertTriggersExist: (accountId, points) => assertTriggersExist(db, accountId, points),
    globalMailboxId: async (accountId) => (await getAccount(db, accountId))?.global_mailbox_id ?? null,
    checkSendCap: (tx, subject, templateName) => checkSendCap(tx, subject, templateName),
    triggerRunsOf: (emailIds) => listRunsForEmails(db, emailIds),
  };
  const emails = new EmailsService(db, queue, crmFor, mailboxes, templates, messageIdDomain, emailSources, triggerLinks);
  const triggerService = new TriggersService(db, crmFor);
  const triggerEngine = new TriggerEngine({ db, queue, log: log.child({ component: 'triggers' }), crmFor, mailer: emails });
  await triggerEngine.register();
  const triggers: TriggerRunner = triggerEngine;

  // Pooled connections per mailbox, opened on demand: a paced mailbox sends one message at a
  // time and so uses one; a mailbox without a pace limit keeps up to SMTP_UNPACED_PARALLEL in flight, one per connection.
  // Servers may take up to 10 minutes to answer the final dot (RFC 5321 §4.5.3.2.6); giving up
  // sooner and retrying could deliver the mail twice. The send deadline (SMTP_SEND_DEADLINE_MS)
  // bounds the whole transaction on top, for servers that trickle bytes to stay under that.
  const transports = new TransportCache((s) =>
    mailHosts.smtp(s, (pinned) =>
      createSmtpTransport(pinned, {
        pool: { maxConnections: config.sending.unpacedParallel, maxMessages: 100 },
        socketTimeoutMs: SMTP_DATA_TIMEOUT_MS,
        sendDeadlineMs: config.deadlines.smtpSendMs,
      }),
    ),
  );
  const sendDeps: SendDeps = {
    db,
    log: log.child({ component: 'sender' }),
    queue,
    instanceId: queue.instance.id,
    deadAfterMs: config.instance.deadAfterMs,
    inFlight: new Set(),
    retry: { baseMs: config.sending.retryBaseMs, maxAttempts: config.sending.maxAttempts },
    unpacedParallel: config.sending.unpacedParallel,
    transportFor: (mb) => transports.get(mb.id, smtpSettingsOf(mb, box)),
    releaseTransport: (id, broken) => {
      if (broken) transports.evict(id);
    },
    saveToSent: async (mb, raw, messageId) => {
      const settings = imapSettingsOf(mb, box);
      if (!settings) return null;
      const store = connectors.imap(settings);
      try {
        return await store.appendToSent(raw, messageId);
      } finally {
        await store.close().catch(() => {});
      }
    },
    findInSent: async (mb, messageId) => {
      const settings = imapSettingsOf(mb, box);
      if (!settings) return null;
      const store = connectors.imap(settings);
      try {
        return await store.findInSent(messageId);
      } finally {
        await store.close().catch(() => {});
      }
    },
    fetchLinkAttachment: async (url, filename) => {
      const f = await fetchPublicFile(url, { maxBytes: LINK_ATTACHMENT_MAX_BYTES, timeoutMs: 30_000, maxRedirects: 5 });
      return { filename: filename ?? f.filename, contentType: f.contentType, content: f.content };
    },
    openPixelUrl: (emailId) => openPixelUrl(config.publicUrl, box, emailId),
    honeypotUrl: (emailId) => clickUrl(config.publicUrl, clickToken(box, emailId, HONEYPOT_LINK_ID)),
    triggers,
    pauseMailbox: (tx, id, reason, checkResult) => pauseMailbox(tx, id, reason, checkResult),
    // The drain asks the reminders whether their mails still go, on its claim's transaction.
    preSend: reminderGuard((q) => ({
      sentAmong: (ids) => mailReads.sentAmong(q, ids),
      respondedAmong: (ids, response) => hitReads.respondedAmong(q, ids, response),
    })),
  };
  // Sends may hold at most sendConcurrency of the queue's workers: a slow SMTP server cannot
  // stop timers, tracking and pipeline jobs. One drain per mailbox claims at a time (send-email.job.ts).
  queue.define<DrainJobData>(DRAIN_JOB, (data) => runDrainJob(sendDeps, data), { concurrency: config.sendConcurrency });
  settleInterruptedSendsOnHeartbeat(sendDeps, log.child({ component: 'recovery' }));
  const woken = await wakeQueuedMailboxes(db, queue);
  if (woken) log.info({ mailboxes: woken }, 'mailboxes with queued mail woken at start');
  // A cancel that ends a partly delivered mail `sent` fires its "sent" trigger points (emails.service.ts).
  emails.afterSent = (id) => afterOutcome(sendDeps, id, 'sent');
  queue.define<{ emailId: string }>(NOT_OPENED_JOB, (data) => runNotOpenedJob(db, triggers, data));
  queue.define(RECOVER_JOB, async () => {
    await recoverQueue(db, queue, log.child({ component: 'recovery' }));
    await refireMissedPoints(db, triggers);
  });
  await queue.every('1 minute', RECOVER_JOB);
  const tracking = new TrackingService(db, box, triggers, log.child({ component: 'tracking' }), config.tracking);
  await defineTrackingJobs(queue, tracking);
  tracking.start();

  const pipeline = new PipelineService({
    db,
    box,
    queue,
    log: log.child({ component: 'pipeline' }),
    crmFor,
    tokenStatus: (accountId) => tokens.status(accountId),
    sendSystem: (req) => emails.sendSystem(req),
  });
  await definePipelineJobs(queue, pipeline);
  const pipelineActions = new PipelineActionsService({ db, box, crmFor, usableTemplate: (auth, id) => templates.getUsable(auth, id) });
  const dryRun = new DryRunService({ db, crmFor, templates, links: triggerLinks });

  const suppressions = new SuppressionsService(db);
  const delivery: MailingDelivery = {
    enqueueBatch: (batch, onInserted) => enqueueBatch(db, queue, messageIdDomain, batch, onInserted),
    hold: (accountId, ids, code, onHeld) => holdEmails(db, accountId, ids, code, (id) => afterOutcome(sendDeps, id, 'sent'), onHeld),
    release: (accountId, ids) => releaseEmails(db, queue, accountId, ids),
    pickMailbox: (accountId, prefs) => mailboxes.pickForSend(accountId, prefs),
  };
  // What a mailing reads of templates and the account: through their owners' functions.
  const mailingSources: MailingSources = {
    findTemplate: (accountId, id) => findTemplate(db, accountId, id),
    templateAttachmentIds: async (templateId) => (await listAttachmentMeta(db, { templateId })).map((a) => a.id),
    templateTriggerPoints: (templateId) => loadTriggerPoints(db, { templateId }),
    signatureOf: (accountId, userId) => getSignature(db, accountId, userId),
    assertTriggersExist: (accountId, points) => assertTriggersExist(db, accountId, points),
    globalMailboxId: async (accountId) => (await getAccount(db, accountId))?.global_mailbox_id ?? null,
  };
  // What a mailing reads of its mails: through the emails and tracking modules' read functions.
  const mailingReads: MailingReads = {
    stateCounts: (m) => mailReads.stateCounts(db, m),
    failureReasons: (m) => mailReads.failureReasons(db, m),
    paceOf: (m, minutes) => mailReads.paceOf(db, m, minutes),
    pausedMailboxesOf: (m) => mailReads.pausedMailboxesOf(db, m),
    sendsPerHour: (m) => mailReads.sendsPerHour(db, m),
    waitingOf: (m) => mailReads.waitingOf(db, m),
    engagementOf: (m) => hitReads.engagementOf(db, m),
    hitsPerHour: (m) => hitReads.hitsPerHour(db, m),
    statesOf: (ids) => mailReads.statesOf(db, ids),
    sentAmong: (ids) => mailReads.sentAmong(db, ids),
    respondedAmong: (ids, response) => hitReads.respondedAmong(db, ids, response),
  };
  const mailings = new MailingsService(db, queue, mailboxes, templates, delivery, mailingReads, triggerLinks, mailingSources);
  queue.define<{ mailingId: string }>(RESOLVE_JOB, (data) =>
    runResolve({ db, queue, log: log.child({ component: 'mailings' }), crmFor, delivery, reads: mailingReads, sources: mailingSources, suppressions, links: triggerLinks }, data),
  );
  // An early take-back only (reminder-recheck.ts); the send-time check does not depend on it.
  if (config.mailings.reminderSweepMs > 0) {
    queue.define(RECHECK_JOB, async () => {
      await mailings.recheckReminders();
    });
    await queue.every(String(config.mailings.reminderSweepMs), RECHECK_JOB);
  }
  // Mailings a stopped process left resolving continue from their cursor.
  await resumeResolving(db, queue);

  return { config, db, log, box, queue, tokens, crmFor, mailboxes, mailboxCheck, transports, templates, emails, pipeline, pipelineActions, dryRun, triggerLinks, tracking, triggers: triggerService, triggerEngine, mailings, suppressions };
}
