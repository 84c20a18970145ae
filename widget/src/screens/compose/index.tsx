/**
 * Compose (a modal over the card): From, To/Cc/Bcc, subject and body with variables, trigger
 * links and images, attachments, a template to start from or save as, this mail's trigger points,
 * the preview (the eye) and Send. Errors the server names a field for are shown at that field.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { SendBody, TemplateView, TriggerPoints } from '../../api/compose.js';
import { ApiError } from '../../host/transport.js';
import type { Entity } from '../../ui/context.js';
import { useCtx } from '../../ui/context.js';
import { errorText } from '../../ui/errors.js';
import { HtmlEditor, type EditorHandle } from '../../ui/html-editor.js';
import { EyeIcon } from '../../ui/icons.js';
import { TriggerLinkTool } from '../../ui/trigger-link-tool.js';
import { VariablePicker } from '../../ui/variable-picker.js';
import { Attachments, useAddFiles, type Attached } from './Attachments.js';
import { FromField } from './FromField.js';
import { PreviewPane } from './PreviewPane.js';
import { RecipientsField, type Chip } from './RecipientsField.js';
import { TemplateBar } from './TemplateBar.js';
import { TriggerPointsField } from './TriggerPointsField.js';
import { useComposeData } from './useComposeData.js';

export interface ComposeProps {
  entity: Entity;
  onSent: () => void;
  close: () => void;
}

type Section = 'from' | 'to' | 'cc' | 'bcc' | 'subject' | 'body' | 'files' | 'triggers' | 'template';
const SECTION: Record<string, Section> = { mailboxId: 'from', to: 'to', contactIds: 'to', cc: 'cc', bcc: 'bcc', subject: 'subject', html: 'body', files: 'files', triggers: 'triggers', templateId: 'template' };
const NO_TRIGGERS: TriggerPoints = { sent: [], opened: [], notOpened: null, failed: [] };

/** Which part of the form an API error belongs to (null: the form as a whole). */
function sectionOf(err: unknown): Section | null {
  return err instanceof ApiError && err.field ? (SECTION[err.field.split('.')[0]!] ?? null) : null;
}

const addresses = (chips: Chip[]): string[] => chips.flatMap((c) => (c.kind === 'address' ? [c.address] : []));

export function Compose({ entity, onSent, close }: ComposeProps) {
  const { t, notify } = useCtx();
  const { data, capi, reloadTemplates } = useComposeData(entity);
  const [mailboxId, setMailboxId] = useState<string | null>(null);
  const [to, setTo] = useState<Chip[]>([]);
  const [cc, setCc] = useState<Chip[] | null>(null);
  const [bcc, setBcc] = useState<Chip[] | null>(null);
  const [subject, setSubject] = useState('');
  const [html, setHtml] = useState('');
  const [noSignature, setNoSignature] = useState(false);
  const [template, setTemplate] = useState<TemplateView | null>(null);
  const [files, setFiles] = useState<Attached[]>([]);
  const [triggers, setTriggers] = useState<TriggerPoints>(NO_TRIGGERS);
  const [errors, setErrors] = useState<Partial<Record<Section, string>>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [preview, setPreview] = useState<{ result: Awaited<ReturnType<typeof capi.preview>> | null; error: string | null } | null>(null);
  const editor = useRef<EditorHandle | null>(null);
  const subjectInput = useRef<HTMLInputElement>(null);
  const lastFocus = useRef<'subject' | 'body'>('body');
  const [fileError, setFileError] = useState<string | null>(null);
  const addFiles = useAddFiles(files, template?.attachments ?? [], setFiles, setFileError);

  // Defaults once loaded: the global or first healthy mailbox, the main contact with an address.
  useEffect(() => {
    const boxes = data.mailboxes;
    if (!boxes || mailboxId) return;
    const pick = boxes.find((m) => m.isGlobal) ?? boxes.find((m) => m.checkStatus !== 'red') ?? boxes[0];
    if (pick) setMailboxId(pick.id);
    const main = data.contacts.find((c) => c.emails.length > 0);
    if (main) setTo([{ kind: 'contact', contactId: main.contactId, name: main.name, emails: main.emails }]);
  }, [data]);

  const insertVariable = (token: string) => {
    const input = subjectInput.current;
    if (lastFocus.current === 'subject' && input) {
      const at = input.selectionStart ?? subject.length;
      const end = input.selectionEnd ?? at;
      setSubject(subject.slice(0, at) + token + subject.slice(end));
      requestAnimationFrame(() => {
        input.focus();
        input.setSelectionRange(at + token.length, at + token.length);
      });
    } else editor.current?.insertText(token);
  };

  const pickTemplate = (tp: TemplateView | null) => {
    setTemplate(tp);
    if (!tp) return;
    setSubject(tp.subject);
    setHtml(tp.html);
    setNoSignature(tp.disableSignature);
    setTriggers(tp.triggers);
    setErrors({});
  };

  const fail = (err: unknown) => {
    const s = sectionOf(err);
    if (s) setErrors({ [s]: errorText(t, err) });
    else setGeneral(errorText(t, err));
  };

  const saveTemplate = async (name: string): Promise<boolean> => {
    setErrors({});
    setGeneral(null);
    try {
      const saved = await capi.saveTemplate({ name, subject, html, triggers, disableSignature: noSignature }, files.map((f) => f.file));
      await reloadTemplates();
      notify(t('compose.template_saved', { name: saved.name }));
      return true;
    } catch (err) {
      // A template's own rules (name, 50 MB of files) belong to the template bar.
      const s = sectionOf(err);
      setErrors({ [s && s !== 'files' ? s : 'template']: errorText(t, err) });
      return false;
    }
  };

  const showPreview = async () => {
    setPreview({ result: null, error: null });
    try {
      const result = await capi.preview({ entityType: entity.entityType, entityId: entity.entityId, subject, html, disableSignature: noSignature });
      setPreview({ result, error: null });
    } catch (err) {
      setPreview({ result: null, error: errorText(t, err) });
      const s = sectionOf(err);
      if (s) setErrors({ [s]: errorText(t, err) });
    }
  };

  const send = async () => {
    setErrors({});
    setGeneral(null);
    const local: Partial<Record<Section, string>> = {};
    for (const [name, chips] of [['to', to], ['cc', cc ?? []], ['bcc', bcc ?? []]] as const) {
      if (chips.some((c) => c.kind === 'address' && !c.valid)) local[name] = t('compose.fix_addresses');
    }
    if (to.length === 0) local.to = t('compose.need_recipient');
    if (Object.keys(local).length) {
      setErrors(local);
      return;
    }
    const body: SendBody = {
      entityType: entity.entityType,
      entityId: entity.entityId,
      ...(mailboxId ? { mailboxId } : {}),
      contactIds: to.flatMap((c) => (c.kind === 'contact' ? [c.contactId] : [])),
      to: addresses(to),
      cc: addresses(cc ?? []),
      bcc: addresses(bcc ?? []),
      subject,
      html,
      disableSignature: noSignature,
      triggers,
      ...(template ? { templateId: template.id } : {}),
    };
    setProgress(0);
    try {
      await capi.send(body, files.map((f) => f.file), setProgress);
      notify(t('compose.sent_toast'));
      onSent();
      close();
    } catch (err) {
      fail(err);
      setProgress(null);
    }
  };

  const busy = progress !== null;
  const tools = (
    <>
      <VariablePicker variables={data.variables} onPick={insertVariable} />
      <TriggerLinkTool links={data.links} editor={editor} />
    </>
  );

  return (
    <div class="leadmail-compose" data-entity-type={entity.entityType} data-entity-id={entity.entityId}>
      <div class="leadmail-compose__head">
        <button type="button" class="leadmail-btn leadmail-btn--link leadmail-compose__close" aria-label={t('common.close')} onClick={close}>
          ×
        </button>
        <h2 class="leadmail-h2">{t('compose.title')}</h2>
        <TemplateBar templates={data.templates} value={template?.id ?? null} onPick={pickTemplate} onSave={saveTemplate} error={errors.template ?? null} />
      </div>
      {data.mailboxes === null && <div class="leadmail-muted">{t('common.loading')}</div>}
      {data.errors.map((e) => (
        <div key={e} class="leadmail-alert leadmail-alert--error" role="alert">
          {e}
        </div>
      ))}
      {general && (
        <div class="leadmail-alert leadmail-alert--error leadmail-compose__error" role="alert">
          {general}
        </div>
      )}
      {preview ? (
        <PreviewPane preview={preview.result} error={preview.error} onBack={() => setPreview(null)} />
      ) : (
        <div class="leadmail-compose__form">
          <FromField mailboxes={data.mailboxes ?? []} value={mailboxId} onChange={setMailboxId} error={errors.from ?? null} />
          <div class="leadmail-compose__to">
            <RecipientsField name="to" label={t('compose.to')} chips={to} onChange={setTo} contacts={data.contacts} error={errors.to ?? null} />
            <div class="leadmail-compose__copies">
              {cc === null && (
                <button type="button" class="leadmail-btn leadmail-btn--link leadmail-compose__add-cc" onClick={() => setCc([])}>
                  {t('compose.cc')}
                </button>
              )}
              {bcc === null && (
                <button type="button" class="leadmail-btn leadmail-btn--link leadmail-compose__add-bcc" onClick={() => setBcc([])}>
                  {t('compose.bcc')}
                </button>
              )}
            </div>
          </div>
          {cc !== null && <RecipientsField name="cc" label={t('compose.cc')} chips={cc} onChange={setCc} error={errors.cc ?? null} />}
          {bcc !== null && <RecipientsField name="bcc" label={t('compose.bcc')} chips={bcc} onChange={setBcc} error={errors.bcc ?? null} />}
          <div class="leadmail-field" data-field="subject">
            <label class="leadmail-field__label">{t('compose.subject')}</label>
            <div class="leadmail-field__control">
              <input
                ref={subjectInput}
                class={`leadmail-input leadmail-compose__subject${errors.subject ? ' leadmail-input--invalid' : ''}`}
                value={subject}
                maxLength={998}
                onFocus={() => (lastFocus.current = 'subject')}
                onInput={(e) => setSubject(e.currentTarget.value)}
              />
              {errors.subject && (
                <div class="leadmail-field-error" role="alert" data-error-for="subject">
                  {errors.subject}
                </div>
              )}
            </div>
          </div>
          <div class="leadmail-compose__body" data-field="body">
            <HtmlEditor value={html} onChange={setHtml} handle={editor} onFocus={() => (lastFocus.current = 'body')} onFiles={addFiles} tools={tools} invalid={!!errors.body} />
            {errors.body && (
              <div class="leadmail-field-error" role="alert" data-error-for="body">
                {errors.body}
              </div>
            )}
          </div>
          <Attachments files={files} onChange={setFiles} fromTemplate={template?.attachments ?? []} progress={progress} error={errors.files ?? fileError} />
          <details class="leadmail-compose__triggers" open={Object.values(triggers).some((v) => (Array.isArray(v) ? v.length > 0 : v !== null)) || !!errors.triggers}>
            <summary>{t('compose.triggers')}</summary>
            <TriggerPointsField value={triggers} onChange={setTriggers} triggers={data.triggers} error={errors.triggers ?? null} />
          </details>
        </div>
      )}
      <div class="leadmail-modal__footer leadmail-compose__footer">
        <label class="leadmail-compose__nosig">
          <input type="checkbox" checked={noSignature} onChange={(e) => setNoSignature(e.currentTarget.checked)} /> {t('compose.no_signature')}
        </label>
        <span class="leadmail-editor__spacer" />
        <button type="button" class="leadmail-btn leadmail-compose__preview" title={t('compose.preview')} disabled={busy} onClick={() => (preview ? setPreview(null) : void showPreview())}>
          <EyeIcon /> {preview ? t('compose.back_to_edit') : t('compose.preview')}
        </button>
        <button type="button" class="leadmail-btn leadmail-btn--primary leadmail-compose__send" disabled={busy || !data.mailboxes?.length} onClick={() => void send()}>
          {busy ? t('compose.sending') : t('compose.send')}
        </button>
      </div>
    </div>
  );
}
