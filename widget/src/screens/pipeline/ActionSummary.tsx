/** One line saying what the action in this block does now ("Sends “Offer” after 2 hours to leads tagged VIP"). */
import type { PipelineActionView } from '../../api/pipeline.js';
import { useCtx } from '../../ui/context.js';
import { fromSeconds } from './delay.js';

export function ActionSummary({ action: a, fields }: { action: PipelineActionView; fields: { id: number; label: string }[] }) {
  const { t } = useCtx();
  const d = fromSeconds(a.delaySeconds);
  const unit = d.unit === 'minutes' ? t('dp.unit_minutes') : d.unit === 'hours' ? t('dp.unit_hours') : t('dp.unit_days');
  const when = d.mode === 'now' ? t('dp.when_now') : t('dp.when_after', { n: d.amount, unit });
  const fieldName = a.filter.field ? (fields.find((f) => String(f.id) === a.filter.field)?.label ?? a.filter.field) : null;
  return (
    <div class={`leadmail-dp-summary${a.active ? '' : ' leadmail-dp-summary--off'}`}>
      <div class="leadmail-dp-summary__main">
        {a.templateName ? t('dp.summary', { template: a.templateName, when }) : t('dp.summary_no_template')}
      </div>
      {a.filter.tag && <div class="leadmail-muted leadmail-dp-summary__tag">{t('dp.summary_tag', { tag: a.filter.tag })}</div>}
      {fieldName && <div class="leadmail-muted leadmail-dp-summary__field">{t('dp.summary_field', { field: fieldName, value: a.filter.value ?? '' })}</div>}
      {!a.active && <div class="leadmail-muted">{t('dp.summary_off')}</div>}
    </div>
  );
}
