/**
 * Advanced settings → statistics: sends, failures, human and machine opens and clicks over time
 * and per template, mailbox and mailing, for a period and a filter. A user sees their own mails,
 * an administrator the account's (the server decides). Charts by Chart.js, each with its numbers
 * as a table.
 */
import { useMemo, useRef, useState } from 'preact/hooks';
import { statsBreakdown, statsSeries, type StatsBreakdown, type StatsBy, type StatsFilter, type StatsSeries } from '../../../api/admin-stats.js';
import { useCtx } from '../../../ui/context.js';
import { formError } from '../../../ui/labelled-field.js';
import { useLoad } from '../../../ui/use-load.js';
import { BreakdownSection, rowName } from './BreakdownSection.js';
import { browserZone, isoDay, rangeOf, type Period } from './period.js';
import { SERIES } from './series.js';
import { TimeSection } from './TimeSection.js';
import { Toolbar, type Choice, type FilterKey, type Filters } from './Toolbar.js';

interface Loaded {
  series: StatsSeries;
  breakdowns: StatsBreakdown[];
}

const BY: StatsBy[] = ['template', 'mailbox', 'mailing'];
const FILTER_OF: Record<StatsBy, FilterKey> = { template: 'templateId', mailbox: 'mailboxId', mailing: 'mailingId' };
const FIELDS = ['from', 'to', 'bucket', 'templateId', 'mailboxId', 'mailingId'];

export function StatsPage() {
  const { t, api, lang } = useCtx();
  // "Now" is fixed when the page opens, so reloading a preset asks for the same buckets.
  const [now] = useState(() => new Date());
  const [period, setPeriod] = useState<Period>(() => ({ preset: 'month', from: isoDay(new Date(now.getTime() - 6 * 86_400_000)), to: isoDay(now), bucket: null }));
  const [filters, setFilters] = useState<Filters>({ templateId: '', mailboxId: '', mailingId: '' });
  const failure = useRef<unknown>(null);
  // Names seen so far: a chosen filter stays in its list when the period has nothing of it.
  const known = useRef<Record<FilterKey, Map<string, string>>>({ templateId: new Map(), mailboxId: new Map(), mailingId: new Map() });

  const range = rangeOf(period, now);
  const data = useLoad<Loaded | null>(async () => {
    failure.current = null;
    if (!range) return null;
    const f: StatsFilter = { ...range, tz: browserZone(), ...filters };
    try {
      const [series, ...breakdowns] = await Promise.all([statsSeries(api.request, f, period.bucket), ...BY.map((by) => statsBreakdown(api.request, f, by))]);
      return { series: series!, breakdowns: breakdowns as StatsBreakdown[] };
    } catch (err) {
      failure.current = err;
      throw err;
    }
  }, [api, range?.since, range?.until, period.bucket, filters.templateId, filters.mailboxId, filters.mailingId]);

  const error = data.error !== null ? formError(t, failure.current, FIELDS, { since: 'from', until: 'to' }) : null;
  const loaded = data.value;

  const choices = useMemo(() => {
    for (const b of loaded?.breakdowns ?? []) {
      for (const r of b.rows) if (r.id !== null) known.current[FILTER_OF[b.by]].set(r.id, rowName(t, lang, b.by, r));
    }
    const out = {} as Record<FilterKey, Choice[]>;
    for (const k of Object.keys(known.current) as FilterKey[]) {
      out[k] = [...known.current[k]].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name));
    }
    return out;
  }, [loaded, t, lang]);

  return (
    <div class="leadmail-admin-page__body leadmail-stats" data-state={data.loading ? 'loading' : data.error !== null ? 'error' : 'ready'}>
      <Toolbar
        period={period}
        onPeriod={setPeriod}
        filters={filters}
        onFilters={setFilters}
        choices={choices}
        error={error}
        loading={data.loading}
        onRefresh={() => void data.reload()}
      />
      {error && !error.field && (
        <div class="leadmail-alert leadmail-alert--error" role="alert">
          {error.text}{' '}
          <button type="button" class="leadmail-btn" onClick={() => void data.reload()}>
            {t('common.retry')}
          </button>
        </div>
      )}
      {!range && <p class="leadmail-muted">{t('admin_stats.choose_dates')}</p>}
      {!loaded && data.loading && <p class="leadmail-muted">{t('common.loading')}</p>}
      {loaded && (
        // Numbers of an earlier period stay visible but dimmed while a newer request failed.
        <div class={data.error !== null ? 'leadmail-stats__stale' : undefined}>
          <div class="leadmail-stats-totals" data-table="totals">
            {SERIES.map((s) => (
              <div key={s.key} class="leadmail-stats-total" data-series={s.key} style={{ borderTopColor: s.color }}>
                <div class="leadmail-stats-total__n">{loaded.series.totals[s.key]}</div>
                <div class="leadmail-stats-total__label">{t(s.label)}</div>
              </div>
            ))}
          </div>
          <TimeSection data={loaded.series} />
          {loaded.breakdowns.map((b) => (
            <BreakdownSection key={b.by} data={b} />
          ))}
        </div>
      )}
    </div>
  );
}
