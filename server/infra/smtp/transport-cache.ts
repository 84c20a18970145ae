/**
 * Pooled SMTP transports kept per mailbox between sends, so a queue of mail reuses one
 * authenticated connection instead of paying connect + greeting + TLS + AUTH every time
 * (smtp-server alone waits 100 ms before greeting: platform-notes.md). Keyed by the mailbox id
 * and a fingerprint of its settings, so an edited mailbox gets a fresh connection. A cache only:
 * losing it costs a reconnect, nothing else.
 */
import crypto from 'node:crypto';
import type { MailTransport } from './mail-transport.js';
import type { SmtpSettings } from './smtp-settings.js';

interface Entry {
  fingerprint: string;
  transport: MailTransport;
  lastUsed: number;
}

export class TransportCache {
  private readonly entries = new Map<string, Entry>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly create: (settings: SmtpSettings) => MailTransport,
    private readonly idleMs = 60_000,
  ) {
    this.timer = setInterval(() => this.closeIdle(), Math.min(idleMs, 30_000));
    this.timer.unref();
  }

  get(key: string, settings: SmtpSettings): MailTransport {
    const fingerprint = crypto.createHash('sha256').update(JSON.stringify(settings)).digest('hex');
    const hit = this.entries.get(key);
    if (hit && hit.fingerprint === fingerprint) {
      hit.lastUsed = Date.now();
      return hit.transport;
    }
    hit?.transport.close();
    const transport = this.create(settings);
    this.entries.set(key, { fingerprint, transport, lastUsed: Date.now() });
    return transport;
  }

  /**
   * After an error the connection may be in any state, or still busy with a delivery a deadline
   * gave up on: close it, in-flight included, and start the next send afresh rather than queue
   * it behind a stalled server.
   */
  evict(key: string): void {
    this.drop(key, true);
  }

  closeIdle(now = Date.now()): void {
    for (const [key, e] of this.entries) if (now - e.lastUsed > this.idleMs) this.drop(key, false);
  }

  /** Shutdown: a delivery still in progress is let finish. */
  closeAll(): void {
    clearInterval(this.timer);
    for (const key of [...this.entries.keys()]) this.drop(key, false);
  }

  private drop(key: string, force: boolean): void {
    this.entries.get(key)?.transport.close({ force });
    this.entries.delete(key);
  }
}
