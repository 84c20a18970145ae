/**
 * The digital pipeline picker (`dpSettings`): template, delay and filter of this stage's leadmail
 * action. Saving creates (or changes) a signed pipeline action through the API and writes its
 * token into Kommo's hidden `action` field; a token already there is shown as its action.
 * Pipeline actions are for administrators only: anyone else is told so plainly.
 */
import { useEffect, useState } from 'preact/hooks';
import * as api from '../../api/pipeline.js';
import type { PipelineActionView } from '../../api/pipeline.js';
import { templates as listTemplates, type TemplateView } from '../../api/mailings.js';
import { ApiError } from '../../host/transport.js';
import { useCtx } from '../../ui/context.js';
import { errorText } from '../../ui/errors.js';
import { Field, FormAlert, formError, type FormError } from '../../ui/labelled-field.js';
import { TemplateSelect } from '../list-action/inputs.js';
import { fromSeconds, toSeconds, type Delay, type DelayUnit } from './delay.js';
import { ActionSummary } from './ActionSummary.js';

export interface PipelinePickerProps {
  /** The current signed action token (the hidden `action` field), empty for a new block. */
  value: string;
  /** Writes a new token into the hidden field (and lets Kommo know it changed). */
  onChange: (token: string) => void;
}

const FIELDS = ['name', 'templateId', 'delaySeconds', 'filter.tag', 'filter.field', 'filter.value'];

type Load = { state: 'loading' } | { state: 'forbidden'; text: string } | { state: 'error'; text: string } | { state: 'ready' };

export function PipelinePicker({ value, onChange }: PipelinePickerProps) {
  const { t, api: client } = useCtx();
  const rq = client.request;
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [templates, setTemplates] = useState<TemplateView[]>([]);
  const [fields, setFields] = useState<{ id: number; label: string }[]>([]);
  const [action, setAction] = useState<PipelineActionView | null>(null);
  const [lost, setLost] = useState(false);
  const [name, setName] = useState('');
  const [templateId, setTemplateId] = useState('');
  const [delay, setDelay] = useState<Delay>(fromSeconds(0));
  const [tag, setTag] = useState('');
  const [field, setField] = useState('');
  const [fieldValue, setFieldValue] = useState('');
  const [active, setActive] = useState(true);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<FormError | null>(null);

  const fill = (a: PipelineActionView) => {
    setAction(a);
    setName(a.name);
    setTemplateId(a.templateId ?? '');
    setDelay(fromSeconds(a.delaySeconds));
    setTag(a.filter.tag ?? '');
    setField(a.filter.field ?? '');
    setFieldValue(a.filter.value ?? '');
    setActive(a.active);
  };

  useEffect(() => {
    let alive = true;
    const id = api.actionIdOf(value);
    // Reading the action (or the list, for a new block) is also how we learn the user is an admin.
    const current = id
      ? api.getAction(rq, id).catch((err: unknown) => {
          if (err instanceof ApiError && err.status === 404) return 'lost' as const;
          throw err;
        })
      : api.listActions(rq).then(() => null);
    Promise.all([current, listTemplates(rq), api.leadFields(rq)]).then(
      ([a, tpl, f]) => {
        if (!alive) return;
        setTemplates(tpl);
        setFields(f);
        if (a === 'lost') setLost(true);
        else if (a) fill(a);
        setLoad({ state: 'ready' });
      },
      (err: unknown) => {
        if (!alive) return;
        if (err instanceof ApiError && err.status === 403) setLoad({ state: 'forbidden', text: err.message });
        else setLoad({ state: 'error', text: errorText(t, err) });
      },
    );
    return () => {
      alive = false;
    };
    // Only the token Kommo gave at open time: our own writes update `action` directly.
  }, [rq, t]);

  const save = async () => {
    const chosen = templates.find((x) => x.id === templateId);
    const filter = { ...(tag.trim() ? { tag: tag.trim() } : {}), ...(field ? { field, value: fieldValue } : {}) };
    const body = { name: name.trim() || chosen?.name || t('dp.default_name'), templateId, delaySeconds: toSeconds(delay), filter, active };
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      const a = action ? await api.updateAction(rq, action.id, body) : await api.createAction(rq, body);
      fill(a);
      setLost(false);
      onChange(a.token);
      setSaved(true);
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) setLoad({ state: 'forbidden', text: err.message });
      else setError(formError(t, err, FIELDS));
    } finally {
      setBusy(false);
    }
  };

  if (load.state === 'loading') return <div class="leadmail-pipeline leadmail-muted">{t('common.loading')}</div>;
  if (load.state === 'forbidden') {
    return (
      <div class="leadmail-pipeline leadmail-pipeline--forbidden">
        <div class="leadmail-alert leadmail-alert--warn" role="alert">
          {t('dp.admin_only')}
        </div>
        <div class="leadmail-muted leadmail-pipeline__server">{load.text}</div>
      </div>
    );
  }
  if (load.state === 'error') {
    return (
      <div class="leadmail-pipeline">
        <div class="leadmail-alert leadmail-alert--error" role="alert">
          {load.text}
        </div>
      </div>
    );
  }

  return (
    <div class="leadmail-pipeline" data-action-id={action?.id ?? ''}>
      {action && <ActionSummary action={action} fields={fields} />}
      {lost && <div class="leadmail-alert leadmail-alert--warn leadmail-pipeline__lost">{t('dp.lost')}</div>}
      <Field name="templateId" label={t('dp.template')} error={error} hint={templates.length === 0 ? t('list.no_templates') : undefined}>
        <TemplateSelect templates={templates} value={templateId} onChange={setTemplateId} class="leadmail-dp__template" />
      </Field>
      <Field name="delaySeconds" label={t('dp.delay')} error={error}>
        <div class="leadmail-inline">
          <select class="leadmail-select leadmail-dp__delay-mode" value={delay.mode} onChange={(e) => setDelay({ ...delay, mode: e.currentTarget.value as Delay['mode'] })}>
            <option value="now">{t('dp.delay_now')}</option>
            <option value="after">{t('dp.delay_after')}</option>
          </select>
          {delay.mode === 'after' && (
            <>
              <input
                type="number"
                min={1}
                class="leadmail-input leadmail-input--short leadmail-dp__delay-amount"
                value={delay.amount}
                onInput={(e) => setDelay({ ...delay, amount: Number(e.currentTarget.value) })}
              />
              <select class="leadmail-select leadmail-dp__delay-unit" value={delay.unit} onChange={(e) => setDelay({ ...delay, unit: e.currentTarget.value as DelayUnit })}>
                <option value="minutes">{t('dp.unit_minutes')}</option>
                <option value="hours">{t('dp.unit_hours')}</option>
                <option value="days">{t('dp.unit_days')}</option>
              </select>
            </>
          )}
        </div>
      </Field>
      <div class="leadmail-card__title leadmail-dp__filter-title">{t('dp.filter')}</div>
      <Field name="filter.tag" label={t('dp.tag')} error={error}>
        <input type="text" class="leadmail-input leadmail-dp__tag" value={tag} placeholder={t('dp.tag_any')} onInput={(e) => setTag(e.currentTarget.value)} />
      </Field>
      <Field name="filter.field" label={t('dp.field')} error={error}>
        <select class="leadmail-select leadmail-dp__field" value={field} onChange={(e) => setField(e.currentTarget.value)}>
          <option value="">{t('dp.field_any')}</option>
          {fields.map((f) => (
            <option key={f.id} value={String(f.id)}>
              {f.label}
            </option>
          ))}
          {field && !fields.some((f) => String(f.id) === field) && <option value={field}>{field}</option>}
        </select>
      </Field>
      {field && (
        <Field name="filter.value" label={t('dp.value')} error={error}>
          <input type="text" class="leadmail-input leadmail-dp__value" value={fieldValue} onInput={(e) => setFieldValue(e.currentTarget.value)} />
        </Field>
      )}
      <Field name="name" label={t('dp.name')} error={error}>
        <input type="text" class="leadmail-input leadmail-dp__name" value={name} placeholder={templates.find((x) => x.id === templateId)?.name ?? ''} onInput={(e) => setName(e.currentTarget.value)} />
      </Field>
      {action && (
        <label class="leadmail-check">
          <input type="checkbox" class="leadmail-dp__active" checked={active} onChange={(e) => setActive(e.currentTarget.checked)} />
          {t('dp.active')}
        </label>
      )}
      <FormAlert error={error} />
      <div class="leadmail-pipeline__actions">
        {saved && <span class="leadmail-pipeline__saved">{t('dp.saved')}</span>}
        <button type="button" class="leadmail-btn leadmail-btn--primary leadmail-dp__save" disabled={busy} onClick={() => void save()}>
          {action ? t('dp.save_changes') : t('dp.save')}
        </button>
      </div>
    </div>
  );
}
