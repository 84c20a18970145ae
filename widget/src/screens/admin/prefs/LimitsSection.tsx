/**
 * Account limits (administrators): how many times automation may send one template to one lead,
 * contact or company in 24 hours (GET/PUT /api/account/settings). The server checks the range
 * and its words show at the field.
 */
import { useMemo, useState } from 'preact/hooks';
import { prefsApi, type AccountSettings } from '../../../api/admin-prefs.js';
import { useCtx } from '../../../ui/context.js';
import { Field, FormAlert, formError, type FormError } from '../../../ui/labelled-field.js';
import { useLoad } from '../../../ui/use-load.js';
import { PrefsSection, SaveBar } from './Section.js';

function LimitsForm({ initial }: { initial: AccountSettings }) {
  const { t, api } = useCtx();
  const prefs = useMemo(() => prefsApi(api.request), [api]);
  const [value, setValue] = useState(String(initial.sameTemplatePerDay));
  const [stored, setStored] = useState(initial.sameTemplatePerDay);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<FormError | null>(null);

  const save = async (e: Event) => {
    e.preventDefault();
    setSaving(true);
    setError(null);
    try {
      // Sent as typed (a number, or null when it is not one): the server names what is wrong.
      const n = value.trim() === '' ? Number.NaN : Number(value);
      const res = await prefs.saveSettings({ sameTemplatePerDay: Number.isFinite(n) ? n : null });
      setStored(res.sameTemplatePerDay);
      setValue(String(res.sameTemplatePerDay));
    } catch (err) {
      setError(formError(t, err, ['sameTemplatePerDay']));
    } finally {
      setSaving(false);
    }
  };

  const dirty = value !== String(stored);
  return (
    <form class="leadmail-prefs-limits__form" onSubmit={(e) => void save(e)}>
      <Field name="sameTemplatePerDay" label={t('admin_prefs.same_template_label')} error={error}>
        <input
          class={`leadmail-input leadmail-prefs-limits__input${error?.field === 'sameTemplatePerDay' ? ' leadmail-input--invalid' : ''}`}
          type="number"
          step={1}
          value={value}
          onInput={(e) => setValue(e.currentTarget.value)}
        />
        <span class="leadmail-prefs-limits__unit">{t('admin_prefs.same_template_unit')}</span>
      </Field>
      {/* After the field, not inside it: the server's words belong right under the number. */}
      <p class="leadmail-muted leadmail-prefs-limits__hint">{t('admin_prefs.same_template_hint')}</p>
      <FormAlert error={error} />
      <SaveBar name="limits" label="admin_prefs.save_limits" saving={saving} dirty={dirty} />
    </form>
  );
}

export function LimitsSection() {
  const { api } = useCtx();
  const prefs = useMemo(() => prefsApi(api.request), [api]);
  const settings = useLoad(() => prefs.settings(), [prefs]);
  return (
    <PrefsSection name="limits" title="admin_prefs.limits_title" intro="admin_prefs.limits_intro" loaded={settings}>
      {(v) => <LimitsForm initial={v} />}
    </PrefsSection>
  );
}
