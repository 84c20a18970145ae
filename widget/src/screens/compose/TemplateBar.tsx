/** Pick a template (fills everything) or save what is written as a new one. */
import { useState } from 'preact/hooks';
import type { TemplateView } from '../../api/compose.js';
import { useCtx } from '../../ui/context.js';

export interface TemplateBarProps {
  templates: TemplateView[];
  value: string | null;
  onPick(t: TemplateView | null): void;
  onSave(name: string): Promise<boolean>;
  error?: string | null;
}

export function TemplateBar({ templates, value, onPick, onSave, error }: TemplateBarProps) {
  const { t } = useCtx();
  const [naming, setNaming] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const save = async () => {
    if (!naming?.trim()) return;
    setBusy(true);
    if (await onSave(naming.trim())) setNaming(null);
    setBusy(false);
  };
  return (
    <div class="leadmail-templatebar" data-field="template">
      <select
        class="leadmail-select leadmail-templatebar__pick"
        value={value ?? ''}
        onChange={(e) => onPick(templates.find((x) => x.id === e.currentTarget.value) ?? null)}
      >
        <option value="">{t('compose.no_template')}</option>
        {templates.map((x) => (
          <option key={x.id} value={x.id}>
            {x.name}
          </option>
        ))}
      </select>
      {naming === null ? (
        <button type="button" class="leadmail-btn leadmail-btn--link leadmail-templatebar__save" onClick={() => setNaming('')}>
          {t('compose.save_template')}
        </button>
      ) : (
        <span class="leadmail-templatebar__naming">
          <input
            class="leadmail-input leadmail-templatebar__name"
            placeholder={t('compose.template_name')}
            value={naming}
            ref={(el) => el?.focus()}
            onInput={(e) => setNaming(e.currentTarget.value)}
            onKeyDown={(e) => e.key === 'Enter' && void save()}
          />
          <button type="button" class="leadmail-btn leadmail-btn--small leadmail-templatebar__confirm" disabled={busy || !naming.trim()} onClick={() => void save()}>
            {t('compose.save')}
          </button>
          <button type="button" class="leadmail-btn leadmail-btn--link" onClick={() => setNaming(null)}>
            {t('common.close')}
          </button>
        </span>
      )}
      {error && (
        <div class="leadmail-field-error" role="alert" data-error-for="template">
          {error}
        </div>
      )}
    </div>
  );
}
