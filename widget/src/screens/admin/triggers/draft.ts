/**
 * The editor's state: one set of inputs per action kind, so switching the kind back and forth
 * keeps what was typed, and the two conversions: a saved trigger → inputs, inputs → the request
 * body. The body is sent as the inputs say; the server checks it (shape and Kommo data) and names
 * the field it refuses.
 */
import type { EntityType } from '../../../../../shared/schemas/common.js';
import type { TriggerAction, TriggerBody, TriggerView } from '../../../api/admin-triggers.js';

export type DelayUnit = 'seconds' | 'minutes' | 'hours' | 'days';
export type DeadlineUnit = 'minutes' | 'hours' | 'days';

export const DELAY_SECONDS: Record<DelayUnit, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };

export interface Draft {
  name: string;
  action: TriggerAction;
  active: boolean;
  delay: { mode: 'now' | 'after'; amount: string; unit: DelayUnit };
  task: { taskTypeId: string; deadlineKind: 'relative' | 'end_of_day'; amount: string; unit: DeadlineUnit; responsible: string; text: string };
  note: { text: string };
  status: { pipelineId: string; statusId: string };
  field: { entity: EntityType; fieldId: string; value: string };
  email: { templateId: string; mailbox: string };
  lead: { name: string; pipelineId: string; statusId: string; responsible: string };
  tags: { add: string[]; remove: string[] };
}

export function emptyDraft(): Draft {
  return {
    name: '',
    action: 'set_task',
    active: true,
    delay: { mode: 'now', amount: '1', unit: 'minutes' },
    task: { taskTypeId: '1', deadlineKind: 'relative', amount: '1', unit: 'days', responsible: 'entity', text: '' },
    note: { text: '' },
    status: { pipelineId: '', statusId: '' },
    field: { entity: 'leads', fieldId: '', value: '' },
    email: { templateId: '', mailbox: 'original' },
    lead: { name: '', pipelineId: '', statusId: '', responsible: 'entity' },
    tags: { add: [], remove: [] },
  };
}

/** The largest unit that divides the delay exactly, so a saved "2 hours" reopens as 2 hours. */
export function delayOf(seconds: number): Draft['delay'] {
  if (seconds <= 0) return { mode: 'now', amount: '1', unit: 'minutes' };
  const unit = (['days', 'hours', 'minutes'] as const).find((u) => seconds % DELAY_SECONDS[u] === 0) ?? 'seconds';
  return { mode: 'after', amount: String(seconds / DELAY_SECONDS[unit]), unit };
}

const idText = (v: number | string) => String(v);

export function draftOf(v: TriggerView): Draft {
  const d = emptyDraft();
  d.name = v.name;
  d.action = v.action;
  d.active = v.active;
  d.delay = delayOf(v.delaySeconds);
  switch (v.action) {
    case 'set_task': {
      const p = v.params;
      d.task = {
        taskTypeId: idText(p.taskTypeId),
        deadlineKind: p.deadline.kind,
        amount: p.deadline.kind === 'relative' ? String(p.deadline.amount) : '1',
        unit: p.deadline.kind === 'relative' ? p.deadline.unit : 'days',
        responsible: idText(p.responsible),
        text: p.text,
      };
      break;
    }
    case 'add_note':
      d.note = { text: v.params.text };
      break;
    case 'change_status':
      d.status = { pipelineId: idText(v.params.pipelineId), statusId: idText(v.params.statusId) };
      break;
    case 'change_field':
      d.field = { entity: v.params.entity, fieldId: idText(v.params.fieldId), value: v.params.value };
      break;
    case 'send_email':
      d.email = { templateId: v.params.templateId, mailbox: v.params.mailbox };
      break;
    case 'create_lead':
      d.lead = { name: v.params.name, pipelineId: idText(v.params.pipelineId), statusId: idText(v.params.statusId), responsible: idText(v.params.responsible) };
      break;
    case 'change_tags':
      d.tags = { add: [...v.params.add], remove: [...v.params.remove] };
      break;
  }
  return d;
}

/** A picked id as the number the API wants; nothing picked stays empty so the server names the field. */
const id = (s: string): number => (s === '' ? (undefined as unknown as number) : Number(s));
const responsible = (s: string): 'entity' | number => (s === 'entity' ? 'entity' : id(s));

export function delaySeconds(d: Draft['delay']): number {
  return d.mode === 'now' ? 0 : Number(d.amount) * DELAY_SECONDS[d.unit];
}

export function bodyOf(d: Draft): TriggerBody {
  const common = { name: d.name, active: d.active, delaySeconds: delaySeconds(d.delay) };
  switch (d.action) {
    case 'set_task': {
      const x = d.task;
      const deadline = x.deadlineKind === 'end_of_day' ? { kind: 'end_of_day' as const } : { kind: 'relative' as const, amount: Number(x.amount), unit: x.unit };
      return { ...common, action: 'set_task', params: { taskTypeId: Number(x.taskTypeId) as 1 | 2, deadline, responsible: responsible(x.responsible), text: x.text } };
    }
    case 'add_note':
      return { ...common, action: 'add_note', params: { text: d.note.text } };
    case 'change_status':
      return { ...common, action: 'change_status', params: { pipelineId: id(d.status.pipelineId), statusId: id(d.status.statusId) } };
    case 'change_field':
      return { ...common, action: 'change_field', params: { entity: d.field.entity, fieldId: id(d.field.fieldId), value: d.field.value } };
    case 'send_email':
      return { ...common, action: 'send_email', params: { templateId: d.email.templateId, mailbox: d.email.mailbox } };
    case 'create_lead': {
      const x = d.lead;
      return { ...common, action: 'create_lead', params: { name: x.name, pipelineId: id(x.pipelineId), statusId: id(x.statusId), responsible: responsible(x.responsible) } };
    }
    case 'change_tags':
      return { ...common, action: 'change_tags', params: { add: d.tags.add, remove: d.tags.remove } };
  }
}

/** The body of a saved trigger with one thing changed (the list's on/off switch). */
export function bodyOfView(v: TriggerView, changes: Partial<Pick<TriggerBody, 'active'>>): TriggerBody {
  const { id: _id, createdAt: _c, updatedAt: _u, ...rest } = v;
  return { ...(rest as TriggerBody), ...changes };
}
