/**
 * The Kommo actions' plans: each turns the trigger's parameters and a PlanContext into the exact
 * requests of kommo-reference.md, without side effects.
 */
import type { z } from 'zod';
import type {
  AddNoteParams,
  ChangeFieldParams,
  ChangeStatusParams,
  ChangeTagsParams,
  CreateLeadParams,
  SetTaskParams,
  TaskDeadline,
} from '../../../../shared/schemas/trigger.js';
import { AppError, ErrorCode } from '../../../errors.js';
import { fieldValue } from './field-value.js';
import { ENTITY_WORD, leadContactIds, requireData, resolveTargets, responsibleUserId } from './targets.js';
import { renderTriggerText } from './texts.js';
import { planned, skipped, type NewLeadBody, type Plan, type PlanContext } from './types.js';

const UNIT_SECONDS = { minutes: 60, hours: 3600, days: 86_400 } as const;

/** Unix seconds. "End of day" is 23:59:59 UTC: accounts carry no time zone yet. */
export function taskDeadline(deadline: TaskDeadline, now: Date): number {
  const nowSec = Math.floor(now.getTime() / 1000);
  if (deadline.kind === 'relative') return nowSec + deadline.amount * UNIT_SECONDS[deadline.unit];
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 23, 59, 59) / 1000;
}

export function planSetTask(p: z.infer<typeof SetTaskParams>, ctx: PlanContext): Plan {
  return planned([
    {
      kind: 'kommo',
      op: 'task',
      method: 'POST',
      path: '/tasks',
      body: [
        {
          text: renderTriggerText(p.text, ctx),
          complete_till: taskDeadline(p.deadline, ctx.now),
          task_type_id: p.taskTypeId,
          entity_id: ctx.entity.id,
          entity_type: ctx.entity.type,
          responsible_user_id: responsibleUserId(ctx, p.responsible),
        },
      ],
    },
  ]);
}

export function planAddNote(p: z.infer<typeof AddNoteParams>, ctx: PlanContext): Plan {
  const text = renderTriggerText(p.text, ctx);
  // Kommo refuses a blank note; a text made only of empty variables would be one.
  if (!text) return skipped('the note text is empty once its variables are filled in');
  const entity = ctx.entity.type;
  return planned([
    { kind: 'kommo', op: 'note', entity, method: 'POST', path: `/${entity}/notes`, body: [{ entity_id: ctx.entity.id, note_type: 'common', params: { text } }] },
  ]);
}

export function planChangeStatus(p: z.infer<typeof ChangeStatusParams>, ctx: PlanContext): Plan {
  if (ctx.entity.type !== 'leads') return skipped(`only a lead has a status; this mail belongs to a ${ENTITY_WORD[ctx.entity.type]}`);
  return planned([
    { kind: 'kommo', op: 'update', entity: 'leads', method: 'PATCH', path: '/leads', body: [{ id: ctx.entity.id, status_id: p.statusId, pipeline_id: p.pipelineId }] },
  ]);
}

export function planChangeTags(p: z.infer<typeof ChangeTagsParams>, ctx: PlanContext): Plan {
  const entity = ctx.entity.type;
  // tags_to_add / tags_to_delete only: `_embedded.tags` would replace the whole set.
  const patch = {
    id: ctx.entity.id,
    ...(p.add.length ? { tags_to_add: p.add.map((name) => ({ name })) } : {}),
    ...(p.remove.length ? { tags_to_delete: p.remove.map((name) => ({ name })) } : {}),
  };
  return planned([{ kind: 'kommo', op: 'update', entity, method: 'PATCH', path: `/${entity}`, body: [patch] }]);
}

export function planChangeField(p: z.infer<typeof ChangeFieldParams>, ctx: PlanContext): Plan {
  const d = requireData(ctx);
  const def = d.fieldDefs[p.entity].find((f) => f.id === p.fieldId);
  if (!def) throw new AppError(ErrorCode.VALIDATION, `params.fieldId: field ${p.fieldId} no longer exists on ${p.entity} in Kommo`);
  const targets = resolveTargets(ctx, p.entity);
  if ('skip' in targets) return skipped(targets.skip);
  const body = targets.records.map((r) => {
    const current = r.custom_fields_values?.find((v) => v.field_id === def.id)?.values ?? null;
    const v = fieldValue(def, p.value, { now: ctx.now, current, renderText: (s) => renderTriggerText(s, ctx) });
    // Accepted at save time; only a field changed in Kommo since then can refuse it now.
    if (!v.ok) throw new AppError(ErrorCode.VALIDATION, `params.value: ${v.problem}`);
    return { id: r.id, custom_fields_values: [{ field_id: def.id, values: v.values }] };
  });
  return planned([{ kind: 'kommo', op: 'update', entity: p.entity, method: 'PATCH', path: `/${p.entity}`, body }]);
}

export function planCreateLead(p: z.infer<typeof CreateLeadParams>, ctx: PlanContext): Plan {
  const contacts = leadContactIds(ctx);
  if (contacts.length === 0) return skipped('the mail went to no contact, and the entity has none to create the lead for');
  const lead: NewLeadBody = {
    name: renderTriggerText(p.name, ctx),
    pipeline_id: p.pipelineId,
    status_id: p.statusId,
    responsible_user_id: responsibleUserId(ctx, p.responsible),
    _embedded: { contacts: contacts.map((id) => ({ id })) },
  };
  return planned([{ kind: 'kommo', op: 'create_lead', method: 'POST', path: '/leads', body: [lead] }]);
}
