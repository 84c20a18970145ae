/**
 * The period the page shows, in the reader's own zone: a preset ("last 7 days" = today and the six
 * days before, whole local days) or two chosen dates, both inclusive. The server buckets in the
 * same zone, so a day on the chart is the reader's day.
 */
import type { StatsBucket } from '../../../api/admin-stats.js';

export type Preset = 'day' | 'week' | 'month' | 'quarter' | 'custom';
export const PRESETS: Preset[] = ['day', 'week', 'month', 'quarter', 'custom'];
const DAYS: Record<Exclude<Preset, 'day' | 'custom'>, number> = { week: 7, month: 30, quarter: 90 };

export interface Period {
  preset: Preset;
  /** The chosen dates (YYYY-MM-DD) when preset is 'custom'. */
  from: string;
  to: string;
  /** null: the server picks (hours for up to a day, else days). */
  bucket: StatsBucket | null;
}

const HOUR = 3_600_000;
const pad = (n: number) => String(n).padStart(2, '0');

/** A local date as YYYY-MM-DD. */
export const isoDay = (d: Date): string => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;

/** Local midnight of a YYYY-MM-DD, `plusDays` later. */
function midnight(day: string, plusDays = 0): Date {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y!, m! - 1, d! + plusDays);
}

export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** since/until (ISO) of a period as of `now`; a custom period with a missing date is null. */
export function rangeOf(p: Period, now: Date): { since: string; until: string } | null {
  if (p.preset === 'custom') {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(p.from) || !/^\d{4}-\d{2}-\d{2}$/.test(p.to)) return null;
    return { since: midnight(p.from).toISOString(), until: midnight(p.to, 1).toISOString() };
  }
  if (p.preset === 'day') {
    const until = new Date(Math.floor(now.getTime() / HOUR) * HOUR + HOUR);
    return { since: new Date(until.getTime() - 24 * HOUR).toISOString(), until: until.toISOString() };
  }
  const today = isoDay(now);
  return { since: midnight(today, 1 - DAYS[p.preset]).toISOString(), until: midnight(today, 1).toISOString() };
}

/** A bucket's label: "Nov 20" for a day, "Nov 20, 10:00" for an hour (the server's local wall time, shown as is). */
export function bucketLabel(lang: string, at: string): string {
  const hour = at.length > 10;
  const d = new Date(`${at}${hour ? ':00' : 'T00:00:00'}Z`);
  const opts: Intl.DateTimeFormatOptions = hour
    ? { timeZone: 'UTC', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
    : { timeZone: 'UTC', month: 'short', day: 'numeric' };
  try {
    return new Intl.DateTimeFormat(lang, opts).format(d);
  } catch {
    return at;
  }
}
