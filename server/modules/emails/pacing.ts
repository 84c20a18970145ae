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
 */
import type { Queryable } from '../../infra/db/db.js';
import type { MailboxRow } from '../mailboxes/mailboxes.repository.js';

export const spacingMs = (m: Pick<MailboxRow, 'pacing_messages' | 'pacing_seconds'>): number =>
  Math.ceil((m.pacing_seconds * 1000) / m.pacing_messages);

const DAY_MS = 24 * 60 * 60 * 1000;

/** Caller holds the mailbox row lock (SELECT … FOR UPDATE) in `tx`. */
export async function reserveSlot(tx: Queryable, mailbox: MailboxRow, earliest: Date = new Date()): Promise<Date> {
  const spacing = spacingMs(mailbox);
  const r = await tx.query<{ next_slot_at: Date | null }>('SELECT next_slot_at FROM mailboxes WHERE id = $1', [mailbox.id]);
  let slot = Math.max(earliest.getTime(), r.rows[0]?.next_slot_at?.getTime() ?? 0);
  if (mailbox.daily_cap) {
    // The cap-th most recent send or reservation bounds the rolling window.
    const k = await tx.query<{ t: Date }>(
      `SELECT coalesce(sent_at, not_before) AS t FROM emails
       WHERE mailbox_id = $1 AND status IN ('queued', 'sending', 'sent') AND coalesce(sent_at, not_before) > $2
       ORDER BY t DESC OFFSET $3 LIMIT 1`,
      [mailbox.id, new Date(slot - DAY_MS), mailbox.daily_cap - 1],
    );
    const kth = k.rows[0]?.t;
    if (kth) slot = Math.max(slot, kth.getTime() + DAY_MS);
  }
  await tx.query('UPDATE mailboxes SET next_slot_at = $2 WHERE id = $1', [mailbox.id, new Date(slot + spacing)]);
  return new Date(slot);
}

export type SendDecision =
  | { ok: true }
  | { ok: false; reason: 'paused' | 'busy' }
  /** When the mailbox may send again. */
  | { ok: false; reason: 'paced' | 'cap'; notBefore: Date };

/** Caller holds the mailbox row lock. */
export async function canSendNow(tx: Queryable, mailbox: MailboxRow, now = new Date()): Promise<SendDecision> {
  if (mailbox.paused) return { ok: false, reason: 'paused' };
  const inFlight = await tx.query(
    "SELECT 1 FROM emails WHERE mailbox_id = $1 AND status = 'sending' AND lease_until > now() LIMIT 1",
    [mailbox.id],
  );
  if (inFlight.rowCount) return { ok: false, reason: 'busy' };
  if (mailbox.last_send_at && now.getTime() < mailbox.last_send_at.getTime() + spacingMs(mailbox)) {
    return { ok: false, reason: 'paced', notBefore: new Date(mailbox.last_send_at.getTime() + spacingMs(mailbox)) };
  }
  if (mailbox.daily_cap) {
    // The cap-th most recent send in the window: once it leaves the window, one more may go.
    const c = await tx.query<{ sent_at: Date }>(
      `SELECT sent_at FROM emails WHERE mailbox_id = $1 AND status = 'sent' AND sent_at > $2
       ORDER BY sent_at DESC OFFSET $3 LIMIT 1`,
      [mailbox.id, new Date(now.getTime() - DAY_MS), mailbox.daily_cap - 1],
    );
    const kth = c.rows[0]?.sent_at;
    if (kth) return { ok: false, reason: 'cap', notBefore: new Date(kth.getTime() + DAY_MS) };
  }
  return { ok: true };
}
