import type { JobQueue } from '../../infra/queue/job-queue.js';
import { DECIDE_CLICK_JOB, TRACKING_SWEEP_JOB, type TrackingService } from './tracking.service.js';

export async function defineTrackingJobs(queue: JobQueue, tracking: TrackingService): Promise<void> {
  queue.define<{ hitId: number }>(DECIDE_CLICK_JOB, (data) => tracking.decideClick(data.hitId));
  queue.define(TRACKING_SWEEP_JOB, () => tracking.sweep());
  await queue.every('1 minute', TRACKING_SWEEP_JOB);
}
