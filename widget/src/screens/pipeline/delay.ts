/** The picker's "after N minutes/hours/days" and the action's delaySeconds, both ways. */
export type DelayUnit = 'minutes' | 'hours' | 'days';
export interface Delay {
  mode: 'now' | 'after';
  amount: number;
  unit: DelayUnit;
}

export const UNIT_SECONDS: Record<DelayUnit, number> = { minutes: 60, hours: 3600, days: 86400 };

export function toSeconds(d: Delay): number {
  return d.mode === 'now' ? 0 : Math.round(d.amount * UNIT_SECONDS[d.unit]);
}

/** The largest unit that divides the delay exactly, so a saved "2 hours" reopens as 2 hours. */
export function fromSeconds(s: number): Delay {
  if (s <= 0) return { mode: 'now', amount: 1, unit: 'hours' };
  if (s % UNIT_SECONDS.days === 0) return { mode: 'after', amount: s / UNIT_SECONDS.days, unit: 'days' };
  if (s % UNIT_SECONDS.hours === 0) return { mode: 'after', amount: s / UNIT_SECONDS.hours, unit: 'hours' };
  return { mode: 'after', amount: Math.max(1, Math.round(s / UNIT_SECONDS.minutes)), unit: 'minutes' };
}
