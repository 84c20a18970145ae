/**
 * This server process as the database sees it: a row in `server_instances` refreshed every
 * `heartbeatMs`. Work leased to a process (a `sending` email) names its instance; when the row is
 * older than `deadAfterMs` — measured with the DATABASE clock on both sides, so processes with
 * skewed clocks agree — the owner is dead and its work may be taken over (issue 6 §3).
 *
 * The heartbeat runs on a connection of its own, held for the life of the process: a pool
 * exhausted by busy jobs must not make a healthy process look dead to its peers.
 */
import crypto from 'node:crypto';
import type pg from 'pg';
import type { Db } from '../db/db.js';
import type { Logger } from '../log/logger.js';

export interface InstanceOptions {
  heartbeatMs: number;
  /** A few heartbeats: long enough that a GC pause or a slow query is not a death. */
  deadAfterMs: number;
}

export type TickHandler = () => Promise<void>;

export class ServerInstance {
  readonly id = crypto.randomUUID();
  private client: pg.PoolClient | null = null;
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;
  private readonly ticks: TickHandler[] = [];
  private ticking: Promise<void> | null = null;

  constructor(
    private readonly pool: Db,
    private readonly log: Logger,
    readonly opts: InstanceOptions,
  ) {}

  /** SQL condition "the instance in column `col` is alive"; takes the dead-after milliseconds as `$n`. */
  static aliveSql(col: string, param: string): string {
    return `EXISTS (SELECT 1 FROM server_instances si WHERE si.id = ${col}
      AND si.heartbeat_at > now() - make_interval(secs => ${param}::double precision / 1000))`;
  }

  /** Work to run after each heartbeat (recovering the work of dead peers); never overlaps itself. */
  onTick(fn: TickHandler): void {
    this.ticks.push(fn);
  }

  async start(): Promise<void> {
    // Without a row, peers would take this process's first claims for a dead one's.
    if (!(await this.beat())) throw new Error('could not register this server instance in PostgreSQL');
    this.timer = setInterval(() => {
      this.beating ??= this.beat().then(
        () => {
          this.beating = null;
        },
        () => {
          this.beating = null;
        },
      );
      void this.runTicks();
    }, this.opts.heartbeatMs);
    this.timer.unref();
    void this.runTicks();
  }

  /**
   * For a process that owns its database alone (the embedded PostgreSQL): every other instance
   * registered there is an earlier run of this process that died without stop() (kill -9, power
   * cut). Marking them dead at once lets the first tick take over their in-flight work instead of
   * waiting `deadAfterMs` for a heartbeat that can never come.
   */
  async retirePredecessors(): Promise<number> {
    const r = await this.pool.query(`UPDATE server_instances SET heartbeat_at = '-infinity' WHERE id <> $1 AND heartbeat_at <> '-infinity'`, [this.id]);
    return r.rowCount ?? 0;
  }

  /** Stops beating and removes the row: peers then see at once that nothing of ours is alive. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.beating?.catch(() => {});
    await this.ticking;
    try {
      await this.pool.query('DELETE FROM server_instances WHERE id = $1', [this.id]);
    } catch (err) {
      this.log.warn({ err }, 'could not remove the server instance row');
    }
    this.client?.release();
    this.client = null;
  }

  private async beat(): Promise<boolean> {
    try {
      this.client ??= await this.connect();
      // An upsert: a process that was (wrongly) declared dead and cleaned up comes back.
      await this.client.query(
        `INSERT INTO server_instances (id) VALUES ($1)
         ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()`,
        [this.id],
      );
      return true;
    } catch (err) {
      // A lost connection: drop it and connect afresh next time.
      this.client?.release(err as Error);
      this.client = null;
      this.log.warn({ err }, 'heartbeat failed');
      return false;
    }
  }

  /**
   * A held client is outside the pool's idle-error handling: a database that goes away between
   * two beats would emit 'error' on it with no listener and crash the process (db.ts supervises
   * the embedded server and answers 503 meanwhile). The next beat reconnects.
   */
  private async connect(): Promise<pg.PoolClient> {
    const client = await this.pool.connect();
    client.on('error', (err) => {
      this.log.warn({ err }, 'heartbeat connection lost');
      // Still held by us: give it back broken (beat()'s catch releases it otherwise).
      if (this.client !== client) return;
      this.client = null;
      client.release(err);
    });
    return client;
  }

  private runTicks(): Promise<void> {
    this.ticking ??= (async () => {
      try {
        for (const t of this.ticks) {
          if (!this.timer) return; // stopping
          try {
            await t();
          } catch (err) {
            this.log.error({ err }, 'heartbeat task failed');
          }
        }
      } finally {
        this.ticking = null;
      }
    })();
    return this.ticking;
  }
}
