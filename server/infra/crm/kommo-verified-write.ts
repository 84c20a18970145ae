/**
 * Exactly-once creation of notes, tasks and leads. Kommo may apply a POST and then answer 5xx,
 * or the answer may be lost; a blind resend could duplicate a task that cannot be taken back,
 * and giving up could lose a note. So after such a failure the client reads back what the entity
 * got since the attempt started and writes again only if our write is not there.
 *
 * How our write is recognised: Kommo keeps no client key on notes, tasks or leads (`request_id`
 * is only echoed in the POST's own answer, so it is gone with a lost answer). A write is ours when
 * the entity got one with the very same content (note text; task text, type, deadline, user;
 * lead name, stage, contacts) created at or after the attempt started, less a clock margin.
 */
import { AppError } from '../../errors.js';
import type { CrmCreated, CrmEntityType, CrmLeadInput, CrmTaskInput, CrmWriteOptions } from './crm-client.js';
import type { KommoHttp } from './kommo-http.js';
import { embedded, type Json } from './kommo.mappers.js';

export interface VerifiedWriteOptions {
  /** Writes per call: the first plus resends after a read-back found nothing. Default 3. */
  writeAttempts?: number;
  /** Wait before reading back, so a write still in flight at Kommo has landed. Default 1000 ms. */
  verifyDelayMs?: number;
  /** Tolerated difference between our clock and Kommo's, in seconds. Default 10. */
  clockMarginSec?: number;
}

/** How many of the newest notes/tasks/leads are read back; a write of ours is among the newest. */
const READ_BACK = 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const outcomeUnknown = (err: unknown): boolean =>
  err instanceof AppError && (err.details as { outcomeUnknown?: boolean } | undefined)?.outcomeUnknown === true;

export class VerifiedWrites {
  private readonly attempts: number;
  private readonly delayMs: number;
  private readonly marginSec: number;

  constructor(opts: VerifiedWriteOptions) {
    this.attempts = opts.writeAttempts ?? 3;
    this.delayMs = opts.verifyDelayMs ?? 1000;
    this.marginSec = opts.clockMarginSec ?? 10;
  }

  async once(write: () => Promise<{ id: number }>, find: (sinceSec: number) => Promise<number | null>, opts: CrmWriteOptions = {}): Promise<CrmCreated> {
    // Our clock said when the earlier attempt started; Kommo's may differ by the margin.
    let since = opts.maybeAppliedSince === undefined ? undefined : opts.maybeAppliedSince - this.marginSec;
    if (since !== undefined) {
      const found = await this.lookUp(find, since);
      if (found !== null) return { id: found, recovered: true };
    }
    for (let attempt = 1; ; attempt++) {
      const started = Math.floor(Date.now() / 1000) - this.marginSec;
      since = Math.min(since ?? started, started);
      try {
        return await write();
      } catch (err) {
        if (!outcomeUnknown(err)) throw err;
        if (attempt >= this.attempts) throw withSince(err as AppError, since);
        await sleep(this.delayMs);
        const found = await this.lookUp(find, since);
        if (found !== null) return { id: found, recovered: true };
        // Not there: Kommo did not apply it, so writing again cannot duplicate it.
      }
    }
  }

  /** A failed read-back leaves the outcome unknown: the caller may try again later from `since`. */
  private async lookUp(find: (sinceSec: number) => Promise<number | null>, since: number): Promise<number | null> {
    try {
      return await find(since);
    } catch (err) {
      if (err instanceof AppError) throw withSince(new AppError(err.code, `${err.message} (while checking whether an earlier write was applied)`, { ...(err.details as object), transient: true, outcomeUnknown: true }), since);
      throw err;
    }
  }
}

function withSince(err: AppError, since: number): AppError {
  return new AppError(err.code, err.message, { ...(err.details as object), maybeAppliedSince: since });
}

const createdSince = (since: number) => (j: Json) => typeof j.created_at === 'number' && j.created_at >= since;
/** The oldest match: if duplicates ever slipped through, the first one is the one that counts. */
const oldest = (items: Json[]): number | null => (items.length ? Math.min(...items.map((j) => j.id as number)) : null);

export async function findNote(http: KommoHttp, entity: CrmEntityType, entityId: number, text: string, since: number): Promise<number | null> {
  const body = await http.request<Json>('GET', `/${entity}/${entityId}/notes`, {
    query: { 'filter[note_type]': 'common', 'order[id]': 'desc', limit: READ_BACK },
  });
  const notes = embedded(body, 'notes').filter(createdSince(since));
  return oldest(notes.filter((n) => n.note_type === 'common' && (n.params as { text?: unknown } | undefined)?.text === text));
}

export async function findTask(http: KommoHttp, task: CrmTaskInput, since: number): Promise<number | null> {
  const body = await http.request<Json>('GET', '/tasks', {
    query: { 'filter[entity_type]': task.entity_type, 'filter[entity_id][]': task.entity_id, 'order[id]': 'desc', limit: READ_BACK },
  });
  const tasks = embedded(body, 'tasks').filter(createdSince(since));
  return oldest(
    tasks.filter(
      (t) =>
        t.text === task.text &&
        t.complete_till === task.complete_till &&
        t.task_type_id === task.task_type_id &&
        (task.responsible_user_id === undefined || t.responsible_user_id === task.responsible_user_id),
    ),
  );
}

export async function findLead(http: KommoHttp, lead: Omit<CrmLeadInput, 'contactId'> & { contactIds: number[] }, since: number): Promise<number | null> {
  const body = await http.request<Json>('GET', '/leads', {
    query: { 'filter[created_at][from]': since, with: 'contacts', 'order[id]': 'desc', limit: READ_BACK },
  });
  const leads = embedded(body, 'leads').filter(createdSince(since));
  return oldest(
    leads.filter((l) => {
      const linked = new Set(((l._embedded as { contacts?: { id: number }[] } | undefined)?.contacts ?? []).map((c) => c.id));
      return (
        l.name === lead.name &&
        (lead.pipeline_id === undefined || l.pipeline_id === lead.pipeline_id) &&
        (lead.status_id === undefined || l.status_id === lead.status_id) &&
        (lead.responsible_user_id === undefined || l.responsible_user_id === lead.responsible_user_id) &&
        lead.contactIds.every((id) => linked.has(id))
      );
    }),
  );
}
