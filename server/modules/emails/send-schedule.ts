/**
 * The mailbox drain job's name, data and scheduling (apart, so the outcome recorders can requeue).
 *
 * One drain per mailbox, not one job per mail (issue 7 §2): queuing mail makes sure the mailbox
 * has a drain due by the mail's planned time; the drain claims whatever is due, in batches, and
 * reschedules itself for the next due mail or pacing slot (send-email.job.ts). A pending drain
 * that is due soon enough is reused, so a mailing's batch of 500 costs one look-up, and at most
 * one insert. Correctness never rests on there being exactly one: claims are serialised on the
 * mailbox row and a drain that finds its mailbox busy leaves (the one sending drains the rest).
 */
import type { Queryable } from '../../infra/db/db.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';

export const DRAIN_JOB = 'email.drain';
export interface DrainJobData {
  mailboxId: string;
}

/** A drain that wakes this much after the wanted time is still "soon enough" to reuse. */
const REUSE_SLACK_MS = 50;

/**
 * `inMs` is a distance in the database's clock; Agenda runs jobs by this process's clock. So the
 * job is due `inMs` from now *here*: a process whose clock is off by minutes still wakes on time,
 * and the claim compares against the database clock again (pacing.ts). A running drain (locked)
 * is not reused: it may be just finishing.
 */
export async function scheduleDrain(db: Queryable, queue: JobQueue, mailboxId: string, inMs: number): Promise<void> {
  const at = new Date(Date.now() + Math.max(0, inMs));
  const pending = await db.query(
    `SELECT 1 FROM agenda_jobs WHERE name = $1 AND data->>'mailboxId' = $2 AND next_run_at IS NOT NULL AND locked_at IS NULL
       AND next_run_at <= $3 LIMIT 1`,
    [DRAIN_JOB, mailboxId, new Date(at.getTime() + REUSE_SLACK_MS)],
  );
  if (pending.rowCount) return;
  await queue.schedule<DrainJobData>(DRAIN_JOB, { mailboxId }, at);
}
