/**
 * The job queue: Agenda 6 on PostgreSQL (@agendajs/postgres-backend), sharing the app's pool.
 * Jobs carry ids only; the rows they point at are the truth (persist first, then enqueue).
 * Agenda locks a job row while it runs, so several server processes can share one database.
 */
import { Agenda, type Job } from 'agenda';
import { PostgresBackend } from '@agendajs/postgres-backend';
import type { Db } from '../db/db.js';
import type { Logger } from '../log/logger.js';
import { ServerInstance, type InstanceOptions } from './instance.js';

export type JobHandler<T> = (data: T) => Promise<void>;

export interface JobQueueOptions {
  processEveryMs: number;
  /** Shorter in tests: every run leaves a lock timer of this length (platform-notes.md). */
  lockLifetimeMs?: number;
  /** Jobs running at once in this process, all kinds together. */
  maxConcurrency?: number;
  /** This process's heartbeat; work leased to it dies with it (instance.ts). */
  instance?: InstanceOptions;
}

export class JobQueue {
  private readonly agenda: Agenda;
  private started = false;
  private readonly lockLifetimeMs: number;
  /** The live process that owns leased work (a `sending` email); see instance.ts. */
  readonly instance: ServerInstance;

  constructor(
    private readonly pool: Db,
    private readonly log: Logger,
    opts: JobQueueOptions,
  ) {
    this.lockLifetimeMs = opts.lockLifetimeMs ?? 5 * 60_000;
    this.instance = new ServerInstance(pool, log, opts.instance ?? { heartbeatMs: 2_000, deadAfterMs: 10_000 });
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
      defaultLockLifetime: this.lockLifetimeMs,
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
    for (const key of ['emailId', 'eventId', 'mailboxId']) {
      await this.pool
        .query(`CREATE INDEX IF NOT EXISTS agenda_jobs_pending_${key.toLowerCase()} ON agenda_jobs (name, (data->>'${key}')) WHERE next_run_at IS NOT NULL`)
        .catch((err: { code?: string }) => {
          // Two processes starting at once: the other one created it first.
          if (err.code !== '23505' && err.code !== '42P07') throw err;
        });
    }
  }

  define<T>(name: string, handler: JobHandler<T>, opts: { concurrency?: number } = {}): void {
    const lockLifetime = this.lockLifetimeMs;
    this.agenda.define(
      name,
      async (job: Job) => {
        // Agenda gives up on a job not touched within its lock lifetime: it frees the worker and
        // lets the job run again while the first run goes on unseen — a send stuck on a slow SMTP
        // server would then no longer count against any concurrency limit. Touch while running.
        const keepAlive = setInterval(() => {
          job.touch().catch((err: unknown) => this.log.warn({ err, job: name }, 'could not extend a job lock'));
        }, Math.max(500, Math.floor(lockLifetime / 3)));
        try {
          await handler(job.attrs.data as T);
        } finally {
          clearInterval(keepAlive);
        }
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

  /**
   * For a process that owns its database alone (the embedded PostgreSQL; call before start()):
   * whatever is leased there belongs to an earlier run of this process that died without stop()
   * (kill -9, power cut). Its instance is marked dead, so the first heartbeat settles its
   * in-flight sends, and its Agenda locks are released, so its jobs (a mailbox's drain) run
   * again now rather than when the lock lifetime (minutes) expires. Every job re-checks its rows
   * when it runs, as it does after a lock expires.
   */
  async retirePredecessors(): Promise<void> {
    await this.instance.retirePredecessors();
    await this.pool.query('UPDATE agenda_jobs SET locked_at = NULL WHERE locked_at IS NOT NULL');
  }

  async start(): Promise<void> {
    // Alive before the first job runs: a claim names this instance as the owner.
    await this.instance.start();
    await this.agenda.start();
    this.started = true;
  }

  /**
   * Lets running jobs finish, then stops (stop() alone can leave jobs half-recorded). A job
   * still running after the timeout keeps its lock until it expires; every job re-checks its
   * rows when it runs, so one that runs again elsewhere does nothing twice.
   */
  /** True from the start of stop(): long-running jobs end their loops early (send-email.job.ts). */
  get stopping(): boolean {
    return !this.started;
  }

  async stop(timeoutMs = 30_000): Promise<void> {
    if (!this.started) return;
    this.started = false;
    const r = await this.agenda.drain(timeoutMs);
    if (r.timedOut) this.log.warn({ running: r.running }, 'jobs still running at shutdown');
    // After the drain: a send still running now is ownerless, and a peer resolves it at once.
    await this.instance.stop();
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
