/**
 * Per-mailbox pacing, enforced by the queue rather than by sleeping (sending-rules.md).
 *
 * Two guards, both on the mailbox row under FOR UPDATE so several processes agree:
 *  1. `reserveSlot` hands each queued email its own send time, `spacing` apart, pushed past the
 *     rolling 24 h window when the daily cap is full. Jobs are scheduled at their slots, so a
 *     bulk mailing never wakes all at once.
 *  2. `canSendNow` is checked when a job runs: nothing in flight for the mailbox and at least
 *     `spacing` since the previous send *finished*. A job that loses (late poll, restart backlog)
 *     takes a fresh slot. Measured at the SMTP server, two sends are therefore never closer than
 *     `spacing`: the next one is only claimed after the previous one completed.
 *
 * Every time compared here is the DATABASE's (`now()`, and `last_send_at`/`sent_at` written with
 * it): processes whose clocks disagree still hold the spacing. A slot comes back with `inMs`,
 * its distance from the database's now, which is what the caller hands to the local scheduler.
 */
import type { Queryable } from '../../infra/db/db.js';
import type { MailboxRow } from '../mailboxes/mailboxes.repository.js';

export const spacingMs = (m: Pick<MailboxRow, 'pacing_messages' | 'pacing_seconds'>): number =>
  Math.ceil((m.pacing_seconds * 1000) / m.pacing_messages);

/** A send time in the database's clock, and how far ahead of the database's now it is. */
export interface Slot {
  at: Date;
  inMs: number;
}

/** Caller holds the mailbox row lock (SELECT … FOR UPDATE) in `tx`. `delayMs`: not before now + delay. */
export async function reserveSlot(tx: Queryable, mailbox: MailboxRow, delayMs = 0): Promise<Slot> {
  const r = await tx.query<{ slot: Date; now: Date }>(
    `SELECT greatest(now() + make_interval(secs => $2::double precision / 1000), coalesce(next_slot_at, '-infinity')) AS slot,
            now() AS now
     FROM mailboxes WHERE id = $1`,
    [mailbox.id, delayMs],
  );
  const now = r.rows[0]!.now;
  let slot = r.rows[0]!.slot.getTime();
  if (mailbox.daily_cap) {
    // The cap-th most recent send or reservation bounds the rolling window.
    const k = await tx.query<{ t: Date }>(
      `SELECT coalesce(sent_at, not_before) AS t FROM emails
       WHERE mailbox_id = $1 AND status IN ('queued', 'sending', 'sent') AND coalesce(sent_at, not_before) > $2::timestamptz - interval '1 day'
       ORDER BY t DESC OFFSET $3 LIMIT 1`,
      [mailbox.id, new Date(slot), mailbox.daily_cap - 1],
    );
    const kth = k.rows[0]?.t;
    if (kth) slot = Math.max(slot, kth.getTime() + DAY_MS);
  }
  await tx.query('UPDATE mailboxes SET next_slot_at = $2 WHERE id = $1', [mailbox.id, new Date(slot + spacingMs(mailbox))]);
  return { at: new Date(slot), inMs: Math.max(0, slot - now.getTime()) };
}

/**
 * Gives the reservations of cancelled mail back (issue 6 §3): the next free slot is again right
 * after the last email still waiting, or now when none waits. Caller holds the mailbox row lock.
 * Retries (attempts > 0) wait on their own backoff, not on a reservation, so they do not count.
 */
export async function releaseSlots(tx: Queryable, mailbox: MailboxRow): Promise<void> {
  await tx.query(
    `UPDATE mailboxes SET next_slot_at = (
       SELECT max(not_before) + make_interval(secs => $2::double precision / 1000) FROM emails
       WHERE mailbox_id = $1 AND status = 'queued' AND attempts = 0)
     WHERE id = $1`,
    [mailbox.id, spacingMs(mailbox)],
  );
}

const DAY_MS = 24 * 60 * 60 * 1000;

export type SendDecision =
  | { ok: true }
  | { ok: false; reason: 'paused' | 'busy' }
  /** When the mailbox may send again (database clock), and how far ahead of now that is. */
  | { ok: false; reason: 'paced' | 'cap'; notBefore: Slot };

/** Caller holds the mailbox row lock. */
export async function canSendNow(tx: Queryable, mailbox: MailboxRow): Promise<SendDecision> {
  if (mailbox.paused) return { ok: false, reason: 'paused' };
  // Any send in flight, also one whose process died: it is resolved by the heartbeat sweep
  // within seconds (interrupted-sends.ts), which then wakes the mailbox. Until then nobody knows
  // when it reached the server, so the spacing cannot be honoured around it.
  const inFlight = await tx.query("SELECT 1 FROM emails WHERE mailbox_id = $1 AND status = 'sending' LIMIT 1", [mailbox.id]);
  if (inFlight.rowCount) return { ok: false, reason: 'busy' };
  const clock = await tx.query<{ now: Date }>('SELECT now() AS now');
  const now = clock.rows[0]!.now.getTime();
  const after = (t: number): Slot => ({ at: new Date(t), inMs: Math.max(0, t - now) });
  if (mailbox.last_send_at && now < mailbox.last_send_at.getTime() + spacingMs(mailbox)) {
    return { ok: false, reason: 'paced', notBefore: after(mailbox.last_send_at.getTime() + spacingMs(mailbox)) };
  }
  if (mailbox.daily_cap) {
    // The cap-th most recent send in the window: once it leaves the window, one more may go.
    const c = await tx.query<{ sent_at: Date }>(
      `SELECT sent_at FROM emails WHERE mailbox_id = $1 AND status = 'sent' AND sent_at > now() - interval '1 day'
       ORDER BY sent_at DESC OFFSET $2 LIMIT 1`,
      [mailbox.id, mailbox.daily_cap - 1],
    );
    const kth = c.rows[0]?.sent_at;
    if (kth) return { ok: false, reason: 'cap', notBefore: after(kth.getTime() + DAY_MS) };
  }
  return { ok: true };
}
