/**
 * The history's filters: status, mailbox, template and a date range (local days; "to" includes its
 * day). The server checks them; a filter it refuses is named under that filter.
 */
import type { EmailListItem, MailboxView, TemplateView } from '../../../api/admin-history.js';
import { useCtx } from '../../../ui/context.js';
import { Field, type FormError } from '../../../ui/labelled-field.js';
import { STATUS, STATUSES } from './labels.js';

export interface FilterState {
  status: EmailListItem['status'] | '';
  mailboxId: string;
  templateId: string;
  /** yyyy-mm-dd as the date input gives it, or ''. */
  from: string;
  to: string;
}

export const NO_FILTERS: FilterState = { status: '', mailboxId: '', templateId: '', from: '', to: '' };

/** The query the server takes: local midnights as instants; `until` is the day after "to" (exclusive). */
export function toQuery(f: FilterState): { status?: EmailListItem['status']; mailboxId?: string; templateId?: string; since?: string; until?: string } {
  const day = (d: string, plus = 0) => {
    const [y, m, dd] = d.split('-').map(Number);
    return new Date(y!, m! - 1, dd! + plus).toISOString();
  };
  return {
    status: f.status || undefined,
    mailboxId: f.mailboxId || undefined,
    templateId: f.templateId || undefined,
    since: f.from ? day(f.from) : undefined,
    until: f.to ? day(f.to, 1) : undefined,
  };
}

export interface FiltersProps {
  value: FilterState;
  onChange(next: FilterState): void;
  mailboxes: MailboxView[];
  templates: TemplateView[];
  /** A filter the server refused (field since/until shown at from/to). */
  error: FormError | null;
}

export function Filters({ value: f, onChange, mailboxes, templates, error }: FiltersProps) {
  const { t } = useCtx();
  const set = (patch: Partial<FilterState>) => onChange({ ...f, ...patch });
  const any = f.status || f.mailboxId || f.templateId || f.from || f.to;
  return (
    <div class="leadmail-history-filters">
      <Field name="status" label={t('admin_history.filter.status')} error={error}>
        <select class="leadmail-select leadmail-history-filters__status" value={f.status} onChange={(e) => set({ status: e.currentTarget.value as FilterState['status'] })}>
          <option value="">{t('admin_history.filter.any_status')}</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(STATUS[s])}
            </option>
          ))}
        </select>
      </Field>
      <Field name="mailboxId" label={t('admin_history.filter.mailbox')} error={error}>
        <select class="leadmail-select leadmail-history-filters__mailbox" value={f.mailboxId} onChange={(e) => set({ mailboxId: e.currentTarget.value })}>
          <option value="">{t('admin_history.filter.any_mailbox')}</option>
          {mailboxes.map((m) => (
            <option key={m.id} value={m.id}>
              {m.displayName} ({m.fromAddress})
            </option>
          ))}
        </select>
      </Field>
      <Field name="templateId" label={t('admin_history.filter.template')} error={error}>
        <select class="leadmail-select leadmail-history-filters__template" value={f.templateId} onChange={(e) => set({ templateId: e.currentTarget.value })}>
          <option value="">{t('admin_history.filter.any_template')}</option>
          {templates.map((x) => (
            <option key={x.id} value={x.id}>
              {x.name}
            </option>
          ))}
        </select>
      </Field>
      <Field name="since" label={t('admin_history.filter.from')} error={error}>
        <input type="date" class="leadmail-input leadmail-history-filters__from" value={f.from} max={f.to || undefined} onChange={(e) => set({ from: e.currentTarget.value })} />
      </Field>
      <Field name="until" label={t('admin_history.filter.to')} error={error}>
        <input type="date" class="leadmail-input leadmail-history-filters__to" value={f.to} onChange={(e) => set({ to: e.currentTarget.value })} />
      </Field>
      <button type="button" class="leadmail-btn leadmail-btn--link leadmail-history-filters__reset" disabled={!any} onClick={() => onChange(NO_FILTERS)}>
        {t('admin_history.filter.reset')}
      </button>
    </div>
  );
}
