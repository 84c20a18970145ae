/** Shared steps of the trigger tests: saving triggers through the API, firing events, waiting for runs. */
import crypto from 'node:crypto';
import type { TriggerEvent } from '../../server/modules/automation/automation.port.js';
import type { ExecutionRow } from '../../server/modules/triggers/executions.repository.js';
import type { EmailView } from '../../shared/schemas/email.js';
import { eventually } from '../support/eventually.js';
import type { World } from '../support/world.js';
import { ACCOUNT_ID, SUB } from '../support/world.js';

export async function createTrigger(w: World, body: Record<string, unknown>): Promise<string> {
  const res = await w.api(w.admin).post('/api/triggers').send({ name: `${body.action} trigger`, ...body });
  if (res.status !== 201) throw new Error(`creating a trigger failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** A unique event key: each test fires its own events. */
export const eventKey = (label: string): string => `test:${label}:${crypto.randomUUID()}`;

/** An event on a CRM entity without a mail (e.g. a web page), as producers may fire it. */
export function entityEvent(triggerIds: string[], entity: TriggerEvent['entity'], key = eventKey('entity')): TriggerEvent {
  return { accountId: ACCOUNT_ID, point: 'sent', eventKey: key, triggerIds, entity, email: null };
}

/** The event the send pipeline fires for a delivered mail. */
export function emailEvent(view: EmailView, triggerIds: string[], opts: { point?: TriggerEvent['point']; contactIds?: number[]; key?: string; vars?: Record<string, string> } = {}): TriggerEvent {
  return {
    accountId: ACCOUNT_ID,
    point: opts.point ?? 'sent',
    eventKey: opts.key ?? eventKey(`email:${view.id}`),
    triggerIds,
    entity: { type: view.entityType, id: view.entityId },
    email: {
      id: view.id,
      subject: view.subject,
      sentAt: view.sentAt ? new Date(view.sentAt) : null,
      templateId: view.templateId,
      mailboxId: view.mailboxId,
      userId: view.userId,
      contactIds: opts.contactIds ?? [],
    },
    vars: opts.vars,
  };
}

export async function executions(w: World, key: string): Promise<ExecutionRow[]> {
  const r = await w.server.services.db.query<ExecutionRow>('SELECT * FROM trigger_executions WHERE event_key = $1 ORDER BY created_at', [key]);
  return r.rows;
}

/** Waits until every execution of the event has finished (done, failed or skipped). */
export async function finishedRuns(w: World, key: string, count = 1, timeoutMs = 15_000): Promise<ExecutionRow[]> {
  return eventually(
    async () => {
      const rows = await executions(w, key);
      expect(rows).toHaveLength(count);
      for (const r of rows) expect(['done', 'failed', 'skipped']).toContain(r.status);
      return rows;
    },
    { timeoutMs, intervalMs: 100 },
  );
}

/** Fires through the real engine and returns the one finished execution. */
export async function fireAndFinish(w: World, event: TriggerEvent): Promise<ExecutionRow> {
  await w.server.services.triggerEngine.fire(event);
  const [run] = await finishedRuns(w, event.eventKey, event.triggerIds.length);
  return run!;
}

/** Kommo write requests the simulator received, with bodies, since `since` (ms). */
export function writesSince(w: World, since: number, filter: { method?: string; path?: string | RegExp } = {}) {
  return w.kommo.sim.requestsFor(SUB, filter).filter((r) => r.time >= since && r.method !== 'GET');
}
