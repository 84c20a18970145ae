/** What both preference sections share: their frame (title, intro, loading, the load's error with "Retry") and the save bar. */
import type { ComponentChildren } from 'preact';
import type { I18nKey } from '../../../host/i18n.js';
import { useCtx } from '../../../ui/context.js';
import { RetryAlert } from '../../../ui/retry-alert.js';
import type { Loaded } from '../../../ui/use-load.js';

export function PrefsSection<V>({ name, title, intro, loaded, children }: { name: string; title: I18nKey; intro: I18nKey; loaded: Loaded<V>; children(value: V): ComponentChildren }) {
  const { t } = useCtx();
  return (
    <section class={`leadmail-prefs__section leadmail-prefs-${name}`}>
      <h2 class="leadmail-h2">{t(title)}</h2>
      <p class="leadmail-muted leadmail-prefs__intro">{t(intro)}</p>
      {loaded.error !== null && !loaded.value ? (
        <RetryAlert onRetry={loaded.reload} button="small">
          {loaded.error}
        </RetryAlert>
      ) : !loaded.value ? (
        <p class="leadmail-muted">{t('common.loading')}</p>
      ) : (
        children(loaded.value)
      )}
    </section>
  );
}

/** "Save" and whether the section is saved; without `onSave` the button submits the section's form. */
export function SaveBar({ name, label, saving, dirty, onSave }: { name: string; label: I18nKey; saving: boolean; dirty: boolean; onSave?(): void }) {
  const { t } = useCtx();
  return (
    <div class="leadmail-prefs__actions">
      <button type={onSave ? 'button' : 'submit'} class={`leadmail-btn leadmail-btn--primary leadmail-prefs-${name}__save`} disabled={saving} onClick={onSave}>
        {saving ? t('admin_prefs.saving') : t(label)}
      </button>
      <span class={`leadmail-prefs__state leadmail-prefs-${name}__state`} role="status" data-state={saving ? 'saving' : dirty ? 'dirty' : 'saved'}>
        {saving ? '' : dirty ? t('admin_prefs.unsaved') : t('admin_prefs.saved')}
      </span>
    </div>
  );
}
