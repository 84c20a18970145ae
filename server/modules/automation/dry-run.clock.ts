/**
 * The dry run's simulated time: events ordered by their offset from the first send, first in
 * first out at equal offsets, so a trigger with no delay runs right after its point, as the
 * queue would run it.
 */
import type { Trigger } from '../triggers/triggers.repository.js';

export type SimPoint = 'sent' | 'opened' | 'not_opened' | 'failed' | 'link_clicked';

export interface SimMail {
  /** 1 is the mail under test; 0 until a number is given (a mail held back gets none). */
  n: number;
  template: { id: string; name: string; subject: string };
  depth: number;
  sentAt: number;
  mailboxId: string | null;
}

export type SimEvent =
  | { kind: 'send'; at: number; templateId: string; depth: number; mailboxId: string | null; by: string | null }
  | { kind: 'point'; at: number; mail: SimMail; point: SimPoint; triggerIds: string[]; text: string; skipped?: string | null }
  | { kind: 'cancel'; at: number; mail: SimMail }
  | { kind: 'trigger'; at: number; mail: SimMail; point: SimPoint; trigger: Trigger };

export class DryRunClock {
  readonly start = new Date();
  private readonly queue: (SimEvent & { seq: number })[] = [];
  private seq = 0;

  push(e: SimEvent): void {
    this.queue.push({ ...e, seq: this.seq++ });
  }

  /** The earliest event, or undefined when nothing is left to happen. */
  next(): SimEvent | undefined {
    if (this.queue.length === 0) return undefined;
    let best = 0;
    for (let i = 1; i < this.queue.length; i++) {
      const a = this.queue[i]!;
      const b = this.queue[best]!;
      if (a.at < b.at || (a.at === b.at && a.seq < b.seq)) best = i;
    }
    return this.queue.splice(best, 1)[0];
  }

  time(offsetSeconds: number): Date {
    return new Date(this.start.getTime() + offsetSeconds * 1000);
  }
}
