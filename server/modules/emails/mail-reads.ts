/**
 * Read side of the emails table for the mails another module created (a mailing's): their
 * states, failure reasons, pace and hourly sends. Exported for the mailings module's port
 * (mailings/delivery.port.ts, wired in container.ts), so it never queries this table itself.
 * A whole mailing is asked by its id (emails.mailing_id, given at bulk enqueue): one range of
 * the emails_account_mailing index, where shipping its 10,000 mail ids cost ~20 ms per query.
 * A page of mails, or a reminder's batch, is still asked by ids (an array joined through unnest).
 */
import type { Queryable } from '../../infra/db/db.js';

/** A mail's state as a mailing shows it: a mail held by a pause is `paused`, not cancelled. */
export type MailState = 'queued' | 'sending' | 'sent' | 'failed' | 'unknown' | 'paused' | 'cancelled';

const STATE = `CASE WHEN e.status = 'cancelled' AND e.error_code = 'MAILING_PAUSED' THEN 'paused' ELSE e.status END`;
const OF = 'FROM unnest($1::uuid[]) AS x(id) JOIN emails e ON e.id = x.id';

/** A mailing, as its mails carry it. */
export interface MailingKey {
  accountId: number;
  mailingId: string;
}

/**
 * The mails of a mailing ($1 account, $2 mailing). A mail taken back because its recipient
 * responded (hold code RESPONDED) is not counted: the mailing shows that recipient as skipped.
 */
const OF_MAILING = `FROM emails e WHERE e.account_id = $1 AND e.mailing_id = $2 AND e.error_code IS DISTINCT FROM 'RESPONDED'`;
const key = (k: MailingKey) => [k.accountId, k.mailingId];

export async function stateCounts(db: Queryable, k: MailingKey): Promise<Map<MailState, number>> {
  const r = await db.query<{ s: MailState; n: string }>(`SELECT ${STATE} AS s, count(*) AS n ${OF_MAILING} GROUP BY 1`, key(k));
  return new Map(r.rows.map((x) => [x.s, Number(x.n)]));
}

export interface MailStateRow {
  state: MailState;
  /** Why it failed, is unknown, or waits (a retry's last error). */
  error: string | null;
  sentAt: Date | null;
}

export async function statesOf(db: Queryable, ids: string[]): Promise<Map<string, MailStateRow>> {
  const r = await db.query<{ id: string; s: MailState; error_text: string | null; sent_at: Date | null }>(`SELECT e.id, ${STATE} AS s, e.error_text, e.sent_at ${OF}`, [ids]);
  return new Map(r.rows.map((x) => [x.id, { state: x.s, error: x.error_text, sentAt: x.sent_at }]));
}

/** The ids among `ids` whose mail is in `state` (a page or a batch of mails). */
export async function inState(db: Queryable, ids: string[], state: MailState): Promise<string[]> {
  const r = await db.query<{ id: string }>(`SELECT e.id ${OF} WHERE ${STATE} = $2`, [ids, state]);
  return r.rows.map((x) => x.id);
}

/** Failed mails and sends interrupted by a crash (`unknown`), grouped by their error text. */
export async function failureReasons(db: Queryable, k: MailingKey): Promise<{ status: 'failed' | 'unknown'; reason: string; count: number }[]> {
  const r = await db.query<{ status: 'failed' | 'unknown'; reason: string; n: string }>(
    `SELECT e.status, coalesce(e.error_text, 'unknown') AS reason, count(*) AS n ${OF_MAILING} AND e.status IN ('failed', 'unknown') GROUP BY 1, 2`,
    key(k),
  );
  return r.rows.map((x) => ({ status: x.status, reason: x.reason, count: Number(x.n) }));
}

/** Mails handed to SMTP in the last `minutes`, and the planned slot of the last one still waiting. */
export async function paceOf(db: Queryable, k: MailingKey, minutes: number): Promise<{ recentSent: number; lastSlot: Date | null }> {
  const r = await db.query<{ recent: string; last_slot: Date | null }>(
    `SELECT count(*) FILTER (WHERE e.status = 'sent' AND e.sent_at > now() - make_interval(mins => $3)) AS recent,
       max(e.not_before) FILTER (WHERE e.status IN ('queued', 'sending')) AS last_slot ${OF_MAILING}`,
    [...key(k), minutes],
  );
  return { recentSent: Number(r.rows[0]?.recent ?? 0), lastSlot: r.rows[0]?.last_slot ?? null };
}

/** Paused mailboxes (e.g. SMTP 535) that hold some of these mails in the queue. */
export async function pausedMailboxesOf(db: Queryable, k: MailingKey): Promise<{ name: string; reason: string | null }[]> {
  const r = await db.query<{ name: string; reason: string | null }>(
    `SELECT m.display_name AS name, m.paused_reason AS reason FROM mailboxes m
     WHERE m.paused AND EXISTS (SELECT 1 ${OF_MAILING} AND e.mailbox_id = m.id AND e.status = 'queued') ORDER BY 1`,
    key(k),
  );
  return r.rows;
}

/** Sent and failed mails: totals, and per UTC hour (a failure counted when it was recorded). */
export async function sendsPerHour(db: Queryable, k: MailingKey): Promise<{ sent: number; failed: number; hourly: { hour: Date; series: 'sent' | 'failed'; n: number }[] }> {
  const totals = await db.query<{ sent: string; failed: string }>(
    `SELECT count(*) FILTER (WHERE e.status = 'sent') AS sent, count(*) FILTER (WHERE e.status = 'failed') AS failed ${OF_MAILING}`,
    key(k),
  );
  const hourly = await db.query<{ hour: Date; series: 'sent' | 'failed'; n: string }>(
    `SELECT date_trunc('hour', t.at) AS hour, t.series, count(*) AS n FROM (
       SELECT e.sent_at AS at, 'sent' AS series ${OF_MAILING} AND e.status = 'sent'
       UNION ALL SELECT ev.at, 'failed' FROM email_events ev WHERE ev.type = 'failed' AND ev.email_id IN (SELECT e.id ${OF_MAILING})
     ) t GROUP BY 1, 2`,
    key(k),
  );
  return {
    sent: Number(totals.rows[0]?.sent ?? 0),
    failed: Number(totals.rows[0]?.failed ?? 0),
    hourly: hourly.rows.map((x) => ({ hour: x.hour, series: x.series, n: Number(x.n) })),
  };
}

/** The ids among `ids` that were delivered (status sent). */
export async function sentAmong(db: Queryable, ids: string[]): Promise<Set<string>> {
  return new Set(await inState(db, ids, 'sent'));
}

/** The ids of a mailing's mails still waiting to leave: queued, or held by a pause. */
export async function waitingOf(db: Queryable, k: MailingKey): Promise<Set<string>> {
  const r = await db.query<{ id: string }>(`SELECT e.id ${OF_MAILING} AND (e.status = 'queued' OR (e.status = 'cancelled' AND e.error_code = 'MAILING_PAUSED'))`, key(k));
  return new Set(r.rows.map((x) => x.id));
}
