/**
 * The job queue: Agenda 6 on PostgreSQL (@agendajs/postgres-backend), sharing the app's pool.
 * Jobs carry ids only; the rows they point at are the truth (persist first, then enqueue).
 * Agenda locks a job row while it runs, so several server processes can share one database.
 */
import { Agenda, type Job } from 'agenda';
import { PostgresBackend } from '@agendajs/postgres-backend';
import type { Db } from '../db/db.js';
import type { Logger } from '../log/logger.js';

export type JobHandler<T> = (data: T) => Promise<void>;

export interface JobQueueOptions {
  processEveryMs: number;
  /** Shorter in tests: every run leaves a lock timer of this length (platform-notes.md). */
  lockLifetimeMs?: number;
  maxConcurrency?: number;
}

export class JobQueue {
  private readonly agenda: Agenda;
  private started = false;

  constructor(
    private readonly pool: Db,
    private readonly log: Logger,
    opts: JobQueueOptions,
  ) {
    const backend = new PostgresBackend({ pool });
    // The LISTEN connection reports losses as 'error' events (it reconnects by itself); without a
    // listener Node would turn a database restart into a process crash.
    backend.notificationChannel?.on('error', (err: Error) => this.log.warn({ err }, 'job notifications interrupted'));
    this.agenda = new Agenda({
      backend,
      processEvery: opts.processEveryMs,
      maxConcurrency: opts.maxConcurrency ?? 20,
      defaultConcurrency: opts.maxConcurrency ?? 20,
      // A low lock limit throttles Agenda badly (platform-notes.md): leave it generous.
      defaultLockLimit: 0,
      lockLimit: 0,
      defaultLockLifetime: opts.lockLifetimeMs ?? 5 * 60_000,
      // Agenda 6.2 races with itself when removing a finished job: drain() checks for running
      // jobs before the removal finishes and then waits forever. Finished jobs are kept and
      // swept by purgeFinished() instead.
      removeOnComplete: false,
    });
    this.agenda.on('error', (err) => this.log.error({ err }, 'job queue error'));
  }

  /** Waits until the backend has connected (and created agenda_jobs); rejects with a clear error. */
  async ready(): Promise<void> {
    try {
      await this.agenda.ready;
    } catch (err) {
      throw new Error(`job queue could not connect to PostgreSQL: ${(err as Error).message}`, { cause: err });
    }
    // The recovery sweeps look for a pending job by the id it carries: indexed, not a scan of
    // every job's JSON. (Trigger runs record their job's id instead: trigger_executions.job_id.)
    for (const key of ['emailId', 'eventId']) {
      await this.pool
        .query(`CREATE INDEX IF NOT EXISTS agenda_jobs_pending_${key.toLowerCase()} ON agenda_jobs (name, (data->>'${key}')) WHERE next_run_at IS NOT NULL`)
        .catch((err: { code?: string }) => {
          // Two processes starting at once: the other one created it first.
          if (err.code !== '23505' && err.code !== '42P07') throw err;
        });
    }
  }

  define<T>(name: string, handler: JobHandler<T>, opts: { concurrency?: number } = {}): void {
    this.agenda.define(
      name,
      async (job: Job) => {
        await handler(job.attrs.data as T);
      },
      opts.concurrency ? { concurrency: opts.concurrency } : undefined,
    );
  }

  /** Returns the job's id (agenda_jobs.id), for rows that need to find their job again. */
  async schedule<T>(name: string, data: T, at: Date = new Date()): Promise<string> {
    const job = await this.agenda.create(name, data as Record<string, unknown>).schedule(at).save();
    return String(job.attrs._id);
  }

  async every(interval: string, name: string): Promise<void> {
    await this.agenda.every(interval, name, undefined, { skipImmediate: false });
  }

  async start(): Promise<void> {
    await this.agenda.start();
    this.started = true;
  }

  /**
   * Lets running jobs finish, then stops (stop() alone can leave jobs half-recorded). A job
   * still running after the timeout keeps its lock until it expires; every job re-checks its
   * rows when it runs, so one that runs again elsewhere does nothing twice.
   */
  async stop(timeoutMs = 30_000): Promise<void> {
    if (!this.started) return;
    this.started = false;
    const r = await this.agenda.drain(timeoutMs);
    if (r.timedOut) this.log.warn({ running: r.running }, 'jobs still running at shutdown');
  }

  /** One-off jobs that finished long ago (the table would otherwise grow by one row per email). */
  async purgeFinished(olderThanMs = 60 * 60_000): Promise<number> {
    const r = await this.pool.query(
      `DELETE FROM agenda_jobs WHERE next_run_at IS NULL AND repeat_interval IS NULL AND locked_at IS NULL
         AND last_finished_at < $1`,
      [new Date(Date.now() - olderThanMs)],
    );
    return r.rowCount ?? 0;
  }
}
