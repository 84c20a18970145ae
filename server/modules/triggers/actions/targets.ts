/**
 * Which CRM records an action touches. The event names one entity (the mail's lead, contact or
 * company); "Change field" may name another kind, reached through the mail:
 *   lead → contacts   the contacts the mail went to, else the lead's main contact
 *   lead → company    the lead's company;   contact → company   the contact's company
 *   company → contacts  the contacts the mail went to
 * A contact or company has no single lead, so lead fields are only changed from lead mails.
 */
import type { EntityType } from '../../../../shared/schemas/common.js';
import type { CrmCustomFieldValue } from '../../../infra/crm/crm-client.js';
import { AppError, ErrorCode } from '../../../errors.js';
import type { EntityData } from '../../templates/entity-data.js';
import type { PlanContext } from './types.js';

interface CrmRecord {
  id: number;
  responsible_user_id: number;
  custom_fields_values: CrmCustomFieldValue[] | null;
}

export const ENTITY_WORD: Record<EntityType, string> = { leads: 'lead', contacts: 'contact', companies: 'company' };

export function requireData(ctx: PlanContext): EntityData {
  // loadPlanContext always loads data for the actions that call this; a caller building its own
  // context (the dry run) must do the same.
  if (!ctx.data) throw new AppError(ErrorCode.INTERNAL, 'this action needs the entity’s CRM data in its plan context');
  return ctx.data;
}

/** The record of the event's entity. */
export function eventRecord(ctx: PlanContext): CrmRecord {
  const d = requireData(ctx);
  const r = ctx.entity.type === 'leads' ? d.lead : ctx.entity.type === 'contacts' ? d.contact : d.company;
  if (!r) throw new AppError(ErrorCode.NOT_FOUND, `${ENTITY_WORD[ctx.entity.type]} ${ctx.entity.id} not found in Kommo`);
  return r;
}

/** Contacts the mail went to that belong to the entity (ids only trusted when Kommo knows them). */
function mailContacts(ctx: PlanContext, d: EntityData): CrmRecord[] {
  const ids = new Set(ctx.email?.contactIds ?? []);
  return d.contacts.filter((c) => ids.has(c.id));
}

export type Targets = { records: CrmRecord[] } | { skip: string };

export function resolveTargets(ctx: PlanContext, kind: EntityType): Targets {
  const d = requireData(ctx);
  const from = ctx.entity.type;
  if (kind === from) return { records: [eventRecord(ctx)] };
  if (kind === 'companies') {
    if (from === 'leads' || from === 'contacts') {
      return d.company ? { records: [d.company] } : { skip: `the ${ENTITY_WORD[from]} has no company` };
    }
  }
  if (kind === 'contacts') {
    const sent = mailContacts(ctx, d);
    if (sent.length) return { records: sent };
    if (from === 'leads' && d.contact) return { records: [d.contact] };
    return { skip: from === 'leads' ? 'the lead has no contact' : 'the mail went to no contact of this company' };
  }
  return { skip: `a ${ENTITY_WORD[from]} mail cannot change a lead field: a ${ENTITY_WORD[from]} has no single lead` };
}

/** Contacts a new lead is created for: those the mail went to, else the entity's main contact. */
export function leadContactIds(ctx: PlanContext): number[] {
  const d = requireData(ctx);
  const sent = ctx.email?.contactIds ?? [];
  if (sent.length) return [...new Set(sent)];
  if (ctx.entity.type === 'contacts') return [ctx.entity.id];
  return d.contact ? [d.contact.id] : [];
}

/** 'entity' = whoever is responsible for the event's entity in Kommo. */
export function responsibleUserId(ctx: PlanContext, responsible: 'entity' | number): number {
  return responsible === 'entity' ? eventRecord(ctx).responsible_user_id : responsible;
}
