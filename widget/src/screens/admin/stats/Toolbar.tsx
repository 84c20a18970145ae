/** The period (presets or two dates), the bucket, and the template / mailbox / mailing filters. */
import type { StatsBucket } from '../../../api/admin-stats.js';
import { key, type I18nKey } from '../../../host/i18n.js';
import { useCtx } from '../../../ui/context.js';
import { Field, type FormError } from '../../../ui/labelled-field.js';
import { PRESETS, type Period, type Preset } from './period.js';

export type FilterKey = 'templateId' | 'mailboxId' | 'mailingId';
export type Filters = Record<FilterKey, string>;
export interface Choice {
  id: string;
  name: string;
}

const PRESET_LABEL: Record<Preset, I18nKey> = {
  day: key('admin_stats.preset.day'),
  week: key('admin_stats.preset.week'),
  month: key('admin_stats.preset.month'),
  quarter: key('admin_stats.preset.quarter'),
  custom: key('admin_stats.preset.custom'),
};

const FILTERS: { key: FilterKey; label: I18nKey; all: I18nKey }[] = [
  { key: 'templateId', label: key('admin_stats.filter.template'), all: key('admin_stats.filter.all_templates') },
  { key: 'mailboxId', label: key('admin_stats.filter.mailbox'), all: key('admin_stats.filter.all_mailboxes') },
  { key: 'mailingId', label: key('admin_stats.filter.mailing'), all: key('admin_stats.filter.all_mailings') },
];

export interface ToolbarProps {
  period: Period;
  onPeriod(p: Period): void;
  filters: Filters;
  onFilters(f: Filters): void;
  choices: Record<FilterKey, Choice[]>;
  error: FormError | null;
  loading: boolean;
  onRefresh(): void;
}

export function Toolbar(p: ToolbarProps) {
  const { t } = useCtx();
  const set = (change: Partial<Period>) => p.onPeriod({ ...p.period, ...change });
  return (
    <div class="leadmail-stats-toolbar">
      <div class="leadmail-stats-toolbar__row">
        <div class="leadmail-stats-presets" role="group" aria-label={t('admin_stats.period')}>
          {PRESETS.map((x) => (
            <button
              key={x}
              type="button"
              data-preset={x}
              aria-pressed={p.period.preset === x}
              class={`leadmail-stats-presets__btn${p.period.preset === x ? ' leadmail-stats-presets__btn--on' : ''}`}
              onClick={() => set({ preset: x })}
            >
              {t(PRESET_LABEL[x])}
            </button>
          ))}
        </div>
        {p.period.preset === 'custom' && (
          <>
            <Field name="from" label={t('admin_stats.from')} error={p.error}>
              <input class="leadmail-input" type="date" name="from" value={p.period.from} onChange={(e) => set({ from: e.currentTarget.value })} />
            </Field>
            <Field name="to" label={t('admin_stats.to')} error={p.error}>
              <input class="leadmail-input" type="date" name="to" value={p.period.to} onChange={(e) => set({ to: e.currentTarget.value })} />
            </Field>
          </>
        )}
        <Field name="bucket" label={t('admin_stats.bucket.label')} error={p.error}>
          <select class="leadmail-select" name="bucket" value={p.period.bucket ?? ''} onChange={(e) => set({ bucket: (e.currentTarget.value || null) as StatsBucket | null })}>
            <option value="">{t('admin_stats.bucket.auto')}</option>
            <option value="day">{t('admin_stats.bucket.day')}</option>
            <option value="hour">{t('admin_stats.bucket.hour')}</option>
          </select>
        </Field>
        <button type="button" class="leadmail-btn leadmail-stats-refresh" onClick={p.onRefresh} disabled={p.loading}>
          {p.loading ? t('common.loading') : t('common.refresh')}
        </button>
      </div>
      <div class="leadmail-stats-toolbar__row">
        {FILTERS.map((f) => (
          <Field key={f.key} name={f.key} label={t(f.label)} error={p.error}>
            <select class="leadmail-select" name={f.key} value={p.filters[f.key]} onChange={(e) => p.onFilters({ ...p.filters, [f.key]: e.currentTarget.value })}>
              <option value="">{t(f.all)}</option>
              {p.choices[f.key].map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </Field>
        ))}
      </div>
    </div>
  );
}
