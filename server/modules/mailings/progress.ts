/**
 * A mailing's progress, derived from its recipients and their mails (never stored twice): counts
 * by status, skips and failures grouped by reason, a page of recipients, pace. The recipients are
 * this module's rows; the mails' state is asked through the MailingReads port by their ids.
 */
import type { Queryable } from '../../infra/db/db.js';
import type { RecipientStatus, RecipientView } from '../../../shared/schemas/mailing.js';
import type { MailingReads, MailState } from './delivery.port.js';

const ALL: RecipientStatus[] = ['skipped', 'pending', 'queued', 'sending', 'sent', 'failed', 'unknown', 'paused', 'cancelled'];
const MAIL_STATES = new Set<RecipientStatus>(['queued', 'sending', 'sent', 'failed', 'unknown', 'paused']);

/** Ids of the mails whose state is the recipient's (recipients not skipped, with a mail). */
export async function mailIdsOf(db: Queryable, mailingId: string): Promise<string[]> {
  const r = await db.query<{ email_id: string }>(
    "SELECT email_id FROM mailing_recipients WHERE mailing_id = $1 AND status = 'queued' AND email_id IS NOT NULL ORDER BY id",
    [mailingId],
  );
  return r.rows.map((x) => x.email_id);
}

export async function countsOf(db: Queryable, reads: MailingReads, mailingId: string, ids: string[]): Promise<Record<RecipientStatus, number>> {
  const own = await db.query<{ s: RecipientStatus; n: string }>(
    `SELECT CASE WHEN status <> 'queued' THEN status ELSE 'pending' END AS s, count(*) AS n
     FROM mailing_recipients WHERE mailing_id = $1 AND (status <> 'queued' OR email_id IS NULL) GROUP BY 1`,
    [mailingId],
  );
  const out = Object.fromEntries(ALL.map((s) => [s, 0])) as Record<RecipientStatus, number>;
  for (const row of own.rows) out[row.s] += Number(row.n);
  for (const [s, n] of await reads.stateCounts(ids)) out[s] += n;
  return out;
}

/** Skips, failures and sends interrupted by a crash (`unknown`: maybe delivered, never resent); most frequent first. */
export async function reasonsOf(db: Queryable, reads: MailingReads, mailingId: string, ids: string[]): Promise<{ status: 'skipped' | 'failed' | 'unknown'; reason: string; count: number }[]> {
  const skipped = await db.query<{ reason: string; n: string }>(
    "SELECT coalesce(reason, 'unknown') AS reason, count(*) AS n FROM mailing_recipients WHERE mailing_id = $1 AND status = 'skipped' GROUP BY 1",
    [mailingId],
  );
  const all = [...skipped.rows.map((x) => ({ status: 'skipped' as const, reason: x.reason, count: Number(x.n) })), ...(await reads.failureReasons(ids))];
  return all.sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0));
}

interface RecipientRow {
  entity_type: RecipientView['entityType'];
  entity_id: string;
  contact_id: string | null;
  email: string | null;
  status: 'queued' | 'skipped' | 'cancelled';
  reason: string | null;
  email_id: string | null;
}

export async function recipientsPage(
  db: Queryable,
  reads: MailingReads,
  mailingId: string,
  q: { status?: RecipientStatus; page: number; limit: number },
): Promise<{ total: number; items: RecipientView[] }> {
  // The filter on this module's rows; a mail state is turned into the ids of the mails in it.
  let where = '';
  const params: unknown[] = [mailingId];
  if (q.status === 'skipped' || q.status === 'cancelled') {
    params.push(q.status);
    where = 'AND status = $2';
  } else if (q.status === 'pending') {
    where = "AND status = 'queued' AND email_id IS NULL";
  } else if (q.status && MAIL_STATES.has(q.status)) {
    params.push(await reads.inState(await mailIdsOf(db, mailingId), q.status as MailState));
    where = "AND status = 'queued' AND email_id = ANY($2::uuid[])";
  }
  const total = await db.query<{ n: string }>(`SELECT count(*) AS n FROM mailing_recipients WHERE mailing_id = $1 ${where}`, params);
  const rows = await db.query<RecipientRow>(
    `SELECT entity_type, entity_id, contact_id, email, status, reason, email_id FROM mailing_recipients
     WHERE mailing_id = $1 ${where} ORDER BY id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, q.limit, (q.page - 1) * q.limit],
  );
  const mails = await reads.statesOf(rows.rows.filter((x) => x.status === 'queued' && x.email_id).map((x) => x.email_id!));
  return {
    total: Number(total.rows[0]?.n ?? 0),
    items: rows.rows.map((x) => {
      const mail = x.status === 'queued' && x.email_id ? mails.get(x.email_id) : undefined;
      const status: RecipientStatus = x.status !== 'queued' ? x.status : (mail?.state ?? 'pending');
      return {
        entityType: x.entity_type,
        entityId: Number(x.entity_id),
        contactId: x.contact_id === null ? null : Number(x.contact_id),
        email: x.email,
        status,
        reason: x.status === 'skipped' ? x.reason : mail && ['failed', 'queued', 'unknown'].includes(mail.state) ? mail.error : null,
        emailId: x.email_id,
        sentAt: mail?.sentAt?.toISOString() ?? null,
      };
    }),
  };
}

/**
 * Rate (mails handed to SMTP in the last 10 minutes, per minute) and ETA: the planned slot of the
 * last queued mail, which pacing already pushed past the daily cap's rolling window if need be.
 */
export async function paceOf(reads: MailingReads, ids: string[]): Promise<{ ratePerMinute: number; eta: string | null }> {
  const p = await reads.paceOf(ids, 10);
  return { ratePerMinute: Math.round((p.recentSent / 10) * 10) / 10, eta: p.lastSlot?.toISOString() ?? null };
}
