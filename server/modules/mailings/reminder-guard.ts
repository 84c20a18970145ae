/**
 * A reminder "re-checks at send time, so a person who responds in between is skipped" (issue 7
 * §1). Reminder mails are queued with a send-time condition (batch-run.ts); when the drain claims
 * them it asks this guard (the emails module's PreSendGuard port, wired in container.ts) in the
 * claim's transaction, before any SMTP traffic. A recipient who responded to the first mailing
 * since the reminder resolved is refused, and their recipient row ends `skipped` with the
 * reason the sweep records, in the same commit as the mail's cancellation: counts follow at once.
 */
import type { Queryable } from '../../infra/db/db.js';
import type { HoldCode, PreSendGuard, ResponseReads } from './delivery.port.js';
import type { MailingRow } from './mailings.repository.js';
import { reminderFilter } from './reminder-filter.js';

export const RESPONDED_REASON = 'responded to the first mailing';

type Row = Pick<MailingRow, 'parent_mailing_id' | 'reminder'> & { id: string; mailing_id: string; email: string; email_id: string; status: string };

/** `readsOn(tx)`: the response reads on the claim's own connection (a pool connection inside it could starve the pool). */
export function reminderGuard(readsOn: (q: Queryable) => ResponseReads): PreSendGuard {
  return {
    async refuse(tx, mails) {
      // Recipient rows locked in id order, as the sweep's hold locks them (reminder-recheck.ts).
      const rows = (await tx.query<Row>(
        `SELECT r.id, r.mailing_id, r.email, r.email_id, r.status, m.parent_mailing_id, m.reminder
         FROM (SELECT id, mailing_id, email, email_id, status FROM mailing_recipients WHERE email_id = ANY($1::uuid[]) ORDER BY id FOR UPDATE) r
         JOIN mailings m ON m.id = r.mailing_id AND m.reminder IS NOT NULL ORDER BY r.id`,
        [mails.map((m) => m.id)],
      )).rows;
      const out = new Map<string, HoldCode>();
      const byMailing = new Map<string, Row[]>();
      for (const r of rows) {
        // Marked skipped already: it must not go either (the sweep marks a recipient only together
        // with its mail's hold, so this is a safety net, not a path expected to run).
        if (r.status === 'skipped') out.set(r.email_id, 'RESPONDED');
        else if (r.status === 'queued') byMailing.set(r.mailing_id, [...(byMailing.get(r.mailing_id) ?? []), r]);
      }
      const reads = readsOn(tx);
      const responded: string[] = [];
      for (const list of byMailing.values()) {
        const still = await reminderFilter(tx, reads, list[0]!, list.map((r) => r.email));
        for (const r of list) {
          if (still.has(r.email)) continue;
          out.set(r.email_id, 'RESPONDED');
          responded.push(r.id);
        }
      }
      if (responded.length) {
        await tx.query("UPDATE mailing_recipients SET status = 'skipped', reason = $2 WHERE id = ANY($1::bigint[])", [responded, RESPONDED_REASON]);
      }
      return out;
    },
  };
}
