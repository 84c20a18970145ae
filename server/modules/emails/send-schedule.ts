/** The `email.send` job's name, data and scheduling (apart, so the outcome recorders can requeue). */
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { Slot } from './pacing.js';

export const SEND_JOB = 'email.send';
export interface SendJobData {
  emailId: string;
  /** The slot (database clock) this job was scheduled for; a job whose slot no longer matches is stale. */
  slot: string;
}

/**
 * The slot is the database's time; Agenda runs jobs by this process's clock. So the job is due
 * `slot.inMs` from now *here*: a process whose clock is off by minutes still wakes on time, and
 * the claim compares against the database clock again (pacing.ts).
 */
export async function scheduleSend(queue: JobQueue, emailId: string, slot: Slot): Promise<void> {
  await queue.schedule<SendJobData>(SEND_JOB, { emailId, slot: slot.at.toISOString() }, new Date(Date.now() + slot.inMs));
}
