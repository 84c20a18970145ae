/**
 * The trigger engine: `fire()` records one execution per (event, trigger) and queues it after the
 * trigger's delay; the `trigger.run` job plans the action, persists the plan, then makes the calls
 * one by one, recording each answer.
 *
 * Never applied twice for one event:
 * - executions are unique on (event_key, trigger_id), so firing an event again inserts nothing;
 * - the job claims its row (scheduled → running, only when due), so a duplicated or stale job
 *   finds nothing to do;
 * - Kommo's 429/5xx are retried by the Kommo adapter inside one call; a 429 is never applied by
 *   Kommo, so repeating it is safe. A note, task or lead that got a 5xx or no answer is read
 *   back by the adapter and written again only if it is not there (kommo-verified-write.ts).
 *   When the adapter gives up, the run is retried later only if repeating is harmless (a 429, an
 *   idempotent PATCH, a mail that was not queued, or a create that is read back first); calls
 *   already done are skipped on the retry because each one's outcome is saved as it happens.
 * - A run interrupted mid-call (the process died) leaves `running` with an expired lease. A note,
 *   task or lead records when its write started, so the run is resumed and the adapter reads
 *   Kommo back before writing; a run whose call in flight cannot be checked that way is marked
 *   failed ("interrupted"): a missing note can be added by hand, a duplicate cannot be unsent.
 */
import crypto from 'node:crypto';
import type { Db } from '../../infra/db/db.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { Logger } from '../../infra/log/logger.js';
import type { CrmClient } from '../../infra/crm/crm-client.js';
import { withTransaction } from '../../infra/db/db.js';
import { AppError, ErrorCode } from '../../errors.js';
import type { TriggerEvent, TriggerRunner } from '../automation/automation.port.js';
import { executeCall, loadPlanContext, plan, type EmailCall, type PlanContext } from './actions/index.js';
import type { SystemSendRequest, SystemSendResult } from '../emails/system-send.js';
import * as runs from './executions.repository.js';
import type { CallRecord, ExecutionRow } from './executions.repository.js';
import { findActiveTriggers, findTrigger } from './triggers.repository.js';

export const TRIGGER_RUN_JOB = 'trigger.run';
export const TRIGGER_RECOVER_JOB = 'trigger.recover';

/** Renewed after every call; longer than any single call with the adapter's retries and backoff. */
const LEASE_MS = 5 * 60_000;
const MAX_ATTEMPTS = 5;

export interface SystemMailer {
  sendSystem(req: SystemSendRequest): Promise<SystemSendResult>;
}

export interface TriggerEngineDeps {
  db: Db;
  queue: JobQueue;
  log: Logger;
  crmFor(accountId: number): Promise<CrmClient>;
  mailer: SystemMailer;
  /** First retry delay after Kommo stayed unavailable; doubles per attempt, at most 10 minutes. */
  retryBaseMs?: number;
}

export class TriggerEngine implements TriggerRunner {
  constructor(private readonly deps: TriggerEngineDeps) {}

  /** Defines the queue's jobs; call once while composing the application. */
  async register(): Promise<void> {
    this.deps.queue.define<{ executionId: string }>(TRIGGER_RUN_JOB, (d) => this.run(d.executionId));
    this.deps.queue.define(TRIGGER_RECOVER_JOB, () => this.recover());
    await this.deps.queue.every('1 minute', TRIGGER_RECOVER_JOB);
  }

  async fire(event: TriggerEvent): Promise<void> {
    const { db } = this.deps;
    const triggers = await findActiveTriggers(db, event.accountId, event.triggerIds);
    if (triggers.length === 0) return;
    const context: runs.ExecutionContext = {
      email: event.email ? { ...event.email, sentAt: event.email.sentAt?.toISOString() ?? null } : null,
      vars: event.vars ?? {},
    };
    // One transaction: an event is recorded with all its triggers or not at all, so a re-fire
    // after a crash (which finds no execution for the event) records every one of them.
    const created = await withTransaction(db, async (tx) => {
      const out: { id: string; run_at: Date }[] = [];
      for (const t of triggers) {
        const row = await runs.insertExecution(tx, {
          id: crypto.randomUUID(),
          accountId: event.accountId,
          triggerId: t.id,
          emailId: event.email?.id ?? null,
          point: event.point,
          eventKey: event.eventKey,
          entity: event.entity,
          delaySeconds: t.delaySeconds,
          context,
        });
        if (row) out.push(row);
      }
      return out;
    });
    // Persist first, then enqueue: a crash in between is healed by recover().
    for (const c of created) await this.enqueue(c.id, c.run_at);
  }

  /** Queues the run and records its job, so the sweep can tell a lost job by primary key. */
  private async enqueue(executionId: string, at: Date): Promise<void> {
    const jobId = await this.deps.queue.schedule(TRIGGER_RUN_JOB, { executionId }, at);
    await runs.setExecutionJob(this.deps.db, executionId, jobId);
  }

  /** The `trigger.run` job. */
  async run(executionId: string): Promise<void> {
    const row = await runs.claimExecution(this.deps.db, executionId, LEASE_MS);
    if (!row) return this.notClaimed(executionId);
    try {
      await this.perform(row);
    } catch (err) {
      // Whatever went wrong, the run ends visibly instead of staying 'running'.
      this.deps.log.error({ err, executionId }, 'trigger run failed');
      await runs.finishExecution(this.deps.db, row.id, 'failed', { error: describe(err) });
    }
  }

  /**
   * The periodic sweep: interrupted runs are failed; lost jobs of switched-off triggers are
   * closed as skipped, those of active ones queued again, oldest first.
   */
  async recover(): Promise<void> {
    await this.settleInterrupted();
    await runs.skipOrphanedOfInactive(this.deps.db);
    for (const o of await runs.orphanedExecutions(this.deps.db)) await this.enqueue(o.id, new Date());
  }

  /** Interrupted runs: resumed (and queued) when they can be checked against Kommo, else failed. */
  private async settleInterrupted(executionId?: string): Promise<void> {
    const { resumed, failed } = await runs.settleInterrupted(this.deps.db, MAX_ATTEMPTS, executionId);
    if (failed) this.deps.log.warn({ count: failed }, 'interrupted trigger runs marked failed');
    if (resumed.length) this.deps.log.warn({ count: resumed.length }, 'interrupted trigger runs resumed');
    for (const r of resumed) await this.enqueue(r.id, r.run_at);
  }

  private async notClaimed(executionId: string): Promise<void> {
    const row = await runs.findExecution(this.deps.db, executionId);
    if (row?.status === 'scheduled') {
      // Not due yet by the database's clock (handed out early, or the clocks differ): the delay
      // is honoured and the job comes back, never lost.
      await this.enqueue(executionId, new Date(Math.max(row.run_at.getTime(), Date.now() + 1000)));
    } else if (row?.status === 'running' && row.lease_until && row.lease_until.getTime() < Date.now()) {
      await this.settleInterrupted(executionId);
    }
  }

  private async perform(row: ExecutionRow): Promise<void> {
    const { db } = this.deps;
    const trigger = await findTrigger(db, row.account_id, row.trigger_id);
    if (!trigger?.active) {
      await runs.finishExecution(db, row.id, 'skipped', { result: runs.SWITCHED_OFF });
      return;
    }
    const crm = await this.deps.crmFor(row.account_id);
    let calls = row.calls;
    if (calls.length === 0) {
      let p;
      try {
        p = plan(trigger, await loadPlanContext(crm, trigger, baseContext(row)));
      } catch (err) {
        return this.failOrRetry(row, err, true); // only reads so far: always safe to repeat
      }
      if (p.skip !== null) {
        await runs.finishExecution(db, row.id, 'skipped', { result: p.skip });
        return;
      }
      // The plan is saved before the first side effect: a retry resumes it instead of re-planning.
      calls = p.calls.map((c) => ({ ...c, status: 'pending' as const }));
      await runs.saveCalls(db, row.id, calls, LEASE_MS);
    }

    for (let i = 0; i < calls.length; i++) {
      const call = calls[i]!;
      if (call.status === 'done' || call.status === 'skipped') continue;
      const deps = { crm, sendEmail: (c: EmailCall) => this.sendEmail(row, calls, i, c) };
      // Set only when an earlier attempt may have applied it: then Kommo is read back first.
      const maybeAppliedSince = call.maybeAppliedSince;
      if (isCreate(call) && maybeAppliedSince === undefined) {
        // Recorded before the write: if the process dies with the write in flight, the resumed
        // run knows from when to look for it in Kommo (executions.repository.ts, resumable).
        calls[i] = { ...call, maybeAppliedSince: Math.floor(Date.now() / 1000) };
        await runs.saveCalls(db, row.id, calls, LEASE_MS);
      }
      try {
        const answer = await executeCall(call, deps, { maybeAppliedSince });
        // A send held back (daily cap, no recipient, no mailbox) is recorded with its reason;
        // sendSystem itself leaves the note in Kommo where the cap applies.
        const held = call.op === 'send_email' && (answer as SystemSendResult).status === 'skipped';
        calls[i] = { ...call, status: held ? 'skipped' : 'done', answer, error: undefined, at: new Date().toISOString() };
      } catch (err) {
        if (call.op === 'send_email') {
          // The mail may have been queued before the error (onQueued committed it as done).
          const saved = (await runs.findExecution(db, row.id))?.calls[i];
          if (saved?.status === 'done') {
            calls[i] = saved;
            continue;
          }
        }
        const since = appliedSince(err);
        calls[i] = { ...call, status: 'failed', error: errorInfo(err), at: new Date().toISOString(), ...(since !== undefined ? { maybeAppliedSince: since } : {}) };
        await runs.saveCalls(db, row.id, calls, LEASE_MS);
        // A 429 was not applied; a PATCH sets the same values again; a mail that threw was not
        // queued; a note, task or lead whose outcome is unknown is read back before it is re-sent.
        const repeatable = isRateLimited(err) || call.op === 'update' || call.op === 'send_email' || since !== undefined;
        return this.failOrRetry(row, err, repeatable);
      }
      await runs.saveCalls(db, row.id, calls, LEASE_MS);
    }
    const anyDone = calls.some((c) => c.status === 'done');
    await runs.finishExecution(db, row.id, anyDone ? 'done' : 'skipped', { result: calls.map(summarize).join('; ') });
  }

  private async failOrRetry(row: ExecutionRow, err: unknown, repeatable: boolean): Promise<void> {
    const transient = isTransient(err);
    if (transient && repeatable && row.attempts < MAX_ATTEMPTS) {
      const base = this.deps.retryBaseMs ?? 30_000;
      const delay = Math.min(10 * 60_000, base * 2 ** (row.attempts - 1));
      const at = await runs.rescheduleExecution(this.deps.db, row.id, delay / 2 + Math.random() * (delay / 2), describe(err));
      if (at) await this.enqueue(row.id, at);
      return;
    }
    const why = transient && !repeatable ? ' (not retried: Kommo may have applied the request before failing)' : '';
    await runs.finishExecution(this.deps.db, row.id, 'failed', { error: describe(err) + why });
  }

  private sendEmail(row: ExecutionRow, calls: CallRecord[], index: number, call: EmailCall): Promise<SystemSendResult> {
    return this.deps.mailer.sendSystem({
      accountId: row.account_id,
      entity: call.entity,
      templateId: call.templateId,
      mailboxId: call.mailboxId,
      source: 'trigger',
      parentEmailId: row.email_id,
      // Recorded in the transaction that queues the mail: whatever happens after the commit,
      // a retry or a second job sees the send as done and cannot queue the mail again.
      onQueued: async (tx, emailId) => {
        const done = calls.map((c, j) => (j === index ? { ...c, status: 'done' as const, answer: { status: 'queued', emailId }, at: new Date().toISOString() } : c));
        await runs.saveCalls(tx, row.id, done, LEASE_MS);
      },
    });
  }
}

function baseContext(row: ExecutionRow): Omit<PlanContext, 'data'> {
  const e = row.context.email;
  return {
    entity: { type: row.entity_type, id: row.entity_id },
    point: row.point,
    email: e ? { ...e, sentAt: e.sentAt ? new Date(e.sentAt) : null } : null,
    vars: row.context.vars ?? {},
    now: new Date(),
  };
}

function summarize(c: CallRecord): string {
  const a = c.answer as { id?: number; emailId?: string; reason?: string; recovered?: boolean } | undefined;
  // A write found by reading back after Kommo failed to answer: applied once, said so.
  const found = a?.recovered ? ' (Kommo failed to answer; found applied)' : '';
  switch (c.op) {
    case 'update':
      return `${c.entity} ${c.body.map((p) => p.id).join(', ')} updated`;
    case 'note':
      return `note ${a?.id ?? ''} added${found}`;
    case 'task':
      return `task ${a?.id ?? ''} created${found}`;
    case 'create_lead':
      return `lead ${a?.id ?? ''} created${found}`;
    case 'send_email':
      return c.status === 'done' ? `email ${a?.emailId} queued` : `email not sent: ${a?.reason}`;
  }
}

const isCreate = (c: CallRecord): boolean => c.op === 'note' || c.op === 'task' || c.op === 'create_lead';

/** Set by the Kommo adapter when a create may have been applied; the retry must look for it first. */
function appliedSince(err: unknown): number | undefined {
  const since = err instanceof AppError ? (err.details as { maybeAppliedSince?: unknown } | undefined)?.maybeAppliedSince : undefined;
  return typeof since === 'number' ? since : undefined;
}

const isRateLimited = (err: unknown): boolean => err instanceof AppError && err.code === ErrorCode.KOMMO_RATE_LIMITED;

function isTransient(err: unknown): boolean {
  return isRateLimited(err) || (err instanceof AppError && (err.details as { transient?: boolean } | undefined)?.transient === true);
}

function errorInfo(err: unknown): NonNullable<CallRecord['error']> {
  if (err instanceof AppError) return { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) };
  return { code: ErrorCode.INTERNAL, message: (err as Error)?.message ?? String(err) };
}

function describe(err: unknown): string {
  return err instanceof AppError ? err.message : `unexpected error: ${(err as Error)?.message ?? String(err)}`;
}
