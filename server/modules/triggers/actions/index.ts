/**
 * The actions of triggers, split in two so the dry run can show exactly what would happen:
 *
 *   const ctx = await loadPlanContext(crm, trigger, { entity, point, email, vars, now });  // Kommo reads only
 *   const p = plan(trigger, ctx);          // pure: { calls: PlannedCall[], skip: null } or { calls: [], skip: reason }
 *   for (const call of p.calls) await executeCall(call, { crm, sendEmail });                // the side effects
 *
 * The trigger engine persists the planned calls before running them and records each answer.
 */
import type { CrmClient } from '../../../infra/crm/crm-client.js';
import { loadEntityData } from '../../templates/entity-data.js';
import { planAddNote, planChangeField, planChangeStatus, planChangeTags, planCreateLead, planSetTask } from './crm-actions.js';
import { planned, type ActionSpec, type Plan, type PlanContext } from './types.js';

export type { ActionSpec, EmailCall, KommoCall, NewLeadBody, NoteBody, Plan, PlanContext, PlannedCall } from './types.js';
export { executeCall, type ExecuteDeps } from './execute.js';
export { fieldValue, SUPPORTED_FIELD_TYPES } from './field-value.js';
export { taskDeadline } from './crm-actions.js';
export { renderTriggerText, triggerVariables } from './texts.js';

/** Actions whose plan reads the entity (texts with variables, responsible user, current values). */
export function needsEntityData(action: ActionSpec['action']): boolean {
  return action === 'set_task' || action === 'add_note' || action === 'change_field' || action === 'create_lead';
}

/** Reads from Kommo what `plan` needs for this trigger; never writes. */
export async function loadPlanContext(crm: CrmClient, trigger: ActionSpec, base: Omit<PlanContext, 'data'>): Promise<PlanContext> {
  const data = needsEntityData(trigger.action) ? await loadEntityData(crm, base.entity.type, base.entity.id) : null;
  return { ...base, data };
}

/** What the trigger would do for this event: the requests, or why it does not apply. */
export function plan(trigger: ActionSpec, ctx: PlanContext): Plan {
  switch (trigger.action) {
    case 'set_task':
      return planSetTask(trigger.params, ctx);
    case 'add_note':
      return planAddNote(trigger.params, ctx);
    case 'change_status':
      return planChangeStatus(trigger.params, ctx);
    case 'change_field':
      return planChangeField(trigger.params, ctx);
    case 'change_tags':
      return planChangeTags(trigger.params, ctx);
    case 'create_lead':
      return planCreateLead(trigger.params, ctx);
    case 'send_email':
      return planned([
        {
          kind: 'email',
          op: 'send_email',
          templateId: trigger.params.templateId,
          mailboxId: trigger.params.mailbox === 'original' ? (ctx.email?.mailboxId ?? null) : trigger.params.mailbox,
          entity: ctx.entity,
        },
      ]);
  }
}
