/** Small pieces the mailing form and the reminder form share. */
import type { TemplateView } from '../../api/mailings.js';
import { useCtx } from '../../ui/context.js';

export function TemplateSelect(props: { templates: TemplateView[]; value: string; onChange: (id: string) => void; class?: string }) {
  const { t } = useCtx();
  return (
    <select class={`leadmail-select leadmail-template-select ${props.class ?? ''}`} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
      <option value="">{t('list.choose_template')}</option>
      {props.templates.map((tpl) => (
        <option key={tpl.id} value={tpl.id}>
          {tpl.name}
        </option>
      ))}
    </select>
  );
}

/** A datetime-local value (the user's own clock) as ISO 8601; null when empty or invalid. */
export function toIso(local: string): string | null {
  if (!local) return null;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** Now plus `minutes`, as a datetime-local value in the user's clock. */
export function localInput(minutes: number, now = Date.now()): string {
  const d = new Date(now + minutes * 60_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
