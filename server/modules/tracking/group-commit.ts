/**
 * Group commit: hits arriving within a few milliseconds of each other are written by one
 * statement (or one transaction), and each caller's promise settles only after that commit, so
 * an answer never goes out for a hit that is not durable. One batch is written at a time per
 * buffer; hits arriving meanwhile form the next one. stop() writes whatever is still waiting.
 */
interface Waiting<T, R> {
  item: T;
  resolve: (r: R) => void;
  reject: (err: unknown) => void;
}

export interface GroupCommitOptions {
  /** How long the first hit of a batch waits for company (0 = the same turn of the event loop). */
  windowMs: number;
  /** A batch this large is written at once. */
  maxBatch: number;
}

export class GroupCommit<T, R> {
  private waiting: Waiting<T, R>[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  private stopped = false;

  /** `write` answers one result per item, in order, once the batch is committed. */
  constructor(
    private readonly write: (items: T[]) => Promise<R[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.stopped || this.waiting.length >= this.options.maxBatch) this.kick(0);
      else if (!this.timer && !this.writing) this.kick(this.options.windowMs);
    });
  }

  /** Writes everything still waiting; later add() calls are written at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.waiting.length > 0 || this.writing) {
      if (this.writing) await this.writing;
      else await this.flush();
    }
  }

  private kick(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, delayMs);
  }

  private async flush(): Promise<void> {
    if (this.writing) return; // the running batch starts the next one when it ends
    const batch = this.waiting.splice(0, this.options.maxBatch);
    if (batch.length === 0) return;
    this.writing = (async () => {
      try {
        const results = await this.write(batch.map((w) => w.item));
        batch.forEach((w, i) => w.resolve(results[i]!));
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    })();
    await this.writing;
    this.writing = null;
    if (this.waiting.length > 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      // Hits that arrived during the write have waited long enough: write them now.
      void this.flush();
    }
  }
}
