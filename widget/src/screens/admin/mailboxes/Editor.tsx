/**
 * Add or edit a mailbox: the quick set-up's inputs (provider, address, password, its Servers block,
 * IMAP with the same login) and the check view, plus the owner (administrators), the name in
 * lists, reply-to, and the pace and daily limit beside the provider's limits. "Save and check"
 * saves (POST, then PUT for corrections) and checks: red keeps the form open with the server's
 * words and the hint; green or grey closes it. On an edit an empty password keeps the stored one.
 * A field the server names shows its error at that input; anything else above the buttons.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { checkMailbox, createMailbox, updateMailbox, type CheckResult, type MailboxView, type PresetWithLimits } from '../../../api/admin-mailboxes.js';
import { ApiError } from '../../../host/transport.js';
import { useCtx } from '../../../ui/context.js';
import { errorText } from '../../../ui/errors.js';
import { CheckView } from '../../setup/CheckView.js';
import { Field } from '../../setup/Field.js';
import { problemOf } from '../../setup/form.js';
import { ProviderField } from '../../setup/ProviderField.js';
import { Servers, type SetFn } from '../../setup/QuickSetup.js';
import { formOf, inputOf, newForm, toBody, withPreset, type FormKey, type MailboxForm } from './form.js';
import { Pace } from './Pace.js';

export interface Owner {
  id: number;
  name: string;
}

interface Props {
  /** null: a new mailbox. */
  editing: MailboxView | null;
  presets: Record<string, PresetWithLimits>;
  /** Administrators pick the owner among these; null for a user (always their own). */
  owners: Owner[] | null;
  me: number;
  /** After each save (the list shows the new settings and light). */
  onSaved(): void;
  /** Green or grey: the form closes. */
  onDone(view: MailboxView, result: CheckResult): void;
  onCancel(): void;
}

export function Editor({ editing, presets, owners, me, onSaved, onDone, onCancel }: Props) {
  const { t, api } = useCtx();
  const [form, setForm] = useState<MailboxForm>(() => (editing ? formOf(editing) : newForm(me, presets)));
  const [mailbox, setMailbox] = useState<MailboxView | null>(editing);
  const [busy, setBusy] = useState<'saving' | 'checking' | null>(null);
  const [fieldError, setFieldError] = useState<{ input: FormKey; text: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<CheckResult | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  // "Edit" on a row far down the list opens the form above it: bring it into view.
  useEffect(() => formRef.current?.scrollIntoView?.({ block: 'nearest' }), []);

  const patch = (p: Partial<MailboxForm>) => {
    setForm((x) => ({ ...x, ...p }));
    if (fieldError && fieldError.input in p) setFieldError(null);
  };
  const set = <K extends FormKey>(k: K, v: MailboxForm[K]) => patch({ [k]: v } as Partial<MailboxForm>);
  const setServer: SetFn = (k, v) => patch({ [k]: v } as Partial<MailboxForm>);
  const f = (k: FormKey) => ({ name: k, error: fieldError?.input === k ? fieldError.text : null });

  const submit = async (ev: Event) => {
    ev.preventDefault();
    if (busy) return;
    setError(null);
    setFieldError(null);
    setResult(null);
    try {
      setBusy('saving');
      const body = toBody(form, presets);
      const saved = mailbox ? await updateMailbox(api.request, mailbox.id, body) : await createMailbox(api.request, body);
      setMailbox(saved);
      onSaved();
      setBusy('checking');
      const r = await checkMailbox(api.request, saved.id);
      setResult(r);
      onSaved();
      if (r.status === 'green' || r.status === 'grey') onDone(saved, r);
    } catch (err) {
      const input = err instanceof ApiError ? inputOf(err.field) : null;
      if (err instanceof ApiError && input) setFieldError({ input, text: problemOf(err.message, err.field) });
      else setError(errorText(t, err));
    } finally {
      setBusy(null);
    }
  };

  const keepsPassword = !!mailbox?.smtp.hasPassword;
  return (
    <form ref={formRef} class="leadmail-setup leadmail-mb-editor" onSubmit={(e) => void submit(e)} noValidate data-mailbox-id={mailbox?.id ?? ''}>
      <div class="leadmail-mb-editor__title">{mailbox ? t('admin_mailboxes.editor.edit_title', { name: mailbox.displayName }) : t('admin_mailboxes.editor.new_title')}</div>
      <div class="leadmail-mb-editor__cols">
        <div class="leadmail-mb-editor__col">
          {owners && (
            <Field label={t('admin_mailboxes.editor.owner')} {...f('owner')}>
              <select class="leadmail-setup__input" name="owner" value={form.owner} onChange={(e) => set('owner', e.currentTarget.value)}>
                {owners.map((o) => (
                  <option key={o.id} value={String(o.id)}>
                    {o.name}
                  </option>
                ))}
              </select>
            </Field>
          )}
          <ProviderField presets={presets} value={form.preset} error={f('preset').error} onPick={(name) => setForm((x) => withPreset(x, name, presets[name]))} />
          <Field label={t('admin_mailboxes.editor.display_name')} {...f('displayName')}>
            <input class="leadmail-setup__input" name="displayName" value={form.displayName} onInput={(e) => set('displayName', e.currentTarget.value)} />
          </Field>
          <Field label={t('admin_mailboxes.editor.from_name')} {...f('name')}>
            <input class="leadmail-setup__input" name="name" value={form.name} onInput={(e) => set('name', e.currentTarget.value)} />
          </Field>
          <Field label={t('setup.address')} {...f('address')}>
            <input class="leadmail-setup__input" name="address" type="email" value={form.address} onInput={(e) => set('address', e.currentTarget.value)} />
          </Field>
          <Field label={t('admin_mailboxes.editor.reply_to')} {...f('replyTo')}>
            <input class="leadmail-setup__input" name="replyTo" type="email" value={form.replyTo} onInput={(e) => set('replyTo', e.currentTarget.value)} />
          </Field>
          <Field label={t('setup.password')} {...f('password')}>
            <input
              class="leadmail-setup__input"
              name="password"
              type="password"
              value={form.password}
              autoComplete="new-password"
              placeholder={keepsPassword ? t('admin_mailboxes.editor.password_keep') : ''}
              onInput={(e) => set('password', e.currentTarget.value)}
            />
          </Field>
          <label class="leadmail-setup__check">
            <input type="checkbox" name="imapOn" checked={form.imapOn} onChange={(e) => set('imapOn', e.currentTarget.checked)} /> {t('setup.imap_on')}
          </label>
          {form.imapOn && (
            <label class="leadmail-setup__check">
              <input type="checkbox" name="saveToSent" checked={form.saveToSent} onChange={(e) => set('saveToSent', e.currentTarget.checked)} /> {t('admin_mailboxes.editor.save_to_sent')}
            </label>
          )}
        </div>
        <div class="leadmail-mb-editor__col">
          <div class="leadmail-mb-editor__section">{t('admin_mailboxes.editor.servers')}</div>
          <Servers form={form} set={setServer} f={f} />
          <div class="leadmail-mb-editor__section">{t('admin_mailboxes.editor.pace_title')}</div>
          <Pace form={form} preset={presets[form.preset]} set={patch} f={f} />
        </div>
      </div>
      {error && (
        <div class="leadmail-alert leadmail-alert--error leadmail-setup__error" role="alert">
          {error}
        </div>
      )}
      {result && <CheckView result={result} />}
      <div class="leadmail-mb-editor__buttons">
        <button type="submit" class="leadmail-btn leadmail-btn--primary leadmail-mb-editor__save" disabled={!!busy}>
          {busy === 'saving' ? t('setup.saving') : busy === 'checking' ? t('setup.checking') : t('setup.save')}
        </button>
        <button type="button" class="leadmail-btn leadmail-mb-editor__cancel" disabled={!!busy} onClick={onCancel}>
          {mailbox && !editing ? t('common.close') : t('admin_mailboxes.cancel')}
        </button>
      </div>
    </form>
  );
}
