/** The provider picker of the quick set-up and the mailbox editor, with the provider's note (e.g. "needs an app password"). */
import { key, type I18nKey } from '../../host/i18n.js';
import { useCtx } from '../../ui/context.js';
import { Field } from './Field.js';

const NOTES: Record<string, I18nKey> = {
  gmail: key('setup.note.gmail'),
  google_workspace: key('setup.note.google_workspace'),
  microsoft365: key('setup.note.microsoft365'),
  yandex: key('setup.note.yandex'),
  generic: key('setup.note.generic'),
};

export function ProviderField({ presets, value, error, onPick }: { presets: Record<string, { label: string }>; value: string; error: string | null; onPick(name: string): void }) {
  const { t } = useCtx();
  const note = NOTES[value];
  return (
    <>
      <Field label={t('setup.provider')} name="preset" error={error}>
        <select class="leadmail-setup__input" name="preset" value={value} onChange={(e) => onPick(e.currentTarget.value)}>
          {Object.entries(presets).map(([name, p]) => (
            <option key={name} value={name}>
              {p.label}
            </option>
          ))}
        </select>
      </Field>
      {note && <div class="leadmail-setup__note">{t(note)}</div>}
    </>
  );
}
