/** The triggers a link fires (GET /api/triggers): chips with ×, and a list to add one more. */
import type { TriggerView } from '../../../api/admin-tlinks.js';
import { useCtx } from '../../../ui/context.js';

export function TriggerPicker({ ids, triggers, onChange }: { ids: string[]; triggers: TriggerView[]; onChange(ids: string[]): void }) {
  const { t } = useCtx();
  const byId = new Map(triggers.map((x) => [x.id, x]));
  const left = triggers.filter((x) => !ids.includes(x.id));
  const label = (x: TriggerView) => (x.active ? x.name : `${x.name} ${t('admin_tlinks.inactive')}`);
  return (
    <div class="leadmail-tlinks-triggers">
      {ids.map((id) => {
        const x = byId.get(id);
        return (
          <span key={id} class="leadmail-chip leadmail-tlinks-triggers__chip" data-trigger-id={id}>
            {x ? label(x) : t('admin_tlinks.trigger_missing')}
            <button type="button" class="leadmail-chip__remove" aria-label={t('admin_tlinks.remove')} onClick={() => onChange(ids.filter((y) => y !== id))}>
              ×
            </button>
          </span>
        );
      })}
      {triggers.length === 0 ? (
        <span class="leadmail-muted">{t('admin_tlinks.no_triggers')}</span>
      ) : (
        left.length > 0 && (
          <select
            class="leadmail-select leadmail-tlinks-triggers__add"
            value=""
            onChange={(e) => {
              const id = e.currentTarget.value;
              e.currentTarget.value = '';
              if (id) onChange([...ids, id]);
            }}
          >
            <option value="">{t('admin_tlinks.add_trigger')}</option>
            {left.map((x) => (
              <option key={x.id} value={x.id}>
                {label(x)}
              </option>
            ))}
          </select>
        )
      )}
    </div>
  );
}
