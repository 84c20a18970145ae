/**
 * Stored records → Kommo API v4 JSON (hal+json). `base` is the account's API origin as the
 * caller reached it (e.g. http://127.0.0.1:4010/acme), so `_links` point back at the simulator
 * the way Kommo's point at https://{subdomain}.kommo.com.
 */
import type { SimAccount, SimCompany, SimContact, SimCustomFieldDef, SimEntityType, SimLead, SimPipeline, SimUser } from './types.js';

const self = (href: string) => ({ self: { href } });

function tags(account: SimAccount, entity: SimEntityType, ids: number[]) {
  return ids.flatMap((id) => {
    const t = account.tags[entity].get(id);
    return t ? [{ id: t.id, name: t.name, color: null }] : [];
  });
}

/** Kommo answers `null`, not `[]`, when an entity has no custom field values. */
const cfv = <T>(values: T[]) => (values.length ? values : null);

export function leadJson(account: SimAccount, lead: SimLead, base: string, withParts: Set<string>) {
  const embedded: Record<string, unknown> = {
    tags: tags(account, 'leads', lead.tagIds),
    companies: lead.companyId !== null ? [{ id: lead.companyId, _links: self(`${base}/api/v4/companies/${lead.companyId}`) }] : [],
  };
  if (withParts.has('contacts')) {
    embedded.contacts = lead.contacts.map((c) => ({ id: c.id, is_main: c.is_main, _links: self(`${base}/api/v4/contacts/${c.id}`) }));
  }
  return {
    id: lead.id,
    name: lead.name,
    price: lead.price,
    responsible_user_id: lead.responsible_user_id,
    group_id: 0,
    status_id: lead.status_id,
    pipeline_id: lead.pipeline_id,
    loss_reason_id: null,
    created_by: 0,
    updated_by: 0,
    created_at: lead.created_at,
    updated_at: lead.updated_at,
    closed_at: lead.closed_at,
    closest_task_at: null,
    is_deleted: false,
    custom_fields_values: cfv(lead.custom_fields_values),
    score: null,
    account_id: account.id,
    labor_cost: null,
    _links: self(`${base}/api/v4/leads/${lead.id}`),
    _embedded: embedded,
  };
}

const leadsOf = (account: SimAccount, pred: (l: SimLead) => boolean) => [...account.leads.values()].filter(pred).map((l) => ({ id: l.id }));

export function contactJson(account: SimAccount, contact: SimContact, base: string, withParts: Set<string>) {
  const embedded: Record<string, unknown> = {
    tags: tags(account, 'contacts', contact.tagIds),
    companies: contact.companyId !== null ? [{ id: contact.companyId, _links: self(`${base}/api/v4/companies/${contact.companyId}`) }] : [],
  };
  if (withParts.has('leads')) embedded.leads = leadsOf(account, (l) => l.contacts.some((c) => c.id === contact.id));
  return {
    id: contact.id,
    name: contact.name,
    first_name: contact.first_name,
    last_name: contact.last_name,
    responsible_user_id: contact.responsible_user_id,
    group_id: 0,
    created_by: 0,
    updated_by: 0,
    created_at: contact.created_at,
    updated_at: contact.updated_at,
    closest_task_at: null,
    is_deleted: false,
    is_unsorted: false,
    custom_fields_values: cfv(contact.custom_fields_values),
    account_id: account.id,
    _links: self(`${base}/api/v4/contacts/${contact.id}`),
    _embedded: embedded,
  };
}

export function companyJson(account: SimAccount, company: SimCompany, base: string, withParts: Set<string>) {
  const embedded: Record<string, unknown> = { tags: tags(account, 'companies', company.tagIds) };
  if (withParts.has('contacts')) {
    embedded.contacts = [...account.contacts.values()].filter((c) => c.companyId === company.id).map((c) => ({ id: c.id }));
  }
  if (withParts.has('leads')) embedded.leads = leadsOf(account, (l) => l.companyId === company.id);
  return {
    id: company.id,
    name: company.name,
    responsible_user_id: company.responsible_user_id,
    group_id: 0,
    created_by: 0,
    updated_by: 0,
    created_at: company.created_at,
    updated_at: company.updated_at,
    closest_task_at: null,
    is_deleted: false,
    custom_fields_values: cfv(company.custom_fields_values),
    account_id: account.id,
    _links: self(`${base}/api/v4/companies/${company.id}`),
    _embedded: embedded,
  };
}

export function userJson(user: SimUser, base: string) {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    lang: user.lang,
    rights: {
      leads: user.rights.leads,
      contacts: user.rights.contacts,
      companies: user.rights.companies,
      tasks: { edit: 'A', delete: 'A' },
      mail_access: true,
      catalog_access: true,
      files_access: true,
      status_rights: user.status_rights,
      is_admin: user.is_admin,
      is_free: false,
      is_active: user.is_active,
      group_id: user.group_id,
      role_id: null,
    },
    _links: self(`${base}/api/v4/users/${user.id}`),
  };
}

export function customFieldJson(account: SimAccount, def: SimCustomFieldDef, base: string) {
  return {
    id: def.id,
    name: def.name,
    type: def.type,
    account_id: account.id,
    code: def.code,
    sort: def.sort,
    is_api_only: false,
    enums: def.enums,
    group_id: null,
    required_statuses: [],
    is_deletable: def.code === null,
    is_predefined: def.code !== null,
    entity_type: def.entity_type,
    remind: null,
    _links: self(`${base}/api/v4/${def.entity_type}/custom_fields/${def.id}`),
  };
}

export function pipelineJson(account: SimAccount, p: SimPipeline, base: string) {
  return {
    id: p.id,
    name: p.name,
    sort: p.sort,
    is_main: p.is_main,
    is_unsorted_on: true,
    is_archive: false,
    account_id: account.id,
    _links: self(`${base}/api/v4/leads/pipelines/${p.id}`),
    _embedded: {
      statuses: p.statuses.map((s) => ({
        id: s.id,
        name: s.name,
        sort: s.sort,
        is_editable: s.id !== 142 && s.id !== 143,
        pipeline_id: p.id,
        color: s.color,
        type: s.type,
        account_id: account.id,
        _links: self(`${base}/api/v4/leads/pipelines/${p.id}/statuses/${s.id}`),
      })),
    },
  };
}
