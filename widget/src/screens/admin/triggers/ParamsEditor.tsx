/** The inputs of each action kind (seed 004, "Trigger types"), fed by the account's Kommo and our templates and mailboxes. */
import type { EntityType } from '../../../../../shared/schemas/common.js';
import type { CatalogField, CrmCatalog, MailboxView, TemplateView } from '../../../api/admin-triggers.js';
import { key, type I18nKey, type T } from '../../../host/i18n.js';
import { useCtx } from '../../../ui/context.js';
import { Field, type FormError } from '../../../ui/labelled-field.js';
import { AmountUnit } from './AmountUnit.js';
import type { Draft } from './draft.js';
import { FieldValueInput } from './FieldValueInput.js';
import { inputKind, RESET } from './field-kinds.js';
import { StageFields, UserSelect } from './pickers.js';
import { TagsInput } from './TagsInput.js';

export interface Pickers {
  catalog: CrmCatalog;
  templates: TemplateView[];
  mailboxes: MailboxView[];
}

interface Props {
  draft: Draft;
  set(d: Draft): void;
  pickers: Pickers;
  error: FormError | null;
}

const TASK_TYPE: Record<number, I18nKey> = { 1: key('admin_triggers.task_type.follow_up'), 2: key('admin_triggers.task_type.meeting') };
export const ENTITY_LABEL: Record<EntityType, I18nKey> = {
  leads: key('admin_triggers.entity.leads'),
  contacts: key('admin_triggers.entity.contacts'),
  companies: key('admin_triggers.entity.companies'),
};

function TextArea({ value, onChange, cls, rows = 3 }: { value: string; onChange(v: string): void; cls: string; rows?: number }) {
  return <textarea class={`leadmail-input ${cls}`} rows={rows} value={value} onInput={(e) => onChange(e.currentTarget.value)} />;
}

function SetTask({ draft, set, pickers, error }: Props) {
  const { t } = useCtx();
  const x = draft.task;
  const put = (c: Partial<Draft['task']>) => set({ ...draft, task: { ...x, ...c } });
  return (
    <>
      <Field name="params.taskTypeId" label={t('admin_triggers.task.type')} error={error}>
        <select class="leadmail-select leadmail-trg__task-type" value={x.taskTypeId} onChange={(e) => put({ taskTypeId: e.currentTarget.value })}>
          {pickers.catalog.taskTypes.map((tt) => (
            <option key={tt.id} value={String(tt.id)}>
              {TASK_TYPE[tt.id] ? t(TASK_TYPE[tt.id]!) : tt.name}
            </option>
          ))}
        </select>
      </Field>
      <Field name="params.deadline" label={t('admin_triggers.task.deadline')} error={error}>
        <div class="leadmail-trg__inline">
          <select class="leadmail-select leadmail-trg__deadline-kind" value={x.deadlineKind} onChange={(e) => put({ deadlineKind: e.currentTarget.value as Draft['task']['deadlineKind'] })}>
            <option value="relative">{t('admin_triggers.task.deadline_in')}</option>
            <option value="end_of_day">{t('admin_triggers.task.deadline_end_of_day')}</option>
          </select>
          {x.deadlineKind === 'relative' && (
            <>
              <AmountUnit name="deadline" min={0} amount={x.amount} unit={x.unit} units={['minutes', 'hours', 'days']} onChange={put} />
            </>
          )}
        </div>
      </Field>
      <Field name="params.responsible" label={t('admin_triggers.task.responsible')} error={error}>
        <UserSelect users={pickers.catalog.users} value={x.responsible} onChange={(v) => put({ responsible: v })} class="leadmail-trg__task-responsible" />
      </Field>
      <Field name="params.text" label={t('admin_triggers.task.text')} error={error} hint={t('admin_triggers.text_hint')}>
        <TextArea cls="leadmail-trg__task-text" value={x.text} onChange={(v) => put({ text: v })} />
      </Field>
    </>
  );
}

const TYPE_LABEL: Record<string, I18nKey> = {
  text: key('admin_triggers.field.type.text'),
  textarea: key('admin_triggers.field.type.textarea'),
  url: key('admin_triggers.field.type.url'),
  numeric: key('admin_triggers.field.type.numeric'),
  price: key('admin_triggers.field.type.price'),
  checkbox: key('admin_triggers.field.type.checkbox'),
  select: key('admin_triggers.field.type.select'),
  radiobutton: key('admin_triggers.field.type.radiobutton'),
  multiselect: key('admin_triggers.field.type.multiselect'),
  date: key('admin_triggers.field.type.date'),
  birthday: key('admin_triggers.field.type.birthday'),
  date_time: key('admin_triggers.field.type.date_time'),
  multitext: key('admin_triggers.field.type.multitext'),
};

/** "Budget (number)"; a type we have no word for is shown as Kommo names it. */
function fieldLabel(t: T, f: CatalogField): string {
  const type = TYPE_LABEL[f.type];
  return t('admin_triggers.field.option', { name: f.name, type: type ? t(type) : f.type });
}

function ChangeField({ draft, set, pickers, error }: Props) {
  const { t } = useCtx();
  const x = draft.field;
  const fields = pickers.catalog.fields[x.entity];
  const field = fields.find((f) => String(f.id) === x.fieldId);
  const put = (c: Partial<Draft['field']>) => set({ ...draft, field: { ...x, ...c } });
  // A value typed for another field rarely fits this one; "clear" fits every field, and is the
  // only value of a kind a trigger cannot set.
  const pickField = (id: string) => {
    const next = fields.find((f) => String(f.id) === id);
    const onlyClear = next !== undefined && inputKind(next.type, next.settable) === 'none';
    put({ fieldId: id, value: onlyClear || x.value.trim() === RESET ? RESET : '' });
  };
  return (
    <>
      <Field name="params.entity" label={t('admin_triggers.field.entity')} error={error}>
        <select class="leadmail-select leadmail-trg__field-entity" value={x.entity} onChange={(e) => put({ entity: e.currentTarget.value as EntityType, fieldId: '', value: '' })}>
          {(Object.keys(ENTITY_LABEL) as EntityType[]).map((e) => (
            <option key={e} value={e}>
              {t(ENTITY_LABEL[e])}
            </option>
          ))}
        </select>
      </Field>
      <Field name="params.fieldId" label={t('admin_triggers.field.field')} error={error} hint={fields.length === 0 ? t('admin_triggers.field.no_fields') : undefined}>
        <select class="leadmail-select leadmail-trg__field-id" value={x.fieldId} onChange={(e) => pickField(e.currentTarget.value)}>
          <option value="">{t('admin_triggers.choose')}</option>
          {fields.map((f) => (
            <option key={f.id} value={String(f.id)} data-type={f.type}>
              {fieldLabel(t, f)}
            </option>
          ))}
          {x.fieldId && !field && <option value={x.fieldId}>#{x.fieldId}</option>}
        </select>
      </Field>
      <Field name="params.value" label={t('admin_triggers.field.value')} error={error}>
        <FieldValueInput field={field} value={x.value} onChange={(v) => put({ value: v })} />
      </Field>
    </>
  );
}

function SendEmail({ draft, set, pickers, error }: Props) {
  const { t } = useCtx();
  const x = draft.email;
  const put = (c: Partial<Draft['email']>) => set({ ...draft, email: { ...x, ...c } });
  return (
    <>
      <Field name="params.templateId" label={t('admin_triggers.email.template')} error={error} hint={pickers.templates.length === 0 ? t('admin_triggers.email.no_templates') : undefined}>
        <select class="leadmail-select leadmail-trg__email-template" value={x.templateId} onChange={(e) => put({ templateId: e.currentTarget.value })}>
          <option value="">{t('admin_triggers.choose')}</option>
          {pickers.templates.map((tpl) => (
            <option key={tpl.id} value={tpl.id}>
              {tpl.name}
            </option>
          ))}
          {x.templateId && !pickers.templates.some((tpl) => tpl.id === x.templateId) && <option value={x.templateId}>{x.templateId}</option>}
        </select>
      </Field>
      <Field name="params.mailbox" label={t('admin_triggers.email.mailbox')} error={error} hint={t('admin_triggers.email.mailbox_hint')}>
        <select class="leadmail-select leadmail-trg__email-mailbox" value={x.mailbox} onChange={(e) => put({ mailbox: e.currentTarget.value })}>
          <option value="original">{t('admin_triggers.email.mailbox_original')}</option>
          {pickers.mailboxes.map((m) => (
            <option key={m.id} value={m.id}>
              {m.displayName ? `${m.displayName} <${m.fromAddress}>` : m.fromAddress}
            </option>
          ))}
          {x.mailbox !== 'original' && !pickers.mailboxes.some((m) => m.id === x.mailbox) && <option value={x.mailbox}>{x.mailbox}</option>}
        </select>
      </Field>
    </>
  );
}

function CreateLead({ draft, set, pickers, error }: Props) {
  const { t } = useCtx();
  const x = draft.lead;
  const put = (c: Partial<Draft['lead']>) => set({ ...draft, lead: { ...x, ...c } });
  return (
    <>
      <Field name="params.name" label={t('admin_triggers.lead.name')} error={error} hint={t('admin_triggers.text_hint')}>
        <input type="text" class="leadmail-input leadmail-trg__lead-name" value={x.name} onInput={(e) => put({ name: e.currentTarget.value })} />
      </Field>
      <StageFields pipelines={pickers.catalog.pipelines} value={x} onChange={(s) => put(s)} error={error} prefix="leadmail-trg__lead" />
      <Field name="params.responsible" label={t('admin_triggers.lead.responsible')} error={error}>
        <UserSelect users={pickers.catalog.users} value={x.responsible} onChange={(v) => put({ responsible: v })} class="leadmail-trg__lead-responsible" />
      </Field>
    </>
  );
}

function ChangeTags({ draft, set, pickers, error }: Props) {
  const { t } = useCtx();
  const x = draft.tags;
  const names = pickers.catalog.tags.map((tag) => tag.name);
  const tagsField = (which: 'add' | 'remove') => (
    <Field name={`params.${which}`} label={t(which === 'add' ? 'admin_triggers.tags.add' : 'admin_triggers.tags.remove')} error={error}>
      <TagsInput
        class={`leadmail-trg__tags-${which}`}
        listId={`leadmail-trg-tags-${which}`}
        values={x[which]}
        suggestions={names}
        placeholder={t('admin_triggers.tags.placeholder')}
        removeLabel={t('admin_triggers.tags.remove_chip')}
        onChange={(v) => set({ ...draft, tags: { ...x, [which]: v } })}
      />
    </Field>
  );
  return (
    <>
      {tagsField('add')}
      {tagsField('remove')}
    </>
  );
}

export function ParamsEditor(props: Props) {
  const { t } = useCtx();
  const { draft, set, error } = props;
  switch (draft.action) {
    case 'set_task':
      return <SetTask {...props} />;
    case 'add_note':
      return (
        <Field name="params.text" label={t('admin_triggers.note.text')} error={error} hint={t('admin_triggers.text_hint')}>
          <TextArea cls="leadmail-trg__note-text" rows={4} value={draft.note.text} onChange={(v) => set({ ...draft, note: { text: v } })} />
        </Field>
      );
    case 'change_status':
      return <StageFields pipelines={props.pickers.catalog.pipelines} value={draft.status} onChange={(s) => set({ ...draft, status: s })} error={error} prefix="leadmail-trg__status" />;
    case 'change_field':
      return <ChangeField {...props} />;
    case 'send_email':
      return <SendEmail {...props} />;
    case 'create_lead':
      return <CreateLead {...props} />;
    case 'change_tags':
      return <ChangeTags {...props} />;
  }
}
