/**
 * One Chart.js bar chart on a <canvas>. Only the pieces the page draws are registered (bars,
 * category and linear scales, tooltip and legend), so the rest of Chart.js stays out of script.js. The chart is created once, updated in place when the numbers change, and destroyed
 * when the component goes away (Chart.js keeps a resize observer on its canvas until then).
 */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip, type ChartConfiguration } from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

export interface ChartSeries {
  label: string;
  color: string;
  values: number[];
}

export interface StatsChartProps {
  labels: string[];
  series: ChartSeries[];
  /** Horizontal bars: one row per template, mailbox or mailing. */
  horizontal?: boolean;
  /** Bars of one label stacked (sent under failed); else side by side. */
  stacked?: boolean;
  /** Accessible name of the canvas (the table beside it carries the numbers). */
  title: string;
  height: number;
}

const FONT = { family: '"PT Sans", Arial, sans-serif', size: 12 };
const TEXT = '#313942';
const GRID = '#e8eaeb';

function config(p: StatsChartProps): ChartConfiguration<'bar'> {
  const value = p.horizontal ? 'x' : 'y';
  const category = p.horizontal ? 'y' : 'x';
  return {
    type: 'bar',
    data: {
      labels: p.labels,
      datasets: p.series.map((s) => ({
        label: s.label,
        data: s.values,
        backgroundColor: s.color,
        borderColor: s.color,
        borderWidth: 0,
        maxBarThickness: 28,
        borderRadius: 2,
      })),
    },
    options: {
      // No animation: the numbers appear at once and the charts look the same in every screenshot.
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: p.horizontal ? 'y' : 'x',
      interaction: { mode: 'index', intersect: false },
      scales: {
        [category]: { stacked: p.stacked ?? false, grid: { display: false }, ticks: { color: TEXT, font: FONT, autoSkip: true, maxRotation: 0 } },
        [value]: { stacked: p.stacked ?? false, beginAtZero: true, grid: { color: GRID }, ticks: { color: TEXT, font: FONT, precision: 0 } },
      },
      plugins: {
        legend: { position: 'bottom', labels: { color: TEXT, font: FONT, boxWidth: 12, boxHeight: 12 } },
        tooltip: { titleFont: FONT, bodyFont: FONT },
      },
    },
  };
}

export function StatsChart(props: StatsChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<'bar'> | null>(null);

  useEffect(() => {
    const c = new Chart(canvas.current!, config(props));
    chart.current = c;
    return () => {
      c.destroy();
      chart.current = null;
    };
  }, [props.horizontal, props.stacked]);

  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    const next = config(props);
    c.data = next.data;
    c.update();
  }, [props.labels, props.series]);

  return (
    <div class="leadmail-stats-chart" style={{ height: `${props.height}px` }}>
      <canvas ref={canvas} role="img" aria-label={props.title} />
    </div>
  );
}
