import type { JobQueue } from '../../infra/queue/job-queue.js';
import { TRACKING_SWEEP_JOB, type TrackingService } from './tracking.service.js';

/**
 * Clicks are decided by each process's own sweep timer (TrackingService.start); this one
 * recurring job also repeats fires a crash cut off after their verdict committed.
 */
export async function defineTrackingJobs(queue: JobQueue, tracking: TrackingService): Promise<void> {
  queue.define(TRACKING_SWEEP_JOB, () => tracking.sweep());
  await queue.every('1 minute', TRACKING_SWEEP_JOB);
}
