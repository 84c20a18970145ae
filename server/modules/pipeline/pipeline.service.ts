/**
 * The digital pipeline (seed 004, "Sending an email automatically from the Digital pipeline").
 * `receive` answers Kommo at once: it records the event (a repeated delivery finds the row
 * already there) and queues a job for when the action's delay is over. `process` does the work:
 * the payload is a hint, not proof — anyone can POST it — so the lead is read again from Kommo
 * with the account's own token, and only a lead that is still in the named status (and passes
 * the action's filter) gets the template.
 */
import crypto from 'node:crypto';
import type { Db } from '../../infra/db/db.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { Logger } from '../../infra/log/logger.js';
import type { CrmClient, CrmLead } from '../../infra/crm/crm-client.js';
import { AppError, ErrorCode } from '../../errors.js';
import { getAccount } from '../accounts/accounts.repository.js';
import type { SystemSendRequest, SystemSendResult } from '../emails/system-send.js';
import { filterMismatch } from './dp-filter.js';
import { parseDpSettings, type DpEventInput } from './dp-payload.js';
import * as repo from './dp-events.repository.js';
import { DP_EVENT_JOB, DP_RETRY_BASE_MS, DP_MAX_ATTEMPTS, type DpJobData } from './dp-event.job.js';

export interface PipelineDeps {
  db: Db;
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
  /** Set when the event was decided on arrival (unknown account, unusable settings). */
  outcome: string | null;
  runAt: string | null;
}

/** Longer than any decision: a few Kommo reads at 7 requests/s with the adapter's backoff. */
const LEASE_MS = 5 * 60_000;

/** Thrown inside the insert transaction when another run decided the event first. */
class AlreadyDecided extends Error {}

export class PipelineService {
  constructor(private readonly deps: PipelineDeps) {}

  async receive(e: DpEventInput): Promise<DpReceipt> {
    const id = crypto.randomUUID();
    // Cheap checks first, recorded without a job: an account that never installed us, or
    // settings that can never work.
    const unknown = await this.unknownAccount(e.accountId, e.subdomain);
    const early = unknown ?? ('error' in e.settings ? `skipped: ${e.settings.error}` : null);
    const runAt = early || 'error' in e.settings ? null : new Date(Date.now() + e.settings.delaySeconds * 1000);
    const inserted = await repo.insertDpEvent(this.deps.db, id, e, early, runAt);
    if (!inserted) {
      const existing = await this.deps.db.query<{ id: string; outcome: string | null }>(
        'SELECT id, outcome FROM dp_events WHERE account_id = $1 AND lead_id = $2 AND status_id = $3 AND event_time = $4',
        [e.accountId, e.leadId, e.statusId, e.eventTime],
      );
      return { eventId: existing.rows[0]?.id ?? null, duplicate: true, outcome: existing.rows[0]?.outcome ?? null, runAt: null };
    }
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
    const settings = parseDpSettings(row.settings.raw);
    if ('error' in settings) return `skipped: ${settings.error}`;
    const unknown = await this.unknownAccount(row.account_id, row.settings.subdomain);
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
    const mismatch = filterMismatch(lead, settings.filter);
    if (mismatch) return `skipped: filter: ${mismatch}`;

    const template = await this.findTemplate(row.account_id, settings.template);
    if ('error' in template) return `skipped: ${template.error}`;

    let result: SystemSendResult;
    try {
      result = await this.deps.sendSystem({
        accountId: row.account_id,
        templateId: template.id,
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

  /** The action names the template by id or by its exact name. */
  private async findTemplate(accountId: number, ref: string): Promise<{ id: string } | { error: string }> {
    const isId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ref);
    const r = await this.deps.db.query<{ id: string }>(
      `SELECT id FROM templates WHERE account_id = $1 AND ${isId ? 'id = $2::uuid' : 'name = $2'} ORDER BY created_at LIMIT 2`,
      [accountId, ref],
    );
    if (r.rows.length === 0) return { error: `template "${ref}" not found` };
    // Two templates with one name: guessing could send the wrong mail to a client.
    if (r.rows.length > 1) return { error: `template name "${ref}" is ambiguous: put the template's id in the pipeline action` };
    return { id: r.rows[0]!.id };
  }

  private async unknownAccount(accountId: number, subdomain: string): Promise<string | null> {
    const account = await getAccount(this.deps.db, accountId);
    if (!account || account.subdomain !== subdomain) return `skipped: unknown account ${accountId} (${subdomain})`;
    if (!(await this.deps.tokenStatus(accountId)).connected) return `skipped: unknown account ${accountId}: no Kommo token stored`;
    return null;
  }
}
