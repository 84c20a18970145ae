/** "In N minutes/hours/days": the amount and unit of a trigger's delay and of a task's deadline. */
import { useCtx } from '../../../ui/context.js';
import { UNIT } from './labels.js';

export function AmountUnit<U extends string>({ name, min, amount, unit, units, onChange }: { name: string; min: number; amount: string; unit: U; units: U[]; onChange(c: { amount?: string; unit?: U }): void }) {
  const { t } = useCtx();
  return (
    <>
      <input type="number" min={min} class={`leadmail-input leadmail-trg__short leadmail-trg__${name}-amount`} value={amount} onInput={(e) => onChange({ amount: e.currentTarget.value })} />
      <select class={`leadmail-select leadmail-trg__${name}-unit`} value={unit} onChange={(e) => onChange({ unit: e.currentTarget.value as U })}>
        {units.map((u) => (
          <option key={u} value={u}>
            {t(UNIT[u]!)}
          </option>
        ))}
      </select>
    </>
  );
}
