/**
 * Group commit of `sent` outcomes for a mailbox without a pace limit (issue 7 §2): the 250s that
 * arrive while one write is under way are recorded together by the next, in ONE statement (the
 * emails flipped `sending → sent` and their history lines), instead of one statement per mail.
 * A send counts as done only when its write has committed: nothing is acknowledged that is not
 * durable. A crash between the 250 and the commit leaves the mail `sending`, like any mail in
 * flight at a crash, and the heartbeat sweep settles it (interrupted-sends.ts): `sent` if it is
 * found in the Sent folder, `unknown` otherwise, never resent. Its id stays in the process's
 * in-flight set until then, so the sweep does not mistake it for a stray claim.
 *
 * The rules of send-outcome.ts hold per row: only a claim still ours is finished (status,
 * owner instance and attempt, as STILL_OURS), and no mailbox row is written, so there is no lock
 * order to keep with the mailbox. The email rows are locked in id order, so two writers of
 * overlapping rows (this one and a peer's takeover) cannot deadlock on each other's order; if
 * the shared statement fails anyway, each mail is recorded alone, so one bad row cannot leave
 * the others of its batch `sending`.
 */
import type { Db } from '../../infra/db/db.js';
import { GroupCommit } from '../tracking/group-commit.js';

export interface SentEntry {
  id: string;
  attempt: number;
  /** The server's final reply. */
  response: string;
  /** The `sent` history line's data, as JSON. */
  data: string;
}

/** The email as recorded (null: no longer ours, so not recorded), or why the write failed. */
export type SentRecord = { sentAt: Date; now: Date } | null | Error;

/** Outcomes gathered while a write is under way go in the next one, up to this many. */
const MAX_BATCH = 500;

const WRITE = `
  WITH x AS (SELECT * FROM unnest($2::uuid[], $3::int[], $4::text[], $5::jsonb[]) AS x(id, attempt, response, data)),
  l AS (SELECT e.id FROM emails e JOIN x ON x.id = e.id
        WHERE e.status = 'sending' AND e.owner_instance = $1 AND e.attempts = x.attempt ORDER BY e.id FOR UPDATE OF e),
  u AS (
    UPDATE emails e SET status = 'sent', sent_at = now(), owner_instance = NULL, lease_until = NULL, smtp_response = x.response,
      error_code = NULL, error_text = NULL, updated_at = now()
    FROM x WHERE e.id = x.id AND e.id IN (SELECT id FROM l)
    RETURNING e.id, e.account_id, e.sent_at, x.data),
  ev AS (INSERT INTO email_events (email_id, account_id, type, data) SELECT id, account_id, 'sent', data FROM u)
  SELECT id, sent_at, now() AS now FROM u`;

export type SentLog = GroupCommit<SentEntry, SentRecord>;

export function createSentLog(db: Db, instanceId: string): SentLog {
  const write = async (entries: SentEntry[]): Promise<Map<string, { sentAt: Date; now: Date }>> => {
    const r = await db.query<{ id: string; sent_at: Date; now: Date }>(WRITE, [
      instanceId,
      entries.map((e) => e.id),
      entries.map((e) => e.attempt),
      entries.map((e) => e.response),
      entries.map((e) => e.data),
    ]);
    return new Map(r.rows.map((row) => [row.id, { sentAt: row.sent_at, now: row.now }]));
  };
  return new GroupCommit<SentEntry, SentRecord>(
    async (entries) => {
      try {
        const done = await write(entries);
        return entries.map((e) => done.get(e.id) ?? null);
      } catch (err) {
        if (entries.length === 1) return [err as Error];
        return Promise.all(entries.map(async (e) => write([e]).then((d) => d.get(e.id) ?? null, (one: unknown) => one as Error)));
      }
    },
    // 0: the first outcome waits only for the next turn of the event loop; under load the
    // outcomes that arrive during a write make up the next batch.
    { windowMs: 0, maxBatch: MAX_BATCH, maxInFlight: 1 },
  );
}
