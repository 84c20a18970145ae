/** Selects shared by several actions: a Kommo user (or the entity's responsible one), a pipeline stage. */
import type { CrmCatalog } from '../../../api/admin-triggers.js';
import type { FormError } from '../../../ui/labelled-field.js';
import { Field } from '../../../ui/labelled-field.js';
import { useCtx } from '../../../ui/context.js';

export function UserSelect({ users, value, onChange, class: cls }: { users: CrmCatalog['users']; value: string; onChange(v: string): void; class: string }) {
  const { t } = useCtx();
  return (
    <select class={`leadmail-select ${cls}`} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
      <option value="entity">{t('admin_triggers.responsible_entity')}</option>
      {users.map((u) => (
        <option key={u.id} value={String(u.id)}>
          {u.name}
        </option>
      ))}
      {/* A user who left Kommo's list stays visible as the saved id. */}
      {value !== 'entity' && !users.some((u) => String(u.id) === value) && <option value={value}>#{value}</option>}
    </select>
  );
}

export interface Stage {
  pipelineId: string;
  statusId: string;
}

/** Pipeline, then one of its statuses; changing the pipeline picks its first working stage. */
export function StageFields({ pipelines, value, onChange, error, prefix }: { pipelines: CrmCatalog['pipelines']; value: Stage; onChange(v: Stage): void; error: FormError | null; prefix: string }) {
  const { t } = useCtx();
  const pipeline = pipelines.find((p) => String(p.id) === value.pipelineId);
  const firstStage = (id: string) => {
    const statuses = pipelines.find((p) => String(p.id) === id)?.statuses ?? [];
    // Kommo's first status is "Incoming leads", which only the unsorted inbox fills.
    return String((statuses[1] ?? statuses[0])?.id ?? '');
  };
  return (
    <>
      <Field name="params.pipelineId" label={t('admin_triggers.pipeline')} error={error}>
        <select class={`leadmail-select ${prefix}-pipeline`} value={value.pipelineId} onChange={(e) => onChange({ pipelineId: e.currentTarget.value, statusId: firstStage(e.currentTarget.value) })}>
          <option value="">{t('admin_triggers.choose')}</option>
          {pipelines.map((p) => (
            <option key={p.id} value={String(p.id)}>
              {p.name}
            </option>
          ))}
          {value.pipelineId && !pipeline && <option value={value.pipelineId}>#{value.pipelineId}</option>}
        </select>
      </Field>
      <Field name="params.statusId" label={t('admin_triggers.status')} error={error}>
        <select class={`leadmail-select ${prefix}-status`} value={value.statusId} onChange={(e) => onChange({ ...value, statusId: e.currentTarget.value })}>
          <option value="">{t('admin_triggers.choose')}</option>
          {(pipeline?.statuses ?? []).map((s) => (
            <option key={s.id} value={String(s.id)}>
              {s.name}
            </option>
          ))}
          {value.statusId && !pipeline?.statuses.some((s) => String(s.id) === value.statusId) && <option value={value.statusId}>#{value.statusId}</option>}
        </select>
      </Field>
    </>
  );
}
