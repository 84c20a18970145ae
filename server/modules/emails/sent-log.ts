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
 * The places those mails held are filled again in the same transaction (`Refill`): the drain
 * locks the mailbox, the outcomes are written, and the drain claims as many mails as that frees,
 * which start the moment it commits. One transaction and one WAL flush per round instead of a
 * write, then a claim once the write has woken the drain: the sends of a mailbox no longer move
 * in waves (all places freed together, then idle while the next claim runs), which is what kept
 * the drain under 0.9 × the raw nodemailer pool (issue 7 §2; `BENCH_ONLY=drain npm run bench`).
 * "In flight" stays what the database counts: a mail is `sending` until its outcome commits, and
 * its successor is claimed by that very commit, so no more than SMTP_UNPACED_PARALLEL are ever
 * claimed and not recorded, and none is claimed that does not start at once.
 *
 * The rules of send-outcome.ts hold per row: only a claim still ours is finished (status,
 * owner instance and attempt, as STILL_OURS). With a refill the mailbox is locked first, as
 * everywhere (mailbox, then email); without one no mailbox row is touched. The email rows are
 * locked in id order, so two writers of overlapping rows (this one and a peer's takeover) cannot
 * deadlock on each other's order; if the shared transaction fails anyway, each mail is recorded
 * alone (and nothing is claimed), so one bad row cannot leave the others of its batch `sending`.
 */
import { withTransaction, type Db, type Queryable } from '../../infra/db/db.js';
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
/**
 * …and with a refill, up to this many: a round that records and refills a dozen places lets the
 * next dozen start while the others still send, so the places stay staggered. Measured with 40 in
 * flight (`BENCH_ONLY=drain npm run bench`, medians of three rounds against the raw pool): rounds
 * of up to 500 took ≈ 35 outcomes each, the sends moved in waves and the drain reached 0.90 ×;
 * rounds of 12 reach 0.99 × at 0.63 statements per mail.
 */
const REFILL_BATCH = 12;

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

/** What fills the places of the recorded mails again, in the transaction that records them. */
export interface Refill<C> {
  /** Whether to claim at all now (not while the drain is stopping). */
  active(): boolean;
  /** Takes the mailbox row lock: first, as in every transaction that writes a mailbox's mail. */
  lock(tx: Queryable): Promise<void>;
  /** After the outcomes are written, still in their transaction: claims what the freed places allow. */
  claim(tx: Queryable): Promise<C>;
  /** The transaction committed: start what was claimed. */
  committed(claimed: C): void;
  /** The transaction failed: nothing was claimed. */
  rolledBack(): void;
}

async function writeSent(q: Queryable, instanceId: string, entries: SentEntry[]): Promise<Map<string, { sentAt: Date; now: Date }>> {
  const r = await q.query<{ id: string; sent_at: Date; now: Date }>(WRITE, [
    instanceId,
    entries.map((e) => e.id),
    entries.map((e) => e.attempt),
    entries.map((e) => e.response),
    entries.map((e) => e.data),
  ]);
  return new Map(r.rows.map((row) => [row.id, { sentAt: row.sent_at, now: row.now }]));
}

export function createSentLog<C>(db: Db, instanceId: string, refill?: Refill<C>): SentLog {
  const write = (entries: SentEntry[]) => writeSent(db, instanceId, entries);
  const writeAndRefill = async (r: Refill<C>, entries: SentEntry[]) => {
    let claimed: C | undefined;
    const done = await withTransaction(db, async (tx) => {
      await r.lock(tx);
      const d = await writeSent(tx, instanceId, entries);
      claimed = await r.claim(tx);
      return d;
    }).catch((err: unknown) => {
      r.rolledBack();
      throw err;
    });
    r.committed(claimed!);
    return done;
  };
  return new GroupCommit<SentEntry, SentRecord>(
    async (entries) => {
      try {
        const done = refill?.active() ? await writeAndRefill(refill, entries) : await write(entries);
        return entries.map((e) => done.get(e.id) ?? null);
      } catch (err) {
        if (entries.length === 1 && !refill) return [err as Error];
        return Promise.all(entries.map(async (e) => write([e]).then((d) => d.get(e.id) ?? null, (one: unknown) => one as Error)));
      }
    },
    // 0: the first outcome waits only for the next turn of the event loop; under load the
    // outcomes that arrive during a write make up the next batch.
    { windowMs: 0, maxBatch: refill ? REFILL_BATCH : MAX_BATCH, maxInFlight: 1 },
  );
}
