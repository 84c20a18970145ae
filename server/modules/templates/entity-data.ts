/**
 * Loads what a template can refer to for one CRM entity: the lead, its main contact, its
 * company and the responsible user — the same data for preview and for sending, so the preview
 * is exactly what would be sent.
 */
import type { CrmClient, CrmCompany, CrmContact, CrmCustomFieldDef, CrmLead, CrmPipeline, CrmUser } from '../../infra/crm/crm-client.js';
import type { EntityType } from '../../../shared/schemas/common.js';
import { notFound } from '../../errors.js';
import { EmailAddress } from '../../../shared/schemas/common.js';

export interface EntityData {
  lead: CrmLead | null;
  contact: CrmContact | null;
  company: CrmCompany | null;
  /** Every contact of the entity (recipients are chosen from these). */
  contacts: CrmContact[];
  responsible: CrmUser | null;
  users: CrmUser[];
  fieldDefs: { leads: CrmCustomFieldDef[]; contacts: CrmCustomFieldDef[]; companies: CrmCustomFieldDef[] };
  pipelines: CrmPipeline[];
}

const MAX_CONTACTS = 50;

export async function loadEntityData(crm: CrmClient, entityType: EntityType, entityId: number): Promise<EntityData> {
  let lead: CrmLead | null = null;
  let company: CrmCompany | null;
  let contacts: CrmContact[];
  let contact: CrmContact | null;

  if (entityType === 'leads') {
    lead = await crm.getLead(entityId);
    if (!lead) throw notFound(`lead ${entityId}`);
    const ordered = [...lead.contacts].sort((a, b) => Number(b.is_main) - Number(a.is_main)).slice(0, MAX_CONTACTS);
    contacts = (await Promise.all(ordered.map((c) => crm.getContact(c.id)))).filter((c): c is CrmContact => !!c);
    contact = contacts[0] ?? null;
    const companyId = lead.companies[0]?.id;
    company = companyId ? await crm.getCompany(companyId) : null;
  } else if (entityType === 'contacts') {
    contact = await crm.getContact(entityId);
    if (!contact) throw notFound(`contact ${entityId}`);
    contacts = [contact];
    const companyId = contact.companies[0]?.id;
    company = companyId ? await crm.getCompany(companyId) : null;
  } else {
    company = await crm.getCompany(entityId);
    if (!company) throw notFound(`company ${entityId}`);
    contacts = (await Promise.all(company.contacts.slice(0, MAX_CONTACTS).map((c) => crm.getContact(c.id)))).filter(
      (c): c is CrmContact => !!c,
    );
    contact = contacts[0] ?? null;
  }

  const [users, leadsF, contactsF, companiesF, pipelines] = await Promise.all([
    crm.listUsers(),
    crm.listCustomFields('leads'),
    crm.listCustomFields('contacts'),
    crm.listCustomFields('companies'),
    crm.listPipelines(),
  ]);
  const responsibleId = (lead ?? contact ?? company)?.responsible_user_id;
  return {
    lead,
    contact,
    company,
    contacts,
    responsible: users.find((u) => u.id === responsibleId) ?? null,
    users,
    fieldDefs: { leads: leadsF, contacts: contactsF, companies: companiesF },
    pipelines,
  };
}

/**
 * Valid email addresses of a contact, from its EMAIL multitext field. CRM data is typed by people:
 * "n/a" or "a@x.com; b@y.com" would make the whole mail fail at the SMTP server, so only values
 * that are one valid address each are used.
 */
export function contactEmails(c: CrmContact): string[] {
  const out: string[] = [];
  for (const f of c.custom_fields_values ?? []) {
    if (f.field_code !== 'EMAIL') continue;
    for (const v of f.values ?? []) {
      const value = typeof v.value === 'string' ? v.value.trim() : '';
      if (value && EmailAddress.safeParse(value).success) out.push(value);
    }
  }
  return out;
}
