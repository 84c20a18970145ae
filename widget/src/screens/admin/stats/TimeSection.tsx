/** Counts over time: sends and failures as stacked bars, opens and clicks as grouped bars, and the busy buckets' numbers. */
import { useMemo } from 'preact/hooks';
import type { StatsSeries } from '../../../api/admin-stats.js';
import { useCtx } from '../../../ui/context.js';
import { StatsChart } from './chart.js';
import { bucketLabel } from './period.js';
import { ENGAGEMENT, SENDS, isEmpty } from './series.js';
import { NumbersTable } from './tables.js';

export function TimeSection({ data }: { data: StatsSeries }) {
  const { t, lang } = useCtx();
  const labels = useMemo(() => data.points.map((p) => bucketLabel(lang, p.at)), [data, lang]);
  // The hours of a single day need no date on the axis (the table keeps it).
  const oneDay = data.bucket === 'hour' && new Set(data.points.map((p) => p.at.slice(0, 10))).size === 1;
  const axis = useMemo(() => (oneDay ? data.points.map((p) => p.at.slice(11)) : labels), [labels, oneDay]);
  const sends = useMemo(() => SENDS.map((s) => ({ label: t(s.label), color: s.color, values: data.points.map((p) => p[s.key]) })), [data, t]);
  const engagement = useMemo(() => ENGAGEMENT.map((s) => ({ label: t(s.label), color: s.color, values: data.points.map((p) => p[s.key]) })), [data, t]);
  // Only the buckets where something happened: a month of hours would be 744 mostly empty rows.
  const rows = data.points.map((p, i) => ({ key: p.at, label: labels[i]!, counts: p })).filter((r) => !isEmpty(r.counts));
  const unit = t(data.bucket === 'hour' ? 'admin_stats.bucket.hour' : 'admin_stats.bucket.day');
  return (
    <section class="leadmail-stats-section" data-section="time" data-bucket={data.bucket}>
      <h2 class="leadmail-stats-section__title">{t('admin_stats.over_time', { unit: unit.toLowerCase() })}</h2>
      <div class="leadmail-stats-charts">
        <figure class="leadmail-stats-figure" data-chart="sends">
          <figcaption>{t('admin_stats.sends_title')}</figcaption>
          <StatsChart stacked labels={axis} series={sends} title={t('admin_stats.sends_title')} height={220} />
        </figure>
        <figure class="leadmail-stats-figure" data-chart="engagement">
          <figcaption>{t('admin_stats.engagement_title')}</figcaption>
          <StatsChart labels={axis} series={engagement} title={t('admin_stats.engagement_title')} height={220} />
        </figure>
      </div>
      {rows.length === 0 ? (
        <p class="leadmail-muted leadmail-stats-empty">{t('admin_stats.empty')}</p>
      ) : (
        <NumbersTable name="time" first={t(data.bucket === 'hour' ? 'admin_stats.col_hour' : 'admin_stats.col_day')} rows={rows} total={data.totals} />
      )}
    </section>
  );
}
