/**
 * Per-mailbox pacing, enforced where mail is claimed rather than by sleeping (sending-rules.md).
 *
 *  1. The drain (send-email.job.ts) is the guard: under the mailbox row lock it claims nothing
 *     while a send of the mailbox is in flight, nothing before `last_send_at + spacing`, and never
 *     more than the rolling-24 h daily cap leaves room for — all in the DATABASE clock, so
 *     processes whose clocks disagree still hold the spacing. Measured at the SMTP server, two
 *     sends of a paced mailbox are never closer than `spacing`: the next one is claimed only after
 *     the previous one completed.
 *  2. `not_before` is a plan, not a reservation that must be honoured: the earliest a mail may
 *     leave (a mailing's start time, a retry's backoff) pushed to where the mailbox's pace will
 *     get to it, so views and a mailing's ETA can show it. A mailing's batch is planned in one
 *     pass (`planBatch`: one read, one write per batch, not two statements per mail) on the
 *     mailbox's `next_slot_at`; a single send (priority 0) plans only behind other single sends,
 *     since the drain takes it before any queued mailing mail.
 *
 * A slot comes back with `inMs`, its distance from the database's now, which is what the caller
 * hands to the local scheduler.
 */
import type { Queryable } from '../../infra/db/db.js';
import type { MailboxRow } from '../mailboxes/mailboxes.repository.js';

export const spacingMs = (m: Pick<MailboxRow, 'pacing_messages' | 'pacing_seconds'>): number =>
  Math.ceil((m.pacing_seconds * 1000) / m.pacing_messages);

/**
 * A pace of 1,000 messages a second or more counts as "no pace limit": such a mailbox keeps
 * several messages in flight over pooled connections (send-email.job.ts), and its mail is planned
 * due at once instead of a millisecond apart. Anything slower sends one message at a time.
 */
export const isUnpaced = (m: Pick<MailboxRow, 'pacing_messages' | 'pacing_seconds'>): boolean => spacingMs(m) <= 1;
const planSpacing = (m: Pick<MailboxRow, 'pacing_messages' | 'pacing_seconds'>): number => (isUnpaced(m) ? 0 : spacingMs(m));

/** A send time in the database's clock, and how far ahead of the database's now it is. */
export interface Slot {
  at: Date;
  inMs: number;
}

/**
 * The planned time of a single send (priority 0). Caller holds the mailbox row lock. It queues
 * behind other waiting single sends and the last send only: the mailing mails of the mailbox
 * yield to it. The daily cap counts what left and what waits with the same priority.
 */
export async function reserveSlot(tx: Queryable, mailbox: MailboxRow, delayMs = 0): Promise<Slot> {
  const spacing = planSpacing(mailbox);
  const r = await tx.query<{ slot: Date; now: Date }>(
    `SELECT greatest(now() + make_interval(secs => $2::double precision / 1000),
              coalesce(m.last_send_at + make_interval(secs => $3::double precision / 1000), '-infinity'),
              coalesce((SELECT max(not_before) FROM emails WHERE mailbox_id = $1 AND status = 'queued' AND priority = 0 AND attempts = 0)
                + make_interval(secs => $3::double precision / 1000), '-infinity')) AS slot,
            now() AS now
     FROM mailboxes m WHERE m.id = $1`,
    [mailbox.id, delayMs, spacing],
  );
  const now = r.rows[0]!.now;
  let slot = r.rows[0]!.slot.getTime();
  if (mailbox.daily_cap) {
    // The cap-th most recent send or planned single send bounds the rolling window.
    const k = await tx.query<{ t: Date }>(
      `SELECT coalesce(sent_at, not_before) AS t FROM emails
       WHERE mailbox_id = $1 AND (status IN ('sending', 'sent') OR (status = 'queued' AND priority = 0))
         AND coalesce(sent_at, not_before) > $2::timestamptz - interval '1 day'
       ORDER BY t DESC OFFSET $3 LIMIT 1`,
      [mailbox.id, new Date(slot), mailbox.daily_cap - 1],
    );
    const kth = k.rows[0]?.t;
    if (kth) slot = Math.max(slot, kth.getTime() + DAY_MS);
  }
  return { at: new Date(slot), inMs: Math.max(0, slot - now.getTime()) };
}

/**
 * Plans `n` mailing mails (priority 1) in one pass, as `n` calls of a per-mail reservation would
 * have: one spacing apart after the mailbox's `next_slot_at`, each pushed past the rolling 24 h
 * window when the daily cap is full (so the mailing's ETA says when the cap lets it finish).
 * Caller holds the mailbox row lock. Two statements (three with a cap), whatever `n`.
 */
export async function planBatch(tx: Queryable, mailbox: MailboxRow, n: number, delayMs = 0): Promise<Slot[]> {
  const spacing = planSpacing(mailbox);
  const r = await tx.query<{ base: Date; now: Date }>(
    `SELECT greatest(now() + make_interval(secs => $2::double precision / 1000), coalesce(next_slot_at, '-infinity')) AS base, now() AS now
     FROM mailboxes WHERE id = $1`,
    [mailbox.id, delayMs],
  );
  const now = r.rows[0]!.now.getTime();
  let cursor = r.rows[0]!.base.getTime();
  const cap = mailbox.daily_cap;
  // The last `cap` times in the window (ascending): enough to find each new mail's cap-th predecessor.
  const window: number[] = [];
  if (cap) {
    const k = await tx.query<{ t: Date }>(
      `SELECT coalesce(sent_at, not_before) AS t FROM emails
       WHERE mailbox_id = $1 AND status IN ('queued', 'sending', 'sent') AND coalesce(sent_at, not_before) > $2::timestamptz - interval '1 day'
       ORDER BY t DESC LIMIT $3`,
      [mailbox.id, new Date(cursor), cap],
    );
    for (const row of k.rows.reverse()) window.push(row.t.getTime());
  }
  const out: Slot[] = [];
  for (let i = 0; i < n; i++) {
    let slot = cursor;
    if (cap && window.length >= cap) {
      const kth = window[window.length - cap]!;
      if (kth > slot - DAY_MS) slot = Math.max(slot, kth + DAY_MS);
    }
    if (cap) {
      window.push(slot);
      if (window.length > cap) window.shift();
    }
    out.push({ at: new Date(slot), inMs: Math.max(0, slot - now) });
    cursor = slot + spacing;
  }
  await tx.query('UPDATE mailboxes SET next_slot_at = $2 WHERE id = $1', [mailbox.id, new Date(cursor)]);
  return out;
}

/**
 * Gives the planned slots of cancelled mailing mail back (issue 6 §3): the next free slot is
 * again right after the last mailing mail still waiting, or now when none waits. Caller holds
 * the mailbox row lock. Retries wait on their own backoff and single sends on their own plan.
 */
export async function releaseSlots(tx: Queryable, mailbox: MailboxRow): Promise<void> {
  await tx.query(
    `UPDATE mailboxes SET next_slot_at = (
       SELECT max(not_before) + make_interval(secs => $2::double precision / 1000) FROM emails
       WHERE mailbox_id = $1 AND status = 'queued' AND attempts = 0 AND priority = 1)
     WHERE id = $1`,
    [mailbox.id, planSpacing(mailbox)],
  );
}

const DAY_MS = 24 * 60 * 60 * 1000;

export type SendDecision =
  /** `room`: how many mails may be claimed now (free places in flight, within the daily cap). */
  | { ok: true; room: number }
  | { ok: false; reason: 'paused' | 'busy' }
  /** When the mailbox may send again (database clock), and how far ahead of now that is. */
  | { ok: false; reason: 'paced' | 'cap'; notBefore: Slot };

/** What canSendNow reads first; the drain reads it together with its own first look (send-email.job.ts). */
export const CLOCK_SQL = "now() AS now, (SELECT count(*)::int FROM emails WHERE mailbox_id = $1 AND status = 'sending') AS in_flight";

/**
 * Caller holds the mailbox row lock. `maxInFlight`: 1 for a paced mailbox; more for one without
 * a pace limit, whose claims may overlap its own sends in flight. `clock`: CLOCK_SQL's row, read
 * under that lock, when the caller has it already.
 */
export async function canSendNow(
  tx: Queryable,
  mailbox: MailboxRow,
  maxInFlight = 1,
  known?: { now: Date; in_flight: number },
): Promise<SendDecision> {
  if (mailbox.paused) return { ok: false, reason: 'paused' };
  // Any send in flight, also one whose process died, counts: it is resolved by the heartbeat
  // sweep within seconds (interrupted-sends.ts), which then wakes the mailbox. Until then nobody
  // knows when it reached the server, so the spacing cannot be honoured around it. (emails_sending.)
  const clock = known ? { rows: [known] } : await tx.query<{ now: Date; in_flight: number }>(`SELECT ${CLOCK_SQL}`, [mailbox.id]);
  const inFlight = clock.rows[0]!.in_flight;
  if (inFlight >= maxInFlight) return { ok: false, reason: 'busy' };
  const now = clock.rows[0]!.now.getTime();
  const after = (t: number): Slot => ({ at: new Date(t), inMs: Math.max(0, t - now) });
  if (mailbox.last_send_at && now < mailbox.last_send_at.getTime() + spacingMs(mailbox)) {
    return { ok: false, reason: 'paced', notBefore: after(mailbox.last_send_at.getTime() + spacingMs(mailbox)) };
  }
  const free = maxInFlight - inFlight;
  if (!mailbox.daily_cap) return { ok: true, room: free };
  const sent = await tx.query<{ n: number; kth: Date | null }>(
    `SELECT count(*)::int AS n,
       (SELECT sent_at FROM emails WHERE mailbox_id = $1 AND status = 'sent' AND sent_at > now() - interval '1 day'
        ORDER BY sent_at DESC OFFSET $2 LIMIT 1) AS kth
     FROM emails WHERE mailbox_id = $1 AND status = 'sent' AND sent_at > now() - interval '1 day'`,
    [mailbox.id, mailbox.daily_cap - 1],
  );
  const { n, kth } = sent.rows[0]!;
  // The cap-th most recent send in the window: once it leaves the window, one more may go.
  if (kth) return { ok: false, reason: 'cap', notBefore: after(kth.getTime() + DAY_MS) };
  // Sends in flight may all end sent: the cap is never exceeded by one.
  const room = mailbox.daily_cap - n - inFlight;
  if (room <= 0) return { ok: false, reason: 'busy' };
  return { ok: true, room: Math.min(free, room) };
}
