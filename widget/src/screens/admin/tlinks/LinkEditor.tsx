/**
 * One trigger link's settings (seed 004, "Trigger links configurations"): name, execute once,
 * where the click lands (a page of the customer's site, or the built-in "Thank you!" page), the
 * triggers it fires, its variable to copy, and delete. Errors show at the field the server names.
 */
import { useState } from 'preact/hooks';
import type { TlinksApi, TriggerLinkView, TriggerView } from '../../../api/admin-tlinks.js';
import { useCtx } from '../../../ui/context.js';
import { Field, FormAlert, formError, type FormError } from '../../../ui/labelled-field.js';
import { CopyVariable } from './CopyVariable.js';
import { TriggerPicker } from './TriggerPicker.js';

const FIELDS = ['name', 'executeOnce', 'redirectUrl', 'triggerIds'];

export interface LinkEditorProps {
  api: TlinksApi;
  /** null: a new link. */
  link: TriggerLinkView | null;
  triggers: TriggerView[];
  onSaved(link: TriggerLinkView, created: boolean): void;
  onDeleted(id: number): void;
  onClose(): void;
}

export function LinkEditor({ api, link, triggers, onSaved, onDeleted, onClose }: LinkEditorProps) {
  const { t, notify } = useCtx();
  const [name, setName] = useState(link?.name ?? '');
  const [executeOnce, setExecuteOnce] = useState(link?.executeOnce ?? false);
  const [redirect, setRedirect] = useState(link ? link.redirectUrl !== null : true);
  const [url, setUrl] = useState(link?.redirectUrl ?? '');
  const [triggerIds, setTriggerIds] = useState<string[]>(link?.triggerIds ?? []);
  const [busy, setBusy] = useState<'saving' | 'deleting' | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<FormError | null>(null);

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy('saving');
    setError(null);
    // An empty address is sent as typed: the server says what it must be, at this field.
    const body = { name, executeOnce, redirectUrl: redirect ? url.trim() : null, triggerIds };
    try {
      const saved = link ? await api.update(link.id, body) : await api.create(body);
      notify(t(link ? 'admin_tlinks.saved' : 'admin_tlinks.created'));
      onSaved(saved, !link);
    } catch (err) {
      setError(formError(t, err, FIELDS));
    } finally {
      setBusy(null);
    }
  };

  const remove = async () => {
    if (!link) return;
    setBusy('deleting');
    setError(null);
    try {
      await api.remove(link.id);
      notify(t('admin_tlinks.deleted'));
      onDeleted(link.id);
    } catch (err) {
      setError(formError(t, err, FIELDS));
      setConfirming(false);
    } finally {
      setBusy(null);
    }
  };

  return (
    <form class="leadmail-tlinks-editor" data-link-id={link?.id ?? 'new'} onSubmit={(e) => void save(e)}>
      <div class="leadmail-tlinks-editor__head">
        <h2 class="leadmail-h2">{link ? t('admin_tlinks.edit_title', { name: link.name }) : t('admin_tlinks.new_title')}</h2>
        <button type="button" class="leadmail-btn leadmail-btn--link leadmail-tlinks-editor__close" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
      <Field name="name" label={t('admin_tlinks.name')} error={error}>
        <input class="leadmail-input leadmail-tlinks-editor__name" value={name} maxLength={200} onInput={(e) => setName(e.currentTarget.value)} placeholder={t('admin_tlinks.name_placeholder')} />
      </Field>
      <Field name="executeOnce" label={t('admin_tlinks.execute_once')} error={error} hint={t('admin_tlinks.execute_once_hint')}>
        <label class="leadmail-tlinks-editor__check">
          <input type="checkbox" class="leadmail-tlinks-editor__once" checked={executeOnce} onChange={(e) => setExecuteOnce(e.currentTarget.checked)} />
          {t('admin_tlinks.execute_once_label')}
        </label>
      </Field>
      {/* The address comes last so the server's words about it show right under it. */}
      <Field name="redirectUrl" label={t('admin_tlinks.target')} error={error}>
        <label class="leadmail-tlinks-editor__radio">
          <input type="radio" name="leadmail-tlinks-target" class="leadmail-tlinks-editor__to-thanks" checked={!redirect} onChange={() => setRedirect(false)} />
          {t('admin_tlinks.thanks')}
        </label>
        <label class="leadmail-tlinks-editor__radio">
          <input type="radio" name="leadmail-tlinks-target" class="leadmail-tlinks-editor__to-url" checked={redirect} onChange={() => setRedirect(true)} />
          {t('admin_tlinks.redirect')}
        </label>
        {redirect && (
          // type=text, not url: the server's rule (http or https only) is the one that counts, and it says why.
          <input
            class={`leadmail-input leadmail-tlinks-editor__url${error?.field === 'redirectUrl' ? ' leadmail-input--invalid' : ''}`}
            type="text"
            inputMode="url"
            value={url}
            placeholder="https://example.com/offer.pdf"
            onInput={(e) => setUrl(e.currentTarget.value)}
          />
        )}
      </Field>
      <Field name="triggerIds" label={t('admin_tlinks.triggers')} error={error} hint={t('admin_tlinks.triggers_hint')}>
        <TriggerPicker ids={triggerIds} triggers={triggers} onChange={setTriggerIds} />
      </Field>
      {link && (
        <div class="leadmail-field leadmail-tlinks-editor__variable" data-field="variable">
          <div class="leadmail-field__label">{t('admin_tlinks.variable')}</div>
          <div class="leadmail-field__control">
            <CopyVariable variable={link.variable} />
          </div>
          <div class="leadmail-field__hint leadmail-muted">{t('admin_tlinks.variable_hint')}</div>
        </div>
      )}
      <FormAlert error={error} />
      <div class="leadmail-tlinks-editor__actions">
        <button type="submit" class="leadmail-btn leadmail-btn--primary leadmail-tlinks-editor__save" disabled={busy !== null}>
          {busy === 'saving' ? t('admin_tlinks.saving') : t(link ? 'admin_tlinks.save' : 'admin_tlinks.create')}
        </button>
        <button type="button" class="leadmail-btn" onClick={onClose} disabled={busy !== null}>
          {t('admin_tlinks.cancel')}
        </button>
        {link && !confirming && (
          <button type="button" class="leadmail-btn leadmail-tlinks-editor__delete" onClick={() => setConfirming(true)} disabled={busy !== null}>
            {t('admin_tlinks.delete')}
          </button>
        )}
      </div>
      {link && confirming && (
        <div class="leadmail-tlinks-editor__confirm" role="alertdialog">
          <span>{t('admin_tlinks.delete_confirm')}</span>
          <button type="button" class="leadmail-btn leadmail-btn--small leadmail-tlinks-editor__delete-yes" onClick={() => void remove()} disabled={busy !== null}>
            {busy === 'deleting' ? t('admin_tlinks.deleting') : t('admin_tlinks.delete_yes')}
          </button>
          <button type="button" class="leadmail-btn leadmail-btn--link" onClick={() => setConfirming(false)}>
            {t('admin_tlinks.cancel')}
          </button>
        </div>
      )}
    </form>
  );
}
