/**
 * The digital pipeline (seed 004, "Sending an email automatically from the Digital pipeline").
 * Kommo does not sign its call, so `authorize` first checks the pipeline-action token the
 * backend issued (action-token.ts) against the account the payload names; nothing is stored for
 * a call that fails it. `receive` answers Kommo at once: it records the event (a repeated
 * delivery finds the row already there) and queues a job for when the action's delay is over.
 * `process` does the work with the action's stored template and filter; the payload's lead and
 * status are a hint, not proof, so the lead is read again from Kommo with the account's own
 * token, and only a lead that is still in the named status (and passes the filter) gets the
 * template.
 */
import crypto from 'node:crypto';
import type { SecretBox } from '../../infra/crypto/secret-box.js';
import { withTransaction, type Db } from '../../infra/db/db.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { Logger } from '../../infra/log/logger.js';
import type { CrmClient, CrmLead } from '../../infra/crm/crm-client.js';
import { AppError, ErrorCode } from '../../errors.js';
import { getAccount } from '../accounts/accounts.repository.js';
import type { SystemSendRequest, SystemSendResult } from '../emails/system-send.js';
import { filterMismatch } from './dp-filter.js';
import type { DpEventInput } from './dp-payload.js';
import { verifyActionToken, type ActionTokenClaims } from './action-token.js';
import * as repo from './dp-events.repository.js';
import { findAction, type PipelineActionRow } from './pipeline-actions.repository.js';
import { DP_EVENT_JOB, DP_RETRY_BASE_MS, DP_MAX_ATTEMPTS, type DpJobData } from './dp-event.job.js';

export interface PipelineDeps {
  db: Db;
  box: SecretBox;
  queue: JobQueue;
  log: Logger;
  crmFor(accountId: number): Promise<CrmClient>;
  /** Whether the account has a stored Kommo token (KommoTokens.status). */
  tokenStatus(accountId: number): Promise<{ connected: boolean }>;
  sendSystem(req: SystemSendRequest): Promise<SystemSendResult>;
}

export interface DpReceipt {
  eventId: string | null;
  duplicate: boolean;
  /** Set when the event was decided on arrival (action switched off or deleted, no Kommo token). */
  outcome: string | null;
  runAt: string | null;
}

/** Longer than any decision: a few Kommo reads at 7 requests/s with the adapter's backoff. */
const LEASE_MS = 5 * 60_000;

/** Thrown inside the insert transaction when another run decided the event first. */
class AlreadyDecided extends Error {}

export class PipelineService {
  constructor(private readonly deps: PipelineDeps) {}

  /**
   * The token's signature and its account must match the payload's account: a token copied
   * from one account's pipeline cannot act for another. Throws before anything is stored.
   */
  authorize(e: DpEventInput): ActionTokenClaims {
    const claims = verifyActionToken(this.deps.box, e.token);
    if (!claims || claims.accountId !== e.accountId) {
      throw new AppError(ErrorCode.FORBIDDEN, 'action: not a valid leadmail pipeline action token for this account; choose the action again in the pipeline settings');
    }
    return claims;
  }

  async receive(e: DpEventInput, claims: ActionTokenClaims): Promise<DpReceipt> {
    const action = await findAction(this.deps.db, claims.accountId, claims.actionId);
    // A real but retired action: Kommo keeps calling until it is removed there. Answer 2xx so
    // Kommo does not retry, and keep nothing.
    if (!action?.active) return { eventId: null, duplicate: false, outcome: retiredOutcome(action), runAt: null };

    const early = await this.notConnected(claims.accountId);
    const runAt = early ? null : new Date(Date.now() + action.delay_seconds * 1000);
    const id = crypto.randomUUID();
    const r = await withTransaction(this.deps.db, (tx) => repo.insertDpEvent(tx, { id, actionId: claims.actionId, outcome: early, runAt }, e));
    if (r.duplicate) return { eventId: r.id, duplicate: true, outcome: r.outcome, runAt: null };
    if (runAt) await this.deps.queue.schedule<DpJobData>(DP_EVENT_JOB, { eventId: id }, runAt);
    return { eventId: id, duplicate: false, outcome: early, runAt: runAt?.toISOString() ?? null };
  }

  async process(data: DpJobData): Promise<void> {
    const row = await repo.claimDpEvent(this.deps.db, data.eventId, LEASE_MS);
    if (!row) return; // decided, or another run holds it
    const log = this.deps.log.child({ dpEventId: row.id, accountId: row.account_id });
    try {
      const outcome = await this.decide(row);
      if (outcome) await repo.decideDpEvent(this.deps.db, row.id, outcome);
    } catch (err) {
      if (err instanceof AlreadyDecided) return;
      const attempt = row.attempts;
      const message = err instanceof Error ? err.message : String(err);
      if (attempt >= DP_MAX_ATTEMPTS) {
        log.error({ err }, 'pipeline event failed');
        await repo.decideDpEvent(this.deps.db, row.id, `failed: ${message}`);
        return;
      }
      // Kommo unreachable or rate limiting after its own retries: try the whole decision again later.
      log.warn({ err, attempt }, 'pipeline event will be retried');
      const at = new Date(Date.now() + DP_RETRY_BASE_MS * 2 ** (attempt - 1));
      await repo.releaseDpEvent(this.deps.db, row.id);
      await this.deps.queue.schedule<DpJobData>(DP_EVENT_JOB, { eventId: row.id }, at);
    }
  }

  /** Re-queues events whose job was lost (a crash between insert and schedule). */
  async recover(): Promise<void> {
    for (const o of await repo.listOrphanedDpEvents(this.deps.db, DP_EVENT_JOB)) {
      await this.deps.queue.schedule<DpJobData>(DP_EVENT_JOB, { eventId: o.id });
    }
  }

  /** The outcome to record, or null when the send path recorded it in its own transaction. */
  private async decide(row: repo.DpEventRow): Promise<string | null> {
    // The action as it is now: switching it off or deleting it during the delay stops the send.
    const action = row.action_id ? await findAction(this.deps.db, row.account_id, row.action_id) : null;
    if (!action?.active) return retiredOutcome(action);
    const templateId = action.template_id;
    if (!templateId) return `skipped: the template of pipeline action "${action.name}" was deleted`;
    const unknown = await this.notConnected(row.account_id);
    if (unknown) return unknown;

    const crm = await this.deps.crmFor(row.account_id);
    let lead: CrmLead | null;
    try {
      lead = await crm.getLead(row.lead_id);
    } catch (err) {
      if (err instanceof AppError && (err.code === ErrorCode.KOMMO_NOT_CONNECTED || err.code === ErrorCode.KOMMO_UNAUTHORIZED)) {
        return `skipped: unknown account (Kommo refused the stored token: ${err.message})`;
      }
      throw err;
    }
    if (!lead) return `skipped: lead ${row.lead_id} not found in Kommo`;
    if (lead.status_id !== row.status_id || (row.pipeline_id !== null && lead.pipeline_id !== row.pipeline_id)) {
      return `skipped: lead left the status (it is now in status ${lead.status_id} of pipeline ${lead.pipeline_id})`;
    }
    const mismatch = filterMismatch(lead, action.filter);
    if (mismatch) return `skipped: filter: ${mismatch}`;

    let result: SystemSendResult;
    try {
      result = await this.deps.sendSystem({
        accountId: row.account_id,
        templateId,
        entity: { type: 'leads', id: row.lead_id },
        source: 'pipeline',
        onQueued: async (tx, emailId) => {
          if (!(await repo.decideDpEvent(tx, row.id, 'queued', emailId))) throw new AlreadyDecided();
        },
      });
    } catch (err) {
      if (err instanceof AppError && err.code === ErrorCode.NOT_FOUND) return `skipped: ${err.message}`;
      throw err;
    }
    if (result.status === 'queued') return null;
    return `skipped: ${result.reason}${result.noteAdded ? ' (noted on the lead)' : ''}`;
  }

  private async notConnected(accountId: number): Promise<string | null> {
    const account = await getAccount(this.deps.db, accountId);
    if (!account) return `skipped: unknown account ${accountId}`;
    if (!(await this.deps.tokenStatus(accountId)).connected) return `skipped: account ${accountId} has no Kommo token stored: reconnect the integration`;
    return null;
  }
}

/** Why a deleted or switched-off action does nothing. */
function retiredOutcome(action: PipelineActionRow | null): string {
  return action ? `skipped: pipeline action "${action.name}" is switched off` : 'skipped: the pipeline action was deleted';
}
