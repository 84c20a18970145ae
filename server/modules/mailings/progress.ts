/**
 * A mailing's progress, derived from its recipients and their mails (never stored twice): counts
 * by status, skips and failures grouped by reason, a page of recipients, pace. The recipients are
 * this module's rows; the mails' state is asked through the MailingReads port, for the whole
 * mailing by its id (the mails carry it), for a page of recipients by its mails' ids.
 */
import type { Queryable } from '../../infra/db/db.js';
import type { RecipientStatus, RecipientView } from '../../../shared/schemas/mailing.js';
import type { MailingKey, MailingReads, MailState, MailStateRow } from './delivery.port.js';

const ALL: RecipientStatus[] = ['skipped', 'pending', 'queued', 'sending', 'sent', 'failed', 'unknown', 'paused', 'cancelled'];
const MAIL_STATES = new Set<RecipientStatus>(['queued', 'sending', 'sent', 'failed', 'unknown', 'paused']);

/** Recipients scanned per step when a page is filtered by their mails' state. */
const SCAN = 2000;

export async function countsOf(db: Queryable, reads: MailingReads, m: MailingKey): Promise<Record<RecipientStatus, number>> {
  // The recipients with a mail (status queued) are counted by their mails' state, in the
  // emails module by the mailing's id; a recipient skipped after its mail was queued (a reminder's
  // responder) is this module's, and the emails side leaves such mails out (mail-reads.ts).
  const [own, mails] = await Promise.all([
    db.query<{ s: RecipientStatus; n: string }>(
      `SELECT CASE WHEN status <> 'queued' THEN status ELSE 'pending' END AS s, count(*) AS n
       FROM mailing_recipients WHERE mailing_id = $1 AND (status <> 'queued' OR email_id IS NULL) GROUP BY 1`,
      [m.mailingId],
    ),
    reads.stateCounts(m),
  ]);
  const out = Object.fromEntries(ALL.map((s) => [s, 0])) as Record<RecipientStatus, number>;
  for (const row of own.rows) out[row.s] += Number(row.n);
  for (const [s, n] of mails) out[s] += n;
  return out;
}

/** Skips, failures and sends interrupted by a crash (`unknown`: maybe delivered, never resent); most frequent first. */
export async function reasonsOf(db: Queryable, reads: MailingReads, m: MailingKey): Promise<{ status: 'skipped' | 'failed' | 'unknown'; reason: string; count: number }[]> {
  const [skipped, failed] = await Promise.all([
    db.query<{ reason: string; n: string }>(
      "SELECT coalesce(reason, 'unknown') AS reason, count(*) AS n FROM mailing_recipients WHERE mailing_id = $1 AND status = 'skipped' GROUP BY 1",
      [m.mailingId],
    ),
    reads.failureReasons(m),
  ]);
  const all = [...skipped.rows.map((x) => ({ status: 'skipped' as const, reason: x.reason, count: Number(x.n) })), ...failed];
  return all.sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0));
}

interface RecipientRow {
  id: string;
  entity_type: RecipientView['entityType'];
  entity_id: string;
  contact_id: string | null;
  email: string | null;
  status: 'queued' | 'skipped' | 'cancelled';
  reason: string | null;
  email_id: string | null;
}

const COLS = 'id, entity_type, entity_id, contact_id, email, status, reason, email_id';

export async function recipientsPage(
  db: Queryable,
  reads: MailingReads,
  m: MailingKey,
  q: { status?: RecipientStatus; page: number; limit: number },
): Promise<{ total: number; items: RecipientView[] }> {
  const offset = (q.page - 1) * q.limit;
  let total: number;
  let rows: RecipientRow[];
  let mails: Map<string, MailStateRow>;
  if (q.status && MAIL_STATES.has(q.status)) {
    // A mail state: the total from the emails side by the mailing's id; the page by walking this
    // module's rows in order, a step at a time, asking each step's mails' state (no 10,000-id array).
    const state = q.status as MailState;
    const counts = await reads.stateCounts(m);
    total = counts.get(state) ?? 0;
    rows = [];
    mails = new Map();
    let seen = 0;
    for (let after = 0; rows.length < q.limit && seen < total; ) {
      const step = (await db.query<RecipientRow>(
        `SELECT ${COLS} FROM mailing_recipients WHERE mailing_id = $1 AND status = 'queued' AND email_id IS NOT NULL AND id > $2 ORDER BY id LIMIT $3`,
        [m.mailingId, after, SCAN],
      )).rows;
      if (step.length === 0) break;
      after = Number(step[step.length - 1]!.id);
      const states = await reads.statesOf(step.map((x) => x.email_id!));
      for (const x of step) {
        const mail = states.get(x.email_id!);
        if (mail?.state !== state) continue;
        if (seen++ >= offset && rows.length < q.limit) {
          rows.push(x);
          mails.set(x.email_id!, mail);
        }
      }
    }
  } else {
    let where = '';
    const params: unknown[] = [m.mailingId];
    if (q.status === 'skipped' || q.status === 'cancelled') {
      params.push(q.status);
      where = 'AND status = $2';
    } else if (q.status === 'pending') {
      where = "AND status = 'queued' AND email_id IS NULL";
    }
    const [count, page] = await Promise.all([
      db.query<{ n: string }>(`SELECT count(*) AS n FROM mailing_recipients WHERE mailing_id = $1 ${where}`, params),
      db.query<RecipientRow>(
        `SELECT ${COLS} FROM mailing_recipients WHERE mailing_id = $1 ${where} ORDER BY id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, q.limit, offset],
      ),
    ]);
    total = Number(count.rows[0]?.n ?? 0);
    rows = page.rows;
    mails = await reads.statesOf(rows.filter((x) => x.status === 'queued' && x.email_id).map((x) => x.email_id!));
  }
  return {
    total,
    items: rows.map((x) => {
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
export async function paceOf(reads: MailingReads, m: MailingKey): Promise<{ ratePerMinute: number; eta: string | null }> {
  const p = await reads.paceOf(m, 10);
  return { ratePerMinute: Math.round((p.recentSent / 10) * 10) / 10, eta: p.lastSlot?.toISOString() ?? null };
}
