/**
 * The value of a "Change field" trigger with the input that fits the field's kind: text, a long
 * text, a URL, a number, on/off for a switch, the options of a list (radio buttons for a radio
 * field; one option added for a multi-list), a date (or the day the trigger runs), and for every
 * kind "clear the field". What is stored is the text the server expects (seed 004, "Change field").
 */
import type { CatalogField } from '../../../api/admin-triggers.js';
import { useCtx } from '../../../ui/context.js';
import { inputKind, modeOf, RESET, TODAY, type ValueMode } from './field-kinds.js';

export function FieldValueInput({ field, value, onChange }: { field: CatalogField | undefined; value: string; onChange(v: string): void }) {
  const { t } = useCtx();
  if (!field) return <span class="leadmail-muted">{t('admin_triggers.field.pick_field_first')}</span>;
  const kind = inputKind(field.type, field.settable);
  const mode = modeOf(value, kind);
  const setMode = (m: ValueMode) => onChange(m === 'reset' ? RESET : m === 'today' ? TODAY : '');
  const enums = field.enums ?? [];
  const input = (() => {
    switch (kind) {
      case 'textarea':
        return <textarea class="leadmail-input leadmail-trg__value" data-kind={kind} rows={3} value={value} onInput={(e) => onChange(e.currentTarget.value)} />;
      case 'text':
      case 'url':
      case 'number':
        return (
          <input
            type="text"
            inputMode={kind === 'number' ? 'decimal' : kind === 'url' ? 'url' : 'text'}
            class="leadmail-input leadmail-trg__value"
            data-kind={kind}
            placeholder={kind === 'url' ? 'https://' : kind === 'number' ? '0' : ''}
            value={value}
            onInput={(e) => onChange(e.currentTarget.value)}
          />
        );
      case 'switch':
        return (
          <select class="leadmail-select leadmail-trg__value" data-kind={kind} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
            <option value="">{t('admin_triggers.field.choose')}</option>
            <option value="1">{t('admin_triggers.field.switch_on')}</option>
            <option value="0">{t('admin_triggers.field.switch_off')}</option>
          </select>
        );
      case 'list':
      case 'multi':
        return (
          <select class="leadmail-select leadmail-trg__value" data-kind={kind} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
            <option value="">{t('admin_triggers.field.choose')}</option>
            {enums.map((e) => (
              <option key={e.id} value={e.value}>
                {e.value}
              </option>
            ))}
            {value && !enums.some((e) => e.value === value) && <option value={value}>{value}</option>}
          </select>
        );
      case 'radios':
        return (
          <div class="leadmail-trg__radios leadmail-trg__value" data-kind={kind} role="radiogroup">
            {enums.map((e) => (
              <label key={e.id} class="leadmail-trg__radio">
                <input type="radio" name={`leadmail-trg-radio-${field.id}`} value={e.value} checked={value === e.value} onChange={() => onChange(e.value)} />
                {e.value}
              </label>
            ))}
          </div>
        );
      case 'date':
        return <input type="date" class="leadmail-input leadmail-trg__value" data-kind={kind} value={value} onInput={(e) => onChange(e.currentTarget.value)} />;
      case 'none':
        return null;
    }
  })();
  return (
    <div class="leadmail-trg__field-value">
      <select class="leadmail-select leadmail-trg__value-mode" value={mode} disabled={kind === 'none'} onChange={(e) => setMode(e.currentTarget.value as ValueMode)}>
        {kind !== 'none' && <option value="value">{t('admin_triggers.field.mode_value')}</option>}
        {kind === 'date' && <option value="today">{t('admin_triggers.field.mode_today')}</option>}
        <option value="reset">{t('admin_triggers.field.mode_reset')}</option>
      </select>
      {mode === 'value' && input}
      <div class="leadmail-muted leadmail-trg__hint">{t(`admin_triggers.field.hint.${kind}`)}</div>
    </div>
  );
}
