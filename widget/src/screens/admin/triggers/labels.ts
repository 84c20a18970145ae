/** Names of action kinds and one-line summaries of saved triggers for the list. */
import type { CrmCatalog, TemplateView, TriggerAction, TriggerView } from '../../../api/admin-triggers.js';
import { key, type I18nKey, type T } from '../../../host/i18n.js';
import { delayOf } from './draft.js';
import { RESET, TODAY } from './field-kinds.js';

/** The order of seed 004's "Trigger types" (kept here: the schema module would bring zod into the bundle). */
export const ACTIONS: TriggerAction[] = ['set_task', 'add_note', 'change_status', 'change_field', 'send_email', 'create_lead', 'change_tags'];

export const ACTION_LABEL: Record<TriggerAction, I18nKey> = {
  set_task: key('admin_triggers.action.set_task'),
  add_note: key('admin_triggers.action.add_note'),
  change_status: key('admin_triggers.action.change_status'),
  change_field: key('admin_triggers.action.change_field'),
  send_email: key('admin_triggers.action.send_email'),
  create_lead: key('admin_triggers.action.create_lead'),
  change_tags: key('admin_triggers.action.change_tags'),
};

export const UNIT: Record<string, I18nKey> = {
  seconds: key('admin_triggers.unit.seconds'),
  minutes: key('admin_triggers.unit.minutes'),
  hours: key('admin_triggers.unit.hours'),
  days: key('admin_triggers.unit.days'),
};

export function delayText(t: T, seconds: number): string {
  const d = delayOf(seconds);
  return d.mode === 'now' ? t('admin_triggers.delay_none') : t('admin_triggers.delay_in', { amount: d.amount, unit: t(UNIT[d.unit]!) });
}

const clip = (s: string, n = 60) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function stage(c: CrmCatalog | null, pipelineId: number, statusId: number): string {
  const p = c?.pipelines.find((x) => x.id === pipelineId);
  const s = p?.statuses.find((x) => x.id === statusId);
  return `${p?.name ?? `#${pipelineId}`} → ${s?.name ?? `#${statusId}`}`;
}

function user(t: T, c: CrmCatalog | null, r: 'entity' | number): string {
  return r === 'entity' ? t('admin_triggers.responsible_entity') : (c?.users.find((u) => u.id === r)?.name ?? `#${r}`);
}

/** What the trigger does, in the words of its pickers ("Sales → Offer sent"), ids where Kommo no longer knows them. */
export function summaryOf(t: T, v: TriggerView, c: CrmCatalog | null, templates: TemplateView[]): string {
  switch (v.action) {
    case 'set_task':
      return `${clip(v.params.text)} · ${user(t, c, v.params.responsible)}`;
    case 'add_note':
      return clip(v.params.text);
    case 'change_status':
      return stage(c, v.params.pipelineId, v.params.statusId);
    case 'change_field': {
      const f = c?.fields[v.params.entity].find((x) => x.id === v.params.fieldId);
      const value = v.params.value.trim();
      const shown = value === RESET ? t('admin_triggers.field.mode_reset') : value === TODAY ? t('admin_triggers.field.mode_today') : clip(value, 40);
      return `${f?.name ?? `#${v.params.fieldId}`} = ${shown}`;
    }
    case 'send_email':
      return templates.find((x) => x.id === v.params.templateId)?.name ?? v.params.templateId;
    case 'create_lead':
      return `${clip(v.params.name, 40)} · ${stage(c, v.params.pipelineId, v.params.statusId)}`;
    case 'change_tags':
      return [...v.params.add.map((x) => `+${x}`), ...v.params.remove.map((x) => `−${x}`)].join(', ');
  }
}
