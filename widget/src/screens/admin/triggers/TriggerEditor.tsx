/**
 * One trigger's form: name, action kind and its inputs, delay, on/off. Save sends it as typed;
 * what the server refuses is shown under the input it named (e.g. "params.value": the value does
 * not fit the field), anything else above the buttons.
 */
import { useState } from 'preact/hooks';
import { createTrigger, updateTrigger, type TriggerAction, type TriggerView } from '../../../api/admin-triggers.js';
import { ApiError } from '../../../host/transport.js';
import type { T } from '../../../host/i18n.js';
import { useCtx } from '../../../ui/context.js';
import { Field, FormAlert, formError, type FormError } from '../../../ui/labelled-field.js';
import { AmountUnit } from './AmountUnit.js';
import { bodyOf, draftOf, emptyDraft, type Draft } from './draft.js';
import { ACTION_LABEL, ACTIONS } from './labels.js';
import { ParamsEditor, type Pickers } from './ParamsEditor.js';

const FIELDS = [
  'name',
  'action',
  'delaySeconds',
  'active',
  ...['taskTypeId', 'deadline', 'responsible', 'text', 'pipelineId', 'statusId', 'entity', 'fieldId', 'value', 'templateId', 'mailbox', 'name', 'add', 'remove'].map((f) => `params.${f}`),
];

/** "params.deadline.amount" or "params.add.2" belong to the input of "params.deadline" / "params.add". */
function ownerOf(field: string): string | undefined {
  const parts = field.split('.');
  for (let n = parts.length; n > 0; n--) {
    const f = parts.slice(0, n).join('.');
    if (FIELDS.includes(f)) return f;
  }
  return undefined;
}

/** The input a refused save belongs to: the field the server named ("params.value"), text without its path. */
export function saveError(t: T, err: unknown): FormError {
  if (err instanceof ApiError && err.field) {
    const owner = ownerOf(err.field);
    if (owner) return { field: owner, text: err.message.replace(/^[\w.[\]]+: /, '') };
  }
  return formError(t, err, FIELDS);
}

export function TriggerEditor({ trigger, pickers, onSaved, onCancel }: { trigger: TriggerView | null; pickers: Pickers; onSaved(v: TriggerView): void; onCancel(): void }) {
  const { t, api } = useCtx();
  const [draft, setDraft] = useState<Draft>(() => (trigger ? draftOf(trigger) : emptyDraft()));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  const d = draft.delay;
  const setDelay = (c: Partial<Draft['delay']>) => setDraft({ ...draft, delay: { ...d, ...c } });

  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const body = bodyOf(draft);
      onSaved(trigger ? await updateTrigger(api.request, trigger.id, body) : await createTrigger(api.request, body));
    } catch (err) {
      setError(saveError(t, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="leadmail-trg-editor" data-trigger-id={trigger?.id ?? ''}>
      <h2 class="leadmail-trg-editor__title">{trigger ? t('admin_triggers.edit_title', { name: trigger.name }) : t('admin_triggers.new_title')}</h2>
      <Field name="name" label={t('admin_triggers.name')} error={error} hint={t('admin_triggers.name_hint')}>
        <input type="text" class="leadmail-input leadmail-trg__name" value={draft.name} onInput={(e) => setDraft({ ...draft, name: e.currentTarget.value })} />
      </Field>
      <Field name="action" label={t('admin_triggers.action_label')} error={error}>
        <select class="leadmail-select leadmail-trg__action" value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.currentTarget.value as TriggerAction })}>
          {ACTIONS.map((a) => (
            <option key={a} value={a}>
              {t(ACTION_LABEL[a])}
            </option>
          ))}
        </select>
      </Field>
      <div class="leadmail-trg-editor__params" data-action={draft.action}>
        <ParamsEditor draft={draft} set={setDraft} pickers={pickers} error={error} />
      </div>
      <Field name="delaySeconds" label={t('admin_triggers.delay')} error={error}>
        <div class="leadmail-trg__inline">
          <select class="leadmail-select leadmail-trg__delay-mode" value={d.mode} onChange={(e) => setDelay({ mode: e.currentTarget.value as Draft['delay']['mode'] })}>
            <option value="now">{t('admin_triggers.delay_now')}</option>
            <option value="after">{t('admin_triggers.delay_after')}</option>
          </select>
          {d.mode === 'after' && (
            <>
              <AmountUnit name="delay" min={1} amount={d.amount} unit={d.unit} units={['seconds', 'minutes', 'hours', 'days']} onChange={setDelay} />
            </>
          )}
        </div>
      </Field>
      <label class="leadmail-trg__check">
        <input type="checkbox" class="leadmail-trg__active" checked={draft.active} onChange={(e) => setDraft({ ...draft, active: e.currentTarget.checked })} />
        {t('admin_triggers.active_label')}
      </label>
      <FormAlert error={error} />
      <div class="leadmail-trg-editor__actions">
        <button type="button" class="leadmail-btn leadmail-trg__cancel" disabled={busy} onClick={onCancel}>
          {t('admin_triggers.cancel')}
        </button>
        <button type="button" class="leadmail-btn leadmail-btn--primary leadmail-trg__save" disabled={busy} onClick={() => void save()}>
          {busy ? t('admin_triggers.saving') : t('admin_triggers.save')}
        </button>
      </div>
    </div>
  );
}
