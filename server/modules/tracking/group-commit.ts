/**
 * Group commit: hits arriving within a few milliseconds of each other are written by one
 * statement (or one transaction), and each caller's promise settles only after that commit, so
 * an answer never goes out for a hit that is not durable. At most `maxInFlight` batches are
 * being written at once; hits arriving meanwhile gather into the next one, so under load the
 * batches grow instead of the queue of connections. stop() writes whatever is still waiting.
 */
interface Waiting<T, R> {
  item: T;
  resolve: (r: R) => void;
  reject: (err: unknown) => void;
}

export interface GroupCommitOptions {
  /** How long the first hit of a batch waits for company (0 = the next turn of the event loop). */
  windowMs: number;
  /** A batch this large is written at once. */
  maxBatch: number;
  /** Batches written concurrently (each holds a pool connection while it does). */
  maxInFlight: number;
}

export class GroupCommit<T, R> {
  private waiting: Waiting<T, R>[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  /** `write` answers one result per item, in order, once the batch is committed. */
  constructor(
    private readonly write: (items: T[]) => Promise<R[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.stopped || this.waiting.length >= this.options.maxBatch) this.flush();
      else if (!this.timer) {
        this.timer = setTimeout(() => {
          this.timer = null;
          this.flush();
        }, this.options.windowMs);
      }
    });
  }

  /** Writes everything still waiting; later add() calls are written at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.waiting.length > 0 || this.inFlight.size > 0) {
      this.flush();
      await Promise.all(this.inFlight);
    }
  }

  private flush(): void {
    // A batch being written starts the next one when it ends.
    if (this.inFlight.size >= this.options.maxInFlight) return;
    const batch = this.waiting.splice(0, this.options.maxBatch);
    if (batch.length === 0) return;
    const writing = (async () => {
      try {
        const results = await this.write(batch.map((w) => w.item));
        batch.forEach((w, i) => w.resolve(results[i]!));
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    })();
    this.inFlight.add(writing);
    void writing.then(() => {
      this.inFlight.delete(writing);
      // Hits that arrived during the write have waited long enough: write them now.
      if (this.waiting.length > 0) this.flush();
    });
  }
}
