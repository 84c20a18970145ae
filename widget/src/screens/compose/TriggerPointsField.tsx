/**
 * This mail's trigger points (seed 004): after it is sent, opened (first human open), not opened
 * within a period (1 minute or more), or failed; each with the account's triggers (GET /api/triggers).
 */
import { useState } from 'preact/hooks';
import type { TriggerPoints, TriggerView } from '../../api/compose.js';
import { key, type I18nKey } from '../../host/i18n.js';
import { useCtx } from '../../ui/context.js';

type ListPoint = 'sent' | 'opened' | 'failed';
const UNITS = { minutes: 60, hours: 3600, days: 86400 } as const;
type Unit = keyof typeof UNITS;

const LABEL: Record<ListPoint | 'notOpened', I18nKey> = {
  sent: key('compose.point.sent'),
  opened: key('compose.point.opened'),
  notOpened: key('compose.point.not_opened'),
  failed: key('compose.point.failed'),
};

/** The largest unit that divides the period exactly. */
function split(seconds: number): { amount: number; unit: Unit } {
  if (seconds % UNITS.days === 0) return { amount: seconds / UNITS.days, unit: 'days' };
  if (seconds % UNITS.hours === 0) return { amount: seconds / UNITS.hours, unit: 'hours' };
  return { amount: Math.max(1, Math.round(seconds / 60)), unit: 'minutes' };
}

function Picker({ ids, triggers, onChange, point }: { ids: string[]; triggers: TriggerView[]; onChange(ids: string[]): void; point: string }) {
  const { t } = useCtx();
  const name = (id: string) => triggers.find((x) => x.id === id)?.name ?? id;
  const left = triggers.filter((x) => !ids.includes(x.id));
  return (
    <div class="leadmail-points__picker">
      {ids.map((id) => (
        <span key={id} class="leadmail-chip leadmail-points__chip">
          {name(id)}
          <button type="button" class="leadmail-chip__remove" aria-label={t('compose.remove')} onClick={() => onChange(ids.filter((x) => x !== id))}>
            ×
          </button>
        </span>
      ))}
      {left.length > 0 && (
        <select
          class="leadmail-select leadmail-points__add"
          data-point={point}
          value=""
          onChange={(e) => {
            const id = e.currentTarget.value;
            e.currentTarget.value = '';
            if (id) onChange([...ids, id]);
          }}
        >
          <option value="">{t('compose.add_trigger')}</option>
          {left.map((x) => (
            <option key={x.id} value={x.id}>
              {x.name}
            </option>
          ))}
        </select>
      )}
    </div>
  );
}

export function TriggerPointsField({ value, onChange, triggers, error }: { value: TriggerPoints; onChange(v: TriggerPoints): void; triggers: TriggerView[]; error?: string | null }) {
  const { t } = useCtx();
  const active = triggers.filter((x) => x.active);
  // The period is kept while no trigger is chosen yet (the server needs at least one with it).
  const [draft, setDraft] = useState(86400);
  const seconds = value.notOpened?.afterSeconds ?? draft;
  // What the inputs show is kept as typed: "24" "hours" stays so (not turned into 1 day under the
  // cursor) and the number may be emptied while typing a new one. A period set from outside (a
  // template loaded) shows in its largest unit.
  const [shown, setShown] = useState<{ amount: string; unit: Unit }>(() => ({ ...split(seconds), amount: String(split(seconds).amount) }));
  const fromOutside = shown.amount !== '' && Math.round(Number(shown.amount)) * UNITS[shown.unit] !== seconds;
  const period = fromOutside ? { ...split(seconds), amount: String(split(seconds).amount) } : shown;
  const setPeriod = (amount: string, unit: Unit) => {
    setShown({ amount, unit });
    const n = Math.round(Number(amount));
    if (amount.trim() === '' || !(n >= 1)) return;
    const s = n * UNITS[unit];
    setDraft(s);
    if (value.notOpened) onChange({ ...value, notOpened: { ...value.notOpened, afterSeconds: s } });
  };
  const list = (p: ListPoint) => (
    <div class={`leadmail-points__row leadmail-points__row--${p}`} key={p}>
      <div class="leadmail-points__label">{t(LABEL[p])}</div>
      <Picker point={p} ids={value[p]} triggers={active} onChange={(ids) => onChange({ ...value, [p]: ids })} />
    </div>
  );
  if (triggers.length === 0) return <div class="leadmail-muted leadmail-points__none">{t('compose.no_triggers')}</div>;
  return (
    <div class="leadmail-points" data-field="triggers">
      {list('sent')}
      {list('opened')}
      <div class="leadmail-points__row leadmail-points__row--notOpened">
        <div class="leadmail-points__label">
          {t(LABEL.notOpened)}{' '}
          <input
            class="leadmail-input leadmail-points__amount"
            type="number"
            min={1}
            value={period.amount}
            onInput={(e) => setPeriod(e.currentTarget.value, period.unit)}
          />{' '}
          <select class="leadmail-select leadmail-points__unit" value={period.unit} onChange={(e) => setPeriod(period.amount, e.currentTarget.value as Unit)}>
            <option value="minutes">{t('compose.unit.minutes')}</option>
            <option value="hours">{t('compose.unit.hours')}</option>
            <option value="days">{t('compose.unit.days')}</option>
          </select>
        </div>
        <Picker
          point="notOpened"
          ids={value.notOpened?.triggerIds ?? []}
          triggers={active}
          onChange={(ids) => onChange({ ...value, notOpened: ids.length ? { afterSeconds: seconds, triggerIds: ids } : null })}
        />
      </div>
      {list('failed')}
      {error && (
        <div class="leadmail-field-error" role="alert" data-error-for="triggers">
          {error}
        </div>
      )}
    </div>
  );
}
