/**
 * One template: name, subject, the body in the compose editor (visual and HTML, variables,
 * images), files and link attachments, owner, public, signature, trigger points, repeat limit;
 * then a preview for a real lead and the dry run. Errors the server names a field for are shown
 * at that field; the rest above the form.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { TemplateView } from '../../../api/admin-templates.js';
import { useCtx } from '../../../ui/context.js';
import { errorText } from '../../../ui/errors.js';
import { HtmlEditor, type EditorHandle } from '../../../ui/html-editor.js';
import { Field, FormAlert, formError, type FormError } from '../../../ui/labelled-field.js';
import { VariablePicker } from '../../../ui/variable-picker.js';
import { TriggerPointsField } from '../../compose/TriggerPointsField.js';
import { useMe } from '../me.js';
import { bodyOf, draftOf, FIELDS, type Draft } from './draft.js';
import { FilesField, LinksField, MAX_TEMPLATE_BYTES, type ShownFile } from './Files.js';
import { Check } from './Check.js';
import { SettingsFields } from './Settings.js';
import { TriggerLinkTool } from '../../../ui/trigger-link-tool.js';
import { useEditorData } from './useEditorData.js';
import { RetryAlert } from '../../../ui/retry-alert.js';

let nextKey = 1;

export function TemplateEditor({ id, onSaved, onClose }: { id: string | null; onSaved(id: string): void; onClose(): void }) {
  const { t, notify } = useCtx();
  const me = useMe();
  const { tapi, loaded } = useEditorData(id);
  const [saved, setSaved] = useState<TemplateView | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [pending, setPending] = useState<{ key: string; file: File }[]>([]);
  const [error, setError] = useState<FormError | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [saving, setSaving] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [confirmLeave, setConfirmLeave] = useState(false);
  const editor = useRef<EditorHandle | null>(null);
  const subjectInput = useRef<HTMLInputElement>(null);
  const lastFocus = useRef<'subject' | 'body'>('body');

  useEffect(() => {
    if (!loaded.value || draft) return;
    setSaved(loaded.value.template);
    setDraft(draftOf(loaded.value.template, me.userId));
  }, [loaded.value]);

  if (loaded.error && !loaded.value) {
    return (
      <div class="leadmail-tpl-editor">
        <Back onClose={onClose} />
        <RetryAlert onRetry={loaded.reload}>{loaded.error}</RetryAlert>
      </div>
    );
  }
  if (!loaded.value || !draft) return <p class="leadmail-muted">{t('common.loading')}</p>;
  const data = loaded.value;
  const canEdit = saved ? saved.canEdit : true;
  const set = (p: Partial<Draft>) => setDraft({ ...draft, ...p });
  // Leaving with edits not saved asks first (they would be lost without a word).
  const dirty = canEdit && (pending.length > 0 || JSON.stringify(bodyOf(draft, true)) !== JSON.stringify(bodyOf(draftOf(saved, me.userId), true)));
  const mine = (field: string) => (error?.field === field ? error.text : null);

  const files: ShownFile[] = saved
    ? saved.attachments.map((a) => ({ key: a.id, name: a.filename, size: a.size }))
    : pending.map((p) => ({ key: p.key, name: p.file.name, size: p.file.size }));
  const addFiles = async (list: File[]) => {
    const total = [...files.map((f) => f.size), ...list.map((f) => f.size)].reduce((a, b) => a + b, 0);
    if (total > MAX_TEMPLATE_BYTES) {
      setFileError(t('admin_templates.too_large', { names: list.map((f) => f.name).join(', ') }));
      return;
    }
    setFileError(null);
    if (!saved) {
      setPending([...pending, ...list.map((file) => ({ key: `new-${nextKey++}`, file }))]);
      return;
    }
    setProgress(0);
    try {
      setSaved(await tapi.addFiles(saved.id, list, setProgress));
    } catch (err) {
      setFileError(errorText(t, err));
    } finally {
      setProgress(null);
    }
  };
  const removeFile = async (key: string) => {
    setFileError(null);
    if (!saved) return setPending(pending.filter((p) => p.key !== key));
    try {
      await tapi.removeFile(saved.id, key);
      setSaved({ ...saved, attachments: saved.attachments.filter((a) => a.id !== key) });
    } catch (err) {
      setFileError(errorText(t, err));
    }
  };

  const save = async () => {
    setError(null);
    setSaving(true);
    try {
      const body = bodyOf(draft, me.isAdmin);
      const result = saved ? await tapi.update(saved.id, body) : await tapi.create(body, pending.map((p) => p.file));
      setSaved(result);
      setPending([]);
      setDraft(draftOf(result, me.userId));
      notify(t('admin_templates.saved', { name: result.name }));
      if (!saved) onSaved(result.id);
    } catch (err) {
      const e = formError(t, err, FIELDS);
      setError(e);
      // The body's complaint (bad Handlebars) is at the editor: bring it into view.
      if (e.field) requestAnimationFrame(() => document.querySelector(`.leadmail-tpl-editor [data-field="${e.field}"]`)?.scrollIntoView({ block: 'center' }));
    } finally {
      setSaving(false);
    }
  };

  const remove = async () => {
    if (!saved) return;
    try {
      await tapi.remove(saved.id);
      notify(t('admin_templates.deleted', { name: saved.name }));
      onClose();
    } catch (err) {
      setConfirmDelete(false);
      setError({ field: null, text: errorText(t, err) });
    }
  };

  const insertVariable = (token: string) => {
    const input = subjectInput.current;
    if (lastFocus.current === 'subject' && input) {
      const at = input.selectionStart ?? draft.subject.length;
      const end = input.selectionEnd ?? at;
      set({ subject: draft.subject.slice(0, at) + token + draft.subject.slice(end) });
    } else editor.current?.insertText(token);
  };

  return (
    <div class="leadmail-tpl-editor" data-id={saved?.id ?? 'new'}>
      <div class="leadmail-tpl-editor__head">
        <Back onClose={() => (dirty ? setConfirmLeave(true) : onClose())} />
        <h2 class="leadmail-h2 leadmail-tpl-editor__title">{saved ? saved.name : t('admin_templates.new_title')}</h2>
        <span class="leadmail-editor__spacer" />
        {confirmLeave && (
          <span class="leadmail-tpl-confirm leadmail-tpl-leave" role="alertdialog">
            {t('admin_templates.leave_confirm')}{' '}
            <button type="button" class="leadmail-btn leadmail-btn--danger leadmail-tpl-leave__yes" onClick={onClose}>
              {t('admin_templates.leave_yes')}
            </button>{' '}
            <button type="button" class="leadmail-btn leadmail-tpl-leave__no" onClick={() => setConfirmLeave(false)}>
              {t('admin_templates.leave_no')}
            </button>
          </span>
        )}
        {saved && canEdit && !confirmDelete && (
          <button type="button" class="leadmail-btn leadmail-tpl-editor__delete" onClick={() => setConfirmDelete(true)}>
            {t('admin_templates.delete')}
          </button>
        )}
        {confirmDelete && (
          <span class="leadmail-tpl-confirm" role="alertdialog">
            {t('admin_templates.delete_confirm', { name: saved?.name ?? '' })}{' '}
            <button type="button" class="leadmail-btn leadmail-btn--danger leadmail-tpl-confirm__yes" onClick={() => void remove()}>
              {t('admin_templates.delete_yes')}
            </button>{' '}
            <button type="button" class="leadmail-btn leadmail-tpl-confirm__no" onClick={() => setConfirmDelete(false)}>
              {t('admin_templates.delete_no')}
            </button>
          </span>
        )}
        {canEdit && (
          <button type="button" class="leadmail-btn leadmail-btn--primary leadmail-tpl-editor__save" disabled={saving || progress !== null} onClick={() => void save()}>
            {saving ? t('admin_templates.saving') : t('admin_templates.save')}
          </button>
        )}
      </div>
      {!canEdit && <div class="leadmail-tpl-editor__ro leadmail-muted">{t('admin_templates.read_only_hint')}</div>}
      {data.errors.map((e) => (
        <div key={e} class="leadmail-alert leadmail-alert--error" role="alert">
          {e}
        </div>
      ))}
      <FormAlert error={error} />
      <div class="leadmail-tpl-form">
        <Field name="name" label={t('admin_templates.name')} error={error}>
          <input class="leadmail-input leadmail-tpl__name" value={draft.name} maxLength={200} disabled={!canEdit} onInput={(e) => set({ name: e.currentTarget.value })} />
        </Field>
        <Field name="subject" label={t('admin_templates.subject')} error={error}>
          <input
            ref={subjectInput}
            class="leadmail-input leadmail-tpl__subject"
            value={draft.subject}
            maxLength={998}
            disabled={!canEdit}
            onFocus={() => (lastFocus.current = 'subject')}
            onInput={(e) => set({ subject: e.currentTarget.value })}
          />
        </Field>
        <div class={`leadmail-tpl-body${mine('html') ? ' leadmail-field--error' : ''}`} data-field="html">
          <HtmlEditor
            value={draft.html}
            onChange={(html) => setDraft((d) => (d ? { ...d, html } : d))}
            handle={editor}
            onFocus={() => (lastFocus.current = 'body')}
            onFiles={(list) => void addFiles(list)}
            tools={
              <>
                <VariablePicker variables={data.variables} onPick={insertVariable} />
                <TriggerLinkTool links={data.links} editor={editor} />
              </>
            }
            invalid={!!mine('html')}
          />
          {mine('html') && (
            <div class="leadmail-field__error" role="alert" data-error-for="html">
              {mine('html')}
            </div>
          )}
        </div>
        <Section title={t('admin_templates.files')}>
          <FilesField files={files} onAdd={(l) => void addFiles(l)} onRemove={(k) => void removeFile(k)} busy={progress !== null} progress={progress} error={fileError ?? mine('files')} disabled={!canEdit} />
        </Section>
        <Section title={t('admin_templates.links')}>
          <LinksField links={draft.linkAttachments} onChange={(linkAttachments) => set({ linkAttachments })} error={mine('linkAttachments')} disabled={!canEdit} />
        </Section>
        <Section title={t('admin_templates.settings')}>
          <SettingsFields draft={draft} set={set} isAdmin={me.isAdmin} canEdit={canEdit} error={error} />
        </Section>
        <Section title={t('admin_templates.triggers')} hint={t('admin_templates.triggers_hint')}>
          <TriggerPointsField value={draft.triggers} onChange={(triggers) => set({ triggers })} triggers={data.triggers} error={mine('triggers')} />
        </Section>
      </div>
      <Check saved={saved} draft={draft} links={data.links} />
    </div>
  );
}

function Back({ onClose }: { onClose(): void }) {
  const { t } = useCtx();
  return (
    <button type="button" class="leadmail-btn leadmail-btn--link leadmail-tpl-editor__back" onClick={onClose}>
      ← {t('admin_templates.back')}
    </button>
  );
}

function Section({ title, hint, children }: { title: string; hint?: string; children: ComponentChildren }) {
  return (
    <section class="leadmail-tpl-section">
      <h3 class="leadmail-tpl-section__title">{title}</h3>
      {hint && <div class="leadmail-muted leadmail-tpl-section__hint">{hint}</div>}
      {children}
    </section>
  );
}
