/**
 * A mailing's progress, derived from its recipients' emails (never stored twice): counts by
 * status, skips and failures grouped by reason, a page of recipients. Reads the status of the
 * mails this module created (read-only; the emails module owns those rows).
 */
import type { Queryable } from '../../infra/db/db.js';
import type { RecipientStatus, RecipientView } from '../../../shared/schemas/mailing.js';

/** A recipient's status as one SQL expression over r (mailing_recipients) and e (emails). */
export const RECIPIENT_STATUS = `CASE
  WHEN r.status = 'skipped' THEN 'skipped'
  WHEN r.status = 'cancelled' THEN 'cancelled'
  WHEN e.id IS NULL THEN 'pending'
  WHEN e.status = 'cancelled' AND e.error_code = 'MAILING_PAUSED' THEN 'paused'
  ELSE e.status END`;

const ALL: RecipientStatus[] = ['skipped', 'pending', 'queued', 'sending', 'sent', 'failed', 'unknown', 'paused', 'cancelled'];

export async function countsOf(db: Queryable, mailingId: string): Promise<Record<RecipientStatus, number>> {
  const r = await db.query<{ s: RecipientStatus; n: string }>(
    `SELECT ${RECIPIENT_STATUS} AS s, count(*) AS n FROM mailing_recipients r LEFT JOIN emails e ON e.id = r.email_id
     WHERE r.mailing_id = $1 GROUP BY 1`,
    [mailingId],
  );
  const out = Object.fromEntries(ALL.map((s) => [s, 0])) as Record<RecipientStatus, number>;
  for (const row of r.rows) out[row.s] = Number(row.n);
  return out;
}

/** Skips, failures and sends interrupted by a crash (`unknown`: maybe delivered, never resent). */
export async function reasonsOf(db: Queryable, mailingId: string): Promise<{ status: 'skipped' | 'failed' | 'unknown'; reason: string; count: number }[]> {
  const r = await db.query<{ status: 'skipped' | 'failed' | 'unknown'; reason: string; n: string }>(
    `SELECT CASE WHEN r.status = 'skipped' THEN 'skipped' WHEN e.status = 'unknown' THEN 'unknown' ELSE 'failed' END AS status,
       coalesce(CASE WHEN r.status = 'skipped' THEN r.reason ELSE e.error_text END, 'unknown') AS reason, count(*) AS n
     FROM mailing_recipients r LEFT JOIN emails e ON e.id = r.email_id
     WHERE r.mailing_id = $1 AND (r.status = 'skipped' OR e.status IN ('failed', 'unknown'))
     GROUP BY 1, 2 ORDER BY 3 DESC, 2`,
    [mailingId],
  );
  return r.rows.map((x) => ({ status: x.status, reason: x.reason, count: Number(x.n) }));
}

export async function recipientsPage(
  db: Queryable,
  mailingId: string,
  q: { status?: RecipientStatus; page: number; limit: number },
): Promise<{ total: number; items: RecipientView[] }> {
  const where = `r.mailing_id = $1 AND ($2::text IS NULL OR ${RECIPIENT_STATUS} = $2)`;
  const total = await db.query<{ n: string }>(`SELECT count(*) AS n FROM mailing_recipients r LEFT JOIN emails e ON e.id = r.email_id WHERE ${where}`, [
    mailingId,
    q.status ?? null,
  ]);
  const rows = await db.query<{
    entity_type: RecipientView['entityType'];
    entity_id: string;
    contact_id: string | null;
    email: string | null;
    s: RecipientStatus;
    reason: string | null;
    email_id: string | null;
    sent_at: Date | null;
  }>(
    `SELECT r.entity_type, r.entity_id, r.contact_id, r.email, ${RECIPIENT_STATUS} AS s,
       CASE WHEN r.status = 'skipped' THEN r.reason WHEN e.status IN ('failed', 'queued', 'unknown') THEN e.error_text END AS reason,
       r.email_id, e.sent_at
     FROM mailing_recipients r LEFT JOIN emails e ON e.id = r.email_id WHERE ${where} ORDER BY r.id LIMIT $3 OFFSET $4`,
    [mailingId, q.status ?? null, q.limit, (q.page - 1) * q.limit],
  );
  return {
    total: Number(total.rows[0]?.n ?? 0),
    items: rows.rows.map((x) => ({
      entityType: x.entity_type,
      entityId: Number(x.entity_id),
      contactId: x.contact_id === null ? null : Number(x.contact_id),
      email: x.email,
      status: x.s,
      reason: x.reason,
      emailId: x.email_id,
      sentAt: x.sent_at?.toISOString() ?? null,
    })),
  };
}

/**
 * Mailboxes that hold this mailing's queued mails because they are paused (a 535 turned one
 * red): the mailing shows as paused with their reason until a passing check resumes them.
 */
export async function pausedMailboxesOf(db: Queryable, mailingId: string): Promise<{ name: string; reason: string | null }[]> {
  const r = await db.query<{ name: string; reason: string | null }>(
    `SELECT DISTINCT m.display_name AS name, m.paused_reason AS reason
     FROM mailing_recipients r JOIN emails e ON e.id = r.email_id JOIN mailboxes m ON m.id = e.mailbox_id
     WHERE r.mailing_id = $1 AND e.status = 'queued' AND m.paused ORDER BY 1`,
    [mailingId],
  );
  return r.rows;
}

/**
 * Rate (mails handed to SMTP in the last 10 minutes, per minute) and ETA: the planned slot of the
 * last queued mail, which pacing already pushed past the daily cap's rolling window if need be.
 */
export async function paceOf(db: Queryable, mailingId: string): Promise<{ ratePerMinute: number; eta: string | null }> {
  const r = await db.query<{ recent: string; last_slot: Date | null }>(
    `SELECT count(*) FILTER (WHERE e.status = 'sent' AND e.sent_at > now() - interval '10 minutes') AS recent,
       max(e.not_before) FILTER (WHERE e.status IN ('queued', 'sending')) AS last_slot
     FROM mailing_recipients r JOIN emails e ON e.id = r.email_id WHERE r.mailing_id = $1`,
    [mailingId],
  );
  const row = r.rows[0];
  return { ratePerMinute: Math.round((Number(row?.recent ?? 0) / 10) * 10) / 10, eta: row?.last_slot?.toISOString() ?? null };
}
