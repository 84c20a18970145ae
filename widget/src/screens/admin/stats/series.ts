/** The six counted series: their i18n keys and colours (a human series and its machine twin share a hue). */
import type { StatsCounts } from '../../../api/admin-stats.js';
import { key, type I18nKey } from '../../../host/i18n.js';

export type SeriesKey = keyof StatsCounts;

export interface SeriesDef {
  key: SeriesKey;
  label: I18nKey;
  color: string;
}

export const SERIES: SeriesDef[] = [
  { key: 'sent', label: key('admin_stats.series.sent'), color: '#4c8bf7' },
  { key: 'failed', label: key('admin_stats.series.failed'), color: '#e5413d' },
  { key: 'humanOpens', label: key('admin_stats.series.human_opens'), color: '#27a567' },
  { key: 'machineOpens', label: key('admin_stats.series.machine_opens'), color: '#a6d9bd' },
  { key: 'humanClicks', label: key('admin_stats.series.human_clicks'), color: '#f29a2e' },
  { key: 'machineClicks', label: key('admin_stats.series.machine_clicks'), color: '#f6d3a5' },
];

export const SENDS = SERIES.slice(0, 2);
export const ENGAGEMENT = SERIES.slice(2);

export const isEmpty = (c: StatsCounts): boolean => SERIES.every((s) => c[s.key] === 0);
