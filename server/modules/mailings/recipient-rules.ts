/**
 * Who of a selected entity receives the mail (pure): the main contact, every contact with an
 * address, or one chosen email field — or why nobody does.
 */
import type { CrmContact, CrmCustomFieldValue } from '../../infra/crm/crm-client.js';
import { EmailAddress } from '../../../shared/schemas/common.js';
import type { EntityBundle } from '../crm-data/entity-batch.js';
import type { RecipientsRule } from './mailings.repository.js';

export interface Candidate {
  contact: CrmContact | null;
  email: string;
}

/** Valid single addresses among the values of the fields that match. */
function addresses(fields: CrmCustomFieldValue[] | null, match: (f: CrmCustomFieldValue) => boolean): string[] {
  const out: string[] = [];
  for (const f of fields ?? []) {
    if (!match(f)) continue;
    for (const v of f.values ?? []) {
      const value = typeof v.value === 'string' ? v.value.trim() : '';
      // CRM data is typed by people: "n/a" or "a@x; b@y" would fail at the SMTP server.
      if (value && EmailAddress.safeParse(value).success) out.push(value.toLowerCase());
    }
  }
  return out;
}

const isEmailField = (f: CrmCustomFieldValue) => f.field_code === 'EMAIL';

/** Empty when the entity has no usable address under the rule. */
export function candidatesOf(b: EntityBundle, rule: RecipientsRule): Candidate[] {
  if (rule.mode === 'field') {
    const byId = (f: CrmCustomFieldValue) => f.field_id === rule.fieldId;
    const own = b.lead ?? (b.entityType === 'contacts' ? b.contacts[0] : b.company);
    const fromOwn = addresses(own?.custom_fields_values ?? null, byId)[0];
    if (fromOwn) return [{ contact: b.contacts[0] ?? null, email: fromOwn }];
    for (const c of b.contacts) {
      const e = addresses(c.custom_fields_values, byId)[0];
      if (e) return [{ contact: c, email: e }];
    }
    return [];
  }
  if (b.entityType === 'companies' && rule.mode === 'main') {
    const own = addresses(b.company?.custom_fields_values ?? null, isEmailField)[0];
    if (own) return [{ contact: b.contacts[0] ?? null, email: own }];
  }
  const out: Candidate[] = [];
  for (const c of b.contacts) {
    const e = addresses(c.custom_fields_values, isEmailField)[0];
    if (e) out.push({ contact: c, email: e });
    if (rule.mode === 'main' && out.length) break;
  }
  // "Main contact": only the first (main) one counts, not whichever happens to have an address.
  if (rule.mode === 'main' && out[0] && out[0].contact !== b.contacts[0] && b.entityType !== 'companies') return [];
  return out;
}
