/** The numbers behind each chart, as a table: readable without the canvas, and what the tests read. */
import type { StatsCounts } from '../../../api/admin-stats.js';
import { useCtx } from '../../../ui/context.js';
import { SERIES, type SeriesDef } from './series.js';

export interface NumbersRow {
  key: string;
  label: string;
  counts: StatsCounts;
}

export function NumbersTable(props: { name: string; first: string; rows: NumbersRow[]; total?: StatsCounts; series?: SeriesDef[] }) {
  const { t } = useCtx();
  const series = props.series ?? SERIES;
  return (
    <table class="leadmail-stats-table" data-table={props.name}>
      <thead>
        <tr>
          <th scope="col">{props.first}</th>
          {series.map((s) => (
            <th scope="col" key={s.key} data-series={s.key}>
              <span class="leadmail-stats-swatch" style={{ background: s.color }} />
              {t(s.label)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr key={r.key} data-row={r.key}>
            <th scope="row">{r.label}</th>
            {series.map((s) => (
              <td key={s.key} data-series={s.key}>
                {r.counts[s.key]}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
      {props.total && (
        <tfoot>
          <tr data-row="total">
            <th scope="row">{t('admin_stats.total')}</th>
            {series.map((s) => (
              <td key={s.key} data-series={s.key}>
                {props.total![s.key]}
              </td>
            ))}
          </tr>
        </tfoot>
      )}
    </table>
  );
}
