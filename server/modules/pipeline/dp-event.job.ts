/**
 * Queue jobs of the digital pipeline: `pipeline.dp-event` decides one event when the action's
 * delay is over; `pipeline.recover` re-queues events whose job was lost in a crash.
 */
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { PipelineService } from './pipeline.service.js';

export const DP_EVENT_JOB = 'pipeline.dp-event';
export const DP_RECOVER_JOB = 'pipeline.recover';

export interface DpJobData {
  eventId: string;
}

/** Kommo errors after kommo-http's own retries: the whole decision is tried again after 30 s, 1, 2, 4 min, then given up. */
export const DP_MAX_ATTEMPTS = 5;
export const DP_RETRY_BASE_MS = 30_000;

export async function definePipelineJobs(queue: JobQueue, pipeline: PipelineService): Promise<void> {
  queue.define<DpJobData>(DP_EVENT_JOB, (data) => pipeline.process(data));
  queue.define(DP_RECOVER_JOB, () => pipeline.recover());
  await queue.every('1 minute', DP_RECOVER_JOB);
}
