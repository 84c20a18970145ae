/**
 * Calendar formatting shared by the `date` helper and the template context. Deliberately tiny:
 * a handful of tokens, formatted in an IANA time zone through Intl (no date library needed).
 *
 * Tokens: YYYY, YY, MM, M, DD, D, HH, H, mm, ss. Text inside [brackets] is copied literally,
 * so `[Day] D` prints "Day 5". Everything else is copied as is.
 */
import { AppError, ErrorCode } from '../../../errors.js';

export const DEFAULT_DATE_FORMAT = 'YYYY-MM-DD';
export const DEFAULT_TIMEZONE = 'UTC';

export interface CalendarParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

// Building a DateTimeFormat costs far more than using one; a template may format hundreds of dates.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        // h23, not hour12:false: the latter prints "24" for midnight in some ICU versions.
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new AppError(ErrorCode.VALIDATION, `timezone: "${timeZone}" is not an IANA time zone`, {
        issues: [{ path: 'timezone', message: 'unknown time zone' }],
      });
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws VALIDATION for an unknown zone, so callers can check once up front. */
export function assertTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

export function partsInZone(instant: Date, timeZone: string): CalendarParts {
  const out: CalendarParts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of formatterFor(timeZone).formatToParts(instant)) {
    if (p.type in out) out[p.type as keyof CalendarParts] = Number(p.value);
  }
  return out;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

const TOKEN = /\[([^\]]*)\]|YYYY|YY|MM|M|DD|D|HH|H|mm|ss/g;

export function formatParts(p: CalendarParts, format: string = DEFAULT_DATE_FORMAT): string {
  return format.replace(TOKEN, (token: string, literal: string | undefined) => {
    if (literal !== undefined) return literal;
    switch (token) {
      case 'YYYY': return pad(p.year, 4);
      case 'YY': return pad(p.year % 100);
      case 'MM': return pad(p.month);
      case 'M': return String(p.month);
      case 'DD': return pad(p.day);
      case 'D': return String(p.day);
      case 'HH': return pad(p.hour);
      case 'H': return String(p.hour);
      case 'mm': return pad(p.minute);
      default: return pad(p.second); // 'ss'
    }
  });
}

export function formatInstant(instant: Date, format: string, timeZone: string): string {
  return formatParts(partsInZone(instant, timeZone), format);
}

/** Kommo sends dates as unix seconds; JavaScript callers may hand us milliseconds. */
function fromEpoch(n: number): Date {
  return new Date(Math.abs(n) < 1e11 ? n * 1000 : n);
}

// A bare calendar date (what our own context renders for date fields) is a wall-clock value:
// re-reading it as UTC midnight and shifting it into a western zone would print the day before.
const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * Reads what a template may pass to `{{date …}}`: a Date, unix seconds or milliseconds (number
 * or digit string), "now", a wall-clock "YYYY-MM-DD[ HH:mm[:ss]]", or any string Date.parse
 * understands. Returns null for empty or unreadable input.
 */
export function parseDateInput(value: unknown, now: Date, timeZone: string): CalendarParts | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : partsInZone(value, timeZone);
  if (typeof value === 'number') return Number.isFinite(value) ? partsInZone(fromEpoch(value), timeZone) : null;
  if (typeof value !== 'string') return null;
  const s = value.trim();
  if (s === '') return null;
  if (s.toLowerCase() === 'now') return partsInZone(now, timeZone);
  if (/^-?\d+$/.test(s)) return partsInZone(fromEpoch(Number(s)), timeZone);
  const wall = WALL_CLOCK.exec(s);
  if (wall) {
    const [, y, mo, d, h, mi, sec] = wall;
    return { year: +y!, month: +mo!, day: +d!, hour: +(h ?? 0), minute: +(mi ?? 0), second: +(sec ?? 0) };
  }
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? null : partsInZone(new Date(ms), timeZone);
}
