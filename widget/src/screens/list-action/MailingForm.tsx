/**
 * The list action's form: template, mailbox, who receives it, when; a preview rendered for the
 * first selected entity; Send → POST /api/mailings (202) hands the new mailing's id to `onStarted`.
 */
import { useEffect, useState } from 'preact/hooks';
import * as api from '../../api/mailings.js';
import type { EmailFieldChoice, MailboxView, MailingRequest, Preview, TemplateView } from '../../api/mailings.js';
import type { EntityType } from '../../../../shared/schemas/common.js';
import { useCtx } from '../../ui/context.js';
import { errorText } from '../../ui/errors.js';
import { Field, FormAlert, formError, type FormError } from '../../ui/labelled-field.js';
import { PreviewFrame } from './PreviewFrame.js';
import { TemplateSelect, toIso } from './inputs.js';

type Mode = 'main' | 'all' | 'field';
const FIELDS = ['templateId', 'mailboxId', 'recipients', 'startAt'];
/** The server asks for a subject/body only because no template was chosen; fieldId lives in "recipients". */
const ALIASES = { subject: 'templateId', html: 'templateId', 'recipients.fieldId': 'recipients', 'recipients.mode': 'recipients' };

export interface MailingFormProps {
  entityType: EntityType;
  ids: number[];
  /** Kommo's count of the selection; more than `ids` when Kommo handed over only a page of it. */
  selectedCount?: number;
  close: () => void;
  onStarted: (mailingId: string) => void;
}

export function MailingForm({ entityType, ids, selectedCount, close, onStarted }: MailingFormProps) {
  const count = Math.max(selectedCount ?? ids.length, ids.length);
  const { t, api: client } = useCtx();
  const rq = client.request;
  const [templates, setTemplates] = useState<TemplateView[] | null>(null);
  const [boxes, setBoxes] = useState<MailboxView[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [templateId, setTemplateId] = useState('');
  const [mailboxId, setMailboxId] = useState('');
  const [mode, setMode] = useState<Mode>('main');
  const [fields, setFields] = useState<EmailFieldChoice[] | null>(null);
  const [fieldId, setFieldId] = useState('');
  const [onePerEntity, setOnePerEntity] = useState(false);
  const [startMode, setStartMode] = useState<'now' | 'at'>('now');
  const [startAt, setStartAt] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError | null>(null);

  useEffect(() => {
    let alive = true;
    Promise.all([api.templates(rq), api.mailboxes(rq)]).then(
      ([tpl, mb]) => {
        if (!alive) return;
        setTemplates(tpl);
        setBoxes(mb);
        setMailboxId(mb.find((m) => m.isGlobal)?.id ?? mb[0]?.id ?? 'responsible');
      },
      (err) => alive && setLoadError(errorText(t, err)),
    );
    return () => {
      alive = false;
    };
  }, [rq, t]);

  useEffect(() => {
    if (mode !== 'field' || fields) return;
    api.emailFields(rq, entityType).then(setFields, (err) => setError(formError(t, err, FIELDS)));
  }, [mode, fields, rq, t, entityType]);

  // A preview shown for another template would mislead: take it away on change.
  useEffect(() => setPreview(null), [templateId]);

  const globalBox = boxes?.find((m) => m.isGlobal) ?? null;

  const showPreview = async () => {
    if (!templateId) {
      setError({ field: 'templateId', text: t('list.choose_template_first') });
      return;
    }
    setPreviewing(true);
    try {
      setPreview(await api.previewTemplate(rq, templateId, entityType, ids[0]!));
      setError(null);
    } catch (err) {
      setError(formError(t, err, FIELDS, ALIASES));
    } finally {
      setPreviewing(false);
    }
  };

  const send = async () => {
    const body: MailingRequest = {
      entityType,
      ids,
      mailboxId,
      recipients: { mode, onePerEntity, ...(mode === 'field' && fieldId ? { fieldId: Number(fieldId) } : {}) },
      ...(templateId ? { templateId } : {}),
    };
    if (startMode === 'at') {
      const iso = toIso(startAt);
      if (!iso) {
        setError({ field: 'startAt', text: t('list.start_at_missing') });
        return;
      }
      body.startAt = iso;
    }
    setBusy(true);
    setError(null);
    try {
      const accepted = await api.createMailing(rq, body);
      onStarted(accepted.id);
    } catch (err) {
      setError(formError(t, err, FIELDS, ALIASES));
      setBusy(false);
    }
  };

  if (loadError) {
    return (
      <div class="leadmail-list-action" data-entity-type={entityType}>
        <h2 class="leadmail-h2">{t('list.title', { n: count })}</h2>
        <div class="leadmail-alert leadmail-alert--error" role="alert">
          {loadError}
        </div>
      </div>
    );
  }

  return (
    <div class="leadmail-list-action leadmail-list-form" data-entity-type={entityType}>
      <h2 class="leadmail-h2">{t('list.title', { n: count })}</h2>
      {count > ids.length && (
        <div class="leadmail-alert leadmail-alert--warn leadmail-list__paged" role="status">
          {t('list.paged', { count, n: ids.length })}
        </div>
      )}
      {(!templates || !boxes) && <div class="leadmail-muted">{t('common.loading')}</div>}
      {templates && boxes && (
        <>
          <Field name="templateId" label={t('list.template')} error={error} hint={templates.length === 0 ? t('list.no_templates') : undefined}>
            <TemplateSelect templates={templates} value={templateId} onChange={setTemplateId} />
          </Field>
          <Field name="mailboxId" label={t('list.mailbox')} error={error} hint={globalBox ? t('list.global_note', { name: globalBox.displayName }) : boxes.length === 0 ? t('list.no_mailbox') : undefined}>
            <select class="leadmail-select leadmail-list__mailbox" value={mailboxId} disabled={!!globalBox} onChange={(e) => setMailboxId(e.currentTarget.value)}>
              {boxes.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.displayName} &lt;{m.fromAddress}&gt;
                </option>
              ))}
              <option value="responsible">{t(entityType === 'contacts' ? 'list.responsible_contacts' : 'list.responsible_leads')}</option>
            </select>
          </Field>
          <Field name="recipients" label={t('list.recipients')} error={error}>
            <div class="leadmail-radios leadmail-list__mode">
              {(['main', 'all', 'field'] as const).map((m) => (
                <label key={m} class="leadmail-radio">
                  <input type="radio" name="leadmail-mode" value={m} checked={mode === m} onChange={() => setMode(m)} />
                  {t(m === 'main' ? 'list.mode_main' : m === 'all' ? 'list.mode_all' : 'list.mode_field')}
                </label>
              ))}
            </div>
            {mode === 'field' && (
              <select class="leadmail-select leadmail-list__field" value={fieldId} onChange={(e) => setFieldId(e.currentTarget.value)}>
                <option value="">{fields ? t('list.choose_field') : t('common.loading')}</option>
                {(fields ?? []).map((f) => (
                  <option key={f.id} value={String(f.id)}>
                    {f.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {entityType === 'leads' && (
            <label class="leadmail-check leadmail-list__one-per-entity-row">
              <input type="checkbox" class="leadmail-list__one-per-entity" checked={onePerEntity} onChange={(e) => setOnePerEntity(e.currentTarget.checked)} />
              {t('list.one_per_entity')}
            </label>
          )}
          <Field name="startAt" label={t('list.start')} error={error}>
            <div class="leadmail-radios">
              <label class="leadmail-radio">
                <input type="radio" name="leadmail-start" class="leadmail-list__start-now" checked={startMode === 'now'} onChange={() => setStartMode('now')} />
                {t('list.start_now')}
              </label>
              <label class="leadmail-radio">
                <input type="radio" name="leadmail-start" class="leadmail-list__start-at" checked={startMode === 'at'} onChange={() => setStartMode('at')} />
                {t('list.start_at')}
              </label>
              {startMode === 'at' && <input type="datetime-local" class="leadmail-input leadmail-list__start-time" value={startAt} onInput={(e) => setStartAt(e.currentTarget.value)} />}
            </div>
          </Field>
          <FormAlert error={error} />
          {preview && <PreviewFrame preview={preview} />}
          <div class="leadmail-modal__footer">
            <button type="button" class="leadmail-btn leadmail-btn--link leadmail-list__preview" disabled={previewing} onClick={() => (preview ? setPreview(null) : void showPreview())}>
              {preview ? t('list.hide_preview') : t('list.preview')}
            </button>
            <span class="leadmail-spacer" />
            <button type="button" class="leadmail-btn" onClick={close}>
              {t('common.close')}
            </button>
            <button type="button" class="leadmail-btn leadmail-btn--primary leadmail-list__send" disabled={busy} onClick={() => void send()}>
              {t('list.send', { n: ids.length })}
            </button>
          </div>
        </>
      )}
    </div>
  );
}
