/** Counts per template, mailbox or mailing: the busiest ones as horizontal bars, every one in the table below. */
import { useMemo } from 'preact/hooks';
import type { StatsBreakdown, StatsBreakdownRow } from '../../../api/admin-stats.js';
import type { T } from '../../../host/i18n.js';
import { useCtx } from '../../../ui/context.js';
import { formatTime } from '../../../ui/format.js';
import { StatsChart } from './chart.js';
import { SERIES } from './series.js';
import { NumbersTable } from './tables.js';

/** More bars than this would squeeze every label; the table below lists them all. */
const CHART_ROWS = 8;
/** Chart.js does not wrap axis labels: long names are cut (the table shows them whole). */
const LABEL_CHARS = 36;
const short = (s: string) => (s.length > LABEL_CHARS ? `${s.slice(0, LABEL_CHARS - 1)}…` : s);

export function rowName(t: T, lang: string, by: StatsBreakdown['by'], r: StatsBreakdownRow): string {
  if (r.id === null) return t('admin_stats.no_template');
  const name = r.name ?? t('admin_stats.deleted');
  return by === 'mailing' && r.createdAt ? `${name} · ${formatTime(lang, r.createdAt)}` : name;
}

export function BreakdownSection({ data }: { data: StatsBreakdown }) {
  const { t, lang } = useCtx();
  const names = useMemo(() => data.rows.map((r) => rowName(t, lang, data.by, r)), [data, t, lang]);
  const top = data.rows.slice(0, CHART_ROWS);
  const series = useMemo(() => SERIES.map((s) => ({ label: t(s.label), color: s.color, values: top.map((r) => r[s.key]) })), [data, t]);
  const title = t(`admin_stats.by.${data.by}`);
  return (
    <section class="leadmail-stats-section" data-section={data.by}>
      <h2 class="leadmail-stats-section__title">{title}</h2>
      {data.rows.length === 0 ? (
        <p class="leadmail-muted leadmail-stats-empty">{t('admin_stats.empty')}</p>
      ) : (
        <div class="leadmail-stats-breakdown">
          <figure class="leadmail-stats-figure" data-chart={data.by}>
            <StatsChart horizontal labels={names.slice(0, CHART_ROWS).map(short)} series={series} title={title} height={60 + top.length * 60} />
          </figure>
          <NumbersTable name={data.by} first={t(`admin_stats.col.${data.by}`)} rows={data.rows.map((r, i) => ({ key: r.id ?? 'none', label: names[i]!, counts: r }))} />
        </div>
      )}
    </section>
  );
}
