/** Numbers the progress view shows, derived from GET /api/mailings/:id (no UI here, so easy to reason about). */
import type { MailboxView, MailingView } from '../../api/mailings.js';

export const ACTIVE: MailingView['status'][] = ['resolving', 'queued', 'sending'];

export interface Progress {
  total: number;
  finished: number;
  percent: number;
  waiting: number;
}

/** Only counts and the resolving progress are read, so a list item (without rate and reasons) will do. */
export function progressOf(m: Pick<MailingView, 'counts' | 'resolved' | 'selected' | 'status'>): Progress {
  const c = m.counts;
  const known = Object.values(c).reduce((a, b) => a + b, 0);
  // Until every entity is resolved, the selection is the best guess of how many there will be.
  const total = m.resolved < m.selected ? Math.max(known, m.selected) : known;
  const finished = c.sent + c.failed + c.skipped + c.unknown + c.cancelled;
  const waiting = c.pending + c.queued + c.sending + c.paused;
  const percent = m.status === 'done' || total === 0 ? 100 : Math.min(100, Math.floor((finished * 100) / total));
  return { total, finished, percent, waiting };
}

export type EtaKind = 'none' | 'pace' | 'cap';

/**
 * Whether the ETA is what the mailbox's pace gives, or later because its daily cap holds the rest:
 * at the mailbox's pace the waiting mails would be out by `now + waiting × spacing`; an ETA more
 * than a few minutes past that with a daily cap set is the cap's rolling 24 h window.
 */
export function etaKind(m: MailingView, box: MailboxView | null, now: number): EtaKind {
  if (!m.eta || !ACTIVE.includes(m.status)) return 'none';
  if (!box || box.dailyCap === null) return 'pace';
  const { waiting } = progressOf(m);
  const spacingMs = (box.pacing.seconds * 1000) / Math.max(1, box.pacing.messages);
  const start = Math.max(now, m.startAt ? Date.parse(m.startAt) : 0);
  const byPace = start + waiting * spacingMs;
  return Date.parse(m.eta) > byPace + 5 * 60_000 ? 'cap' : 'pace';
}

/** "in 3 minutes" / "dentro de 3 minutos", in the user's Kommo language. */
export function fromNow(lang: string, iso: string, now: number): string {
  const ms = Date.parse(iso) - now;
  const abs = Math.abs(ms);
  const [n, unit]: [number, Intl.RelativeTimeFormatUnit] =
    abs < 90_000
      ? [Math.round(ms / 1000), 'second']
      : abs < 90 * 60_000
        ? [Math.round(ms / 60_000), 'minute']
        : abs < 36 * 3600_000
          ? [Math.round(ms / 3600_000), 'hour']
          : abs < 45 * 86400_000
            ? [Math.round(ms / 86400_000), 'day']
            : abs < 540 * 86400_000
              ? [Math.round(ms / (30 * 86400_000)), 'month']
              : [Math.round(ms / (365 * 86400_000)), 'year'];
  try {
    return new Intl.RelativeTimeFormat(lang, { numeric: 'auto' }).format(n, unit);
  } catch {
    return new Intl.RelativeTimeFormat('en', { numeric: 'auto' }).format(n, unit);
  }
}

/**
 * Mails a minute. The server counts mails sent in the last 10 minutes and divides by 10; a
 * mailing younger than that has sent them in less time, so divide by its age instead (at least
 * 10 s, so the first mail does not read as a burst).
 */
export function ratePerMinute(m: MailingView, now: number): number {
  const sentIn10 = m.ratePerMinute * 10;
  const started = Math.max(Date.parse(m.createdAt), m.startAt ? Date.parse(m.startAt) : 0);
  const minutes = Math.min(10, Math.max(1 / 6, (now - started) / 60_000));
  const rate = sentIn10 / minutes;
  return rate >= 10 ? Math.round(rate) : Math.round(rate * 10) / 10;
}
