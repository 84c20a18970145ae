/**
 * Mailbox quick set-up in the card panel, for a user with nothing to send from: a provider
 * preset fills the servers, the user types name, address and password (the provider's note says
 * when an app password is needed), optionally IMAP with the same login. "Save and check" saves
 * (POST, then PUT for corrections) and checks: red stays here with the server's words and the
 * hint; green or grey hands over to the normal panel. A field the server names shows its error
 * at that input; anything else above the button — never swallowed.
 */
import { useEffect, useState } from 'preact/hooks';
import { checkMailbox, createMailbox, mailboxPresets, updateMailbox, type CheckResult, type MailboxPresetData } from '../../api/setup.js';
import { ApiError } from '../../host/transport.js';
import { useCtx } from '../../ui/context.js';
import { errorText } from '../../ui/errors.js';
import { CheckView } from './CheckView.js';
import { applyPreset, emptyForm, inputOf, problemOf, SERVER_FIELDS, toRequest, type FieldKey, type SetupForm } from './form.js';
import { Field } from './Field.js';
import { ProviderField } from './ProviderField.js';
import { RetryAlert } from '../../ui/retry-alert.js';

export function QuickSetup({ onReady }: { onReady: (result: CheckResult) => void }) {
  const { t, api } = useCtx();
  const [presets, setPresets] = useState<Record<string, MailboxPresetData> | null>(null);
  const [form, setForm] = useState<SetupForm>(emptyForm);
  const [mailboxId, setMailboxId] = useState<string | null>(null);
  const [busy, setBusy] = useState<'saving' | 'checking' | null>(null);
  const [fieldError, setFieldError] = useState<{ input: FieldKey; text: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<CheckResult | null>(null);
  const [servers, setServers] = useState(false);

  const loadPresets = () => {
    setError(null);
    mailboxPresets(api.request)
      .then((p) => {
        setPresets(p);
        setForm((f) => applyPreset(f, f.preset, p[f.preset]));
      })
      .catch((err: unknown) => setError(errorText(t, err)));
  };
  useEffect(loadPresets, [api]);

  const set = <K extends FieldKey>(k: K, v: SetupForm[K]) => {
    setForm((f) => ({ ...f, [k]: v }));
    if (fieldError?.input === k) setFieldError(null);
  };

  const submit = async (ev: Event) => {
    ev.preventDefault();
    if (!presets || busy) return;
    setError(null);
    setFieldError(null);
    setResult(null);
    let id = mailboxId;
    try {
      setBusy('saving');
      const body = toRequest(form, presets);
      id = id ? (await updateMailbox(api.request, id, body)).id : (await createMailbox(api.request, body)).id;
      setMailboxId(id);
      setBusy('checking');
      const r = await checkMailbox(api.request, id);
      setResult(r);
      if (r.status === 'green' || r.status === 'grey') onReady(r);
    } catch (err) {
      const input = err instanceof ApiError ? inputOf(err.field) : null;
      if (err instanceof ApiError && input) {
        setFieldError({ input, text: problemOf(err.message, err.field) });
        if (SERVER_FIELDS.includes(input)) setServers(true);
      } else setError(errorText(t, err));
    } finally {
      setBusy(null);
    }
  };

  const showServers = servers || form.preset === 'generic';
  const f = (k: FieldKey) => ({ name: k, error: fieldError?.input === k ? fieldError.text : null });

  return (
    <form class="leadmail-setup" onSubmit={(e) => void submit(e)} noValidate>
      <div class="leadmail-setup__title">{t('setup.title')}</div>
      <p class="leadmail-setup__intro leadmail-muted">{t('setup.intro')}</p>
      {presets === null && !error && <div class="leadmail-muted">{t('common.loading')}</div>}
      {presets && (
        <>
          <ProviderField presets={presets} value={form.preset} error={f('preset').error} onPick={(name) => setForm((x) => applyPreset(x, name, presets[name]))} />
          <Field label={t('setup.name')} {...f('name')}>
            <input class="leadmail-setup__input" name="name" value={form.name} autoComplete="name" onInput={(e) => set('name', e.currentTarget.value)} />
          </Field>
          <Field label={t('setup.address')} {...f('address')}>
            <input class="leadmail-setup__input" name="address" type="email" value={form.address} autoComplete="email" onInput={(e) => set('address', e.currentTarget.value)} />
          </Field>
          <Field label={t('setup.password')} {...f('password')}>
            <input class="leadmail-setup__input" name="password" type="password" value={form.password} autoComplete="new-password" onInput={(e) => set('password', e.currentTarget.value)} />
          </Field>
          <label class="leadmail-setup__check">
            <input type="checkbox" name="imapOn" checked={form.imapOn} onChange={(e) => set('imapOn', e.currentTarget.checked)} /> {t('setup.imap_on')}
          </label>
          {form.preset !== 'generic' && (
            <button type="button" class="leadmail-btn leadmail-btn--link leadmail-setup__servers-toggle" aria-expanded={showServers} onClick={() => setServers(!servers)}>
              {showServers ? t('setup.hide_servers') : t('setup.show_servers')}
            </button>
          )}
          {showServers && <Servers form={form} set={set} f={f} />}
          {error && (
            <div class="leadmail-alert leadmail-alert--error leadmail-setup__error" role="alert">
              {error}
            </div>
          )}
          {result && <CheckView result={result} />}
          <button type="submit" class="leadmail-btn leadmail-btn--primary leadmail-setup__save" disabled={!!busy}>
            {busy === 'saving' ? t('setup.saving') : busy === 'checking' ? t('setup.checking') : t('setup.save')}
          </button>
        </>
      )}
      {presets === null && error && (
        <RetryAlert class="leadmail-setup__error" onRetry={loadPresets}>{error}</RetryAlert>
      )}
    </form>
  );
}

export type SetFn = <K extends FieldKey>(k: K, v: SetupForm[K]) => void;

/** SMTP (and IMAP) servers: filled by the preset, typed for a hosting mailbox (the admin mailboxes page reuses it). */
export function Servers({ form, set, f }: { form: SetupForm; set: SetFn; f: (k: FieldKey) => { name: string; error: string | null } }) {
  const { t } = useCtx();
  return (
    <div class="leadmail-setup__servers">
      <div class="leadmail-setup__row">
        <Field label={t('setup.smtp_host')} {...f('smtpHost')} wide>
          <input class="leadmail-setup__input" name="smtpHost" value={form.smtpHost} onInput={(e) => set('smtpHost', e.currentTarget.value)} />
        </Field>
        <Field label={t('setup.port')} {...f('smtpPort')}>
          <input class="leadmail-setup__input" name="smtpPort" inputMode="numeric" value={form.smtpPort} onInput={(e) => set('smtpPort', e.currentTarget.value)} />
        </Field>
      </div>
      <Field label={t('setup.security')} {...f('smtpSecurity')}>
        <select class="leadmail-setup__input" name="smtpSecurity" value={form.smtpSecurity} onChange={(e) => set('smtpSecurity', e.currentTarget.value as SetupForm['smtpSecurity'])}>
          <option value="tls">{t('setup.sec.tls')}</option>
          <option value="starttls">{t('setup.sec.starttls')}</option>
          <option value="none">{t('setup.sec.none')}</option>
        </select>
      </Field>
      <Field label={t('setup.login')} {...f('smtpUser')}>
        <input class="leadmail-setup__input" name="smtpUser" value={form.smtpUser} placeholder={form.address} onInput={(e) => set('smtpUser', e.currentTarget.value)} />
      </Field>
      {form.imapOn && (
        <>
          <div class="leadmail-setup__row">
            <Field label={t('setup.imap_host')} {...f('imapHost')} wide>
              <input class="leadmail-setup__input" name="imapHost" value={form.imapHost} onInput={(e) => set('imapHost', e.currentTarget.value)} />
            </Field>
            <Field label={t('setup.port')} {...f('imapPort')}>
              <input class="leadmail-setup__input" name="imapPort" inputMode="numeric" value={form.imapPort} onInput={(e) => set('imapPort', e.currentTarget.value)} />
            </Field>
          </div>
          <Field label={t('setup.security')} {...f('imapSecurity')}>
            <select class="leadmail-setup__input" name="imapSecurity" value={form.imapSecurity} onChange={(e) => set('imapSecurity', e.currentTarget.value as SetupForm['imapSecurity'])}>
              <option value="tls">{t('setup.sec.tls')}</option>
              <option value="starttls">{t('setup.sec.starttls')}</option>
              <option value="none">{t('setup.sec.none')}</option>
            </select>
          </Field>
          <label class="leadmail-setup__check">
            <input type="checkbox" name="sameCredentials" checked={form.sameCredentials} onChange={(e) => set('sameCredentials', e.currentTarget.checked)} /> {t('setup.same_credentials')}
          </label>
          {!form.sameCredentials && (
            <>
              <Field label={t('setup.imap_login')} {...f('imapUser')}>
                <input class="leadmail-setup__input" name="imapUser" value={form.imapUser} placeholder={form.address} onInput={(e) => set('imapUser', e.currentTarget.value)} />
              </Field>
              <Field label={t('setup.imap_password')} {...f('imapPassword')}>
                <input class="leadmail-setup__input" name="imapPassword" type="password" value={form.imapPassword} autoComplete="new-password" onInput={(e) => set('imapPassword', e.currentTarget.value)} />
              </Field>
            </>
          )}
        </>
      )}
    </div>
  );
}
