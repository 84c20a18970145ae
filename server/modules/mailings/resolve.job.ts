/**
 * The `mailing.resolve` job: turns a mailing's selected ids into recipients and queued mails,
 * 250 entities at a time — one batched Kommo read per entity kind, one suppression query, one
 * render per recipient (the compiled template is cached by the render engine), and one
 * transaction per mailbox that inserts the mails and their recipient rows together.
 *
 * One resolver at a time: a lease on the mailing row (renewed per batch) keeps a second
 * process, or a second job of the same mailing, from resolving it concurrently.
 *
 * Crash-safe by a cursor: `resolved_count` moves in the same transaction as the batch's last
 * rows, so a restart (the job is given again at start for every mailing left `resolving`)
 * continues after the last finished batch; recipients a half-finished batch already queued are
 * recognised by (entity, address) and not queued twice.
 */
import type { Db } from '../../infra/db/db.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import { ServerInstance } from '../../infra/queue/instance.js';
import type { Logger } from '../../infra/log/logger.js';
import type { CrmClient } from '../../infra/crm/crm-client.js';
import { NO_TRIGGERS } from '../../../shared/schemas/template.js';
import type { TriggerLinkResolvers } from '../templates/compose.js';
import { loadEntityBundles, loadMetadata } from '../crm-data/entity-batch.js';
import type { SuppressionsService } from '../suppressions/suppressions.service.js';
import * as repo from './mailings.repository.js';
import type { MailingRow } from './mailings.repository.js';
import type { MailingDelivery, MailingReads } from './delivery.port.js';
import type { MailingSources } from './sources.port.js';
import { BatchRun, MailingStopped, type Content } from './batch-run.js';

export const RESOLVE_JOB = 'mailing.resolve';
/** Kommo's page size: one request per entity kind per batch. */
const BATCH = 250;
/** Batches read ahead of the one being rendered and committed. */
const READ_AHEAD = 3;

export interface ResolveDeps {
  db: Db;
  queue: JobQueue;
  log: Logger;
  crmFor(accountId: number): Promise<CrmClient>;
  delivery: MailingDelivery;
  reads: MailingReads;
  sources: MailingSources;
  suppressions: SuppressionsService;
  links?: TriggerLinkResolvers;
}

export async function scheduleResolve(queue: JobQueue, mailingId: string, at?: Date): Promise<void> {
  await queue.schedule(RESOLVE_JOB, { mailingId }, at);
}

/** At start: every mailing a stopped process left resolving gets its job again. */
export async function resumeResolving(db: Db, queue: JobQueue): Promise<number> {
  const ids = await repo.resolvingIds(db);
  for (const id of ids) await scheduleResolve(queue, id);
  return ids.length;
}


export async function runResolve(deps: ResolveDeps, data: { mailingId: string }): Promise<void> {
  const head = (await deps.db.query<{ account_id: number }>('SELECT account_id FROM mailings WHERE id = $1', [data.mailingId])).rows[0];
  const m = head && (await repo.findMailing(deps.db, head.account_id, data.mailingId));
  if (!m || m.status !== 'resolving') return;
  let lease = await claimLease(deps, m.id, null);
  if ('busy' in lease) {
    // Another process resolves it; if that one dies, this job comes back when its lease ends.
    if (lease.busy) await scheduleResolve(deps.queue, m.id, new Date(lease.busy.getTime() + 100));
    return;
  }
  try {
    await resolveAll(deps, m, () => lease, (l) => (lease = l));
  } catch (err) {
    // Kommo down, token revoked…: shown on the mailing, and tried again (from the cursor) later.
    deps.log.warn({ err, mailingId: m.id }, 'resolving a mailing failed; retrying');
    await deps.db.query('UPDATE mailings SET status_reason = $2 WHERE id = $1', [m.id, `resolving paused by an error, retrying: ${(err as Error).message}`]);
    await scheduleResolve(deps.queue, m.id, new Date(Date.now() + RETRY_MS));
  } finally {
    if ('until' in lease) {
      await deps.db.query('UPDATE mailings SET resolve_lease_until = NULL WHERE id = $1 AND resolve_lease_until = $2', [m.id, lease.until]);
    }
  }
}

async function resolveAll(
  deps: ResolveDeps,
  m: MailingRow,
  lease: () => { until: Date } | { busy: Date | null },
  setLease: (l: { until: Date } | { busy: Date | null }) => void,
): Promise<void> {
  const content = await loadContent(deps.sources, m);
  if (!content) {
    await repo.setStatus(deps.db, m.id, 'failed', 'the template no longer exists');
    return;
  }
  const crm = await deps.crmFor(m.account_id);
  // Kommo's 7 requests/s is the slowest part: the limiter must never wait for us. So the
  // account data and the first batches are asked for at once, and up to READ_AHEAD batches are
  // read while earlier ones render and commit (250 bundles each: a few MB at most).
  const metadata = loadMetadata(crm);
  metadata.catch(() => undefined);
  const read = async (from: number) => {
    const ids = await repo.nextIds(deps.db, m.id, from, BATCH);
    return { ids, bundles: await loadEntityBundles(crm, m.entity_type, ids, m.recipients.mode === 'all' ? 'all' : 'main') };
  };
  const ahead: ReturnType<typeof read>[] = [];
  let readFrom = m.resolved_count;
  const readAhead = () => {
    while (ahead.length < READ_AHEAD && readFrom < m.selected) {
      const next = read(readFrom);
      // A read left behind when the run stops early must not become an unhandled rejection.
      next.catch(() => undefined);
      ahead.push(next);
      readFrom += BATCH;
    }
  };
  readAhead();
  const run = new BatchRun(deps, m, content, await metadata);
  await run.loadTaken();
  let cursor = m.resolved_count;
  while (cursor < m.selected) {
    const now = (await deps.db.query<{ status: string }>('SELECT status FROM mailings WHERE id = $1', [m.id])).rows[0]?.status;
    // Paused or cancelled meanwhile: resume gives the job again and it continues from the cursor.
    if (now !== 'resolving') return;
    const current = lease();
    const renewed = await claimLease(deps, m.id, 'until' in current ? current.until : null);
    setLease(renewed);
    if ('busy' in renewed) return;
    const next = ahead.shift();
    if (!next) break;
    const { ids, bundles } = await next;
    if (ids.length === 0) break;
    cursor += ids.length;
    readAhead();
    try {
      await run.batch(ids, bundles, cursor);
    } catch (err) {
      if (err instanceof MailingStopped) return;
      throw err;
    }
  }
  await deps.db.query("UPDATE mailings SET status = 'queued', status_reason = NULL, updated_at = now() WHERE id = $1 AND status = 'resolving'", [m.id]);
  deps.log.info({ mailingId: m.id, selected: m.selected }, 'mailing resolved');
}

async function loadContent(sources: MailingSources, m: MailingRow): Promise<Content | null> {
  const t = m.template_id ? await sources.findTemplate(m.account_id, m.template_id) : null;
  if (m.template_id && !t) return null;
  return {
    subject: m.subject ?? t?.subject ?? '',
    html: m.body_html ?? t?.body_html ?? '',
    disableSignature: m.disable_signature || (t?.disable_signature ?? false),
    templateId: t?.id ?? null,
    linkAttachments: t?.link_attachments ?? [],
    attachmentIds: t ? await sources.templateAttachmentIds(t.id) : [],
    points: m.triggers ?? (t ? await sources.templateTriggerPoints(t.id) : NO_TRIGGERS),
  };
}

/** Long enough for one batch (a few Kommo pages and a render of 250 mails); renewed before each. */
const LEASE_MS = 20_000;
const RETRY_MS = 30_000;

/**
 * Takes the resolve lease (`held` = the lease this run holds, to renew it). Answers the new
 * lease's end, or `{ busy }` with when the other holder's lease ends (null: nothing to resolve).
 * A lease whose holder's heartbeat is stale is free at once: it dies with its process.
 */
async function claimLease(deps: Pick<ResolveDeps, 'db' | 'queue'>, mailingId: string, held: Date | null): Promise<{ until: Date } | { busy: Date | null }> {
  const { db, queue } = deps;
  const r = await db.query<{ until: Date }>(
    `UPDATE mailings SET resolve_lease_until = date_trunc('milliseconds', clock_timestamp() + make_interval(secs => $2::double precision / 1000)),
            resolve_lease_owner = $4
     WHERE id = $1 AND status = 'resolving'
       AND (resolve_lease_until IS NULL OR resolve_lease_until < now() OR resolve_lease_until = $3::timestamptz
            OR resolve_lease_owner IS NULL OR NOT ${ServerInstance.aliveSql('resolve_lease_owner', '$5')})
     RETURNING resolve_lease_until AS until`,
    [mailingId, LEASE_MS, held, queue.instance.id, queue.instance.opts.deadAfterMs],
  );
  if (r.rows[0]) return { until: r.rows[0].until };
  const other = await db.query<{ until: Date | null }>("SELECT resolve_lease_until AS until FROM mailings WHERE id = $1 AND status = 'resolving'", [mailingId]);
  return { busy: other.rows[0]?.until ?? null };
}
