/**
 * Pace (N messages per S seconds) and the daily limit, with the provider's published limit and the
 * values this product recommends for it (the preset's, from sending-rules.md) beside them. A pace
 * faster or a limit higher than recommended is allowed, with a warning: providers block mailboxes
 * that send too fast, and that stops every email, not only the extra ones.
 */
import type { PresetWithLimits } from '../../../api/admin-mailboxes.js';
import { key, type I18nKey } from '../../../host/i18n.js';
import { useCtx } from '../../../ui/context.js';
import { Field } from '../../setup/Field.js';
import { limitsOf, type FormKey, type MailboxForm } from './form.js';

const PUBLISHED: Record<string, I18nKey> = {
  gmail: key('admin_mailboxes.limits.gmail'),
  google_workspace: key('admin_mailboxes.limits.google_workspace'),
  microsoft365: key('admin_mailboxes.limits.microsoft365'),
  yandex: key('admin_mailboxes.limits.yandex'),
  generic: key('admin_mailboxes.limits.generic'),
};

type FieldProps = (k: FormKey) => { name: string; error: string | null };

/** True when the typed pace or limit goes past the preset's (a hosting server or a sending service may allow more: no warning for "generic"). */
export function fasterThan(f: MailboxForm, p: PresetWithLimits): boolean {
  if (f.preset === 'generic') return false;
  const m = Number(f.paceMessages);
  const s = Number(f.paceSeconds);
  const fast = m > 0 && s > 0 && m / s > p.pacing.messages / p.pacing.seconds;
  const cap = f.dailyCap.trim() === '' ? Infinity : Number(f.dailyCap);
  return fast || (p.dailyCap !== null && cap > p.dailyCap);
}

export function Pace({ form, preset, set, f }: { form: MailboxForm; preset: PresetWithLimits | undefined; set: (patch: Partial<MailboxForm>) => void; f: FieldProps }) {
  const { t } = useCtx();
  const published = PUBLISHED[form.preset];
  return (
    <div class="leadmail-mb-pace">
      <div class="leadmail-mb-pace__inputs">
        <Field label={t('admin_mailboxes.editor.pace_messages')} {...f('paceMessages')}>
          <input class="leadmail-setup__input" name="paceMessages" inputMode="numeric" value={form.paceMessages} onInput={(e) => set({ paceMessages: e.currentTarget.value })} />
        </Field>
        <Field label={t('admin_mailboxes.editor.pace_seconds')} {...f('paceSeconds')}>
          <input class="leadmail-setup__input" name="paceSeconds" inputMode="numeric" value={form.paceSeconds} onInput={(e) => set({ paceSeconds: e.currentTarget.value })} />
        </Field>
        <Field label={t('admin_mailboxes.editor.daily_cap')} {...f('dailyCap')}>
          <input
            class="leadmail-setup__input"
            name="dailyCap"
            inputMode="numeric"
            value={form.dailyCap}
            placeholder={t('admin_mailboxes.no_cap')}
            onInput={(e) => set({ dailyCap: e.currentTarget.value })}
          />
        </Field>
      </div>
      <div class="leadmail-mb-pace__limits" data-preset={form.preset}>
        {published && <div class="leadmail-mb-pace__published">{t(published)}</div>}
        {preset && (
          <div class="leadmail-mb-pace__recommended">
            {t('admin_mailboxes.limits.recommended', {
              messages: preset.pacing.messages,
              seconds: preset.pacing.seconds,
              cap: preset.dailyCap === null ? t('admin_mailboxes.no_cap') : preset.dailyCap,
            })}{' '}
            <button type="button" class="leadmail-btn leadmail-btn--link leadmail-mb-pace__use" onClick={() => set(limitsOf(preset))}>
              {t('admin_mailboxes.limits.use')}
            </button>
          </div>
        )}
        {preset && fasterThan(form, preset) && (
          <div class="leadmail-mb-pace__warn" role="note">
            {t('admin_mailboxes.limits.faster', { provider: preset.label })}
          </div>
        )}
      </div>
    </div>
  );
}
