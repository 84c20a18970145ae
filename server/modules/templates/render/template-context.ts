/**
 * The variables a template sees, built from CRM records. Shape (see variables-catalog.ts for
 * the editor's list of the same keys):
 *
 *   lead        id, name, price, status_id, pipeline_id, status, pipeline, tags, created_at,
 *               fields.[<name>] / fields.[<id>], cf_<id>
 *   contact     id, name, first_name, last_name, email, phone, fields…, cf_<id>
 *   company     id, name, email, phone, fields…, cf_<id>
 *   responsible id, name, email        (the lead's responsible user)
 *   sender      id, name, email        (the user sending; `user` is the same object)
 *   date        today (YYYY-MM-DD in the account zone), now (ISO 8601, UTC)
 *
 * Entities that are absent stay absent, so `{{#if company}}` works. Custom field values are
 * formatted in custom-fields.ts. Pass the account's time zone: Kommo date fields are midnights in
 * that zone, and formatting them in UTC would print the previous day for accounts east of UTC.
 */
import type {
  CrmCompany,
  CrmContact,
  CrmCustomFieldDef,
  CrmLead,
  CrmPipeline,
  CrmUser,
} from '../../../infra/crm/crm-client.js';
import { assertTimeZone, DEFAULT_TIMEZONE, formatInstant } from './date-format.js';
import { buildFieldMap, defineValue, primaryValue } from './custom-fields.js';

export interface TemplateFieldDefs {
  leads?: CrmCustomFieldDef[];
  contacts?: CrmCustomFieldDef[];
  companies?: CrmCustomFieldDef[];
}

export type TemplateUserInput = Pick<CrmUser, 'name' | 'email'> & { id?: number };

export interface BuildTemplateContextInput {
  lead?: CrmLead | null;
  contact?: CrmContact | null;
  company?: CrmCompany | null;
  responsible?: TemplateUserInput | null;
  sender?: TemplateUserInput | null;
  fieldDefs: TemplateFieldDefs;
  /** Needed for lead.status / lead.pipeline names; without it they are empty. */
  pipelines?: CrmPipeline[];
  now: Date;
  /** IANA zone of the Kommo account; default UTC. */
  timezone?: string;
}

type CustomFieldAliases = { [key: `cf_${number}`]: string };

export interface LeadVars extends CustomFieldAliases {
  id: number;
  name: string;
  price: number | null;
  status_id: number;
  pipeline_id: number;
  status: string;
  pipeline: string;
  /** Tag names; prints as "a, b" and iterates with {{#each lead.tags}}. */
  tags: string[];
  created_at: string;
  fields: Record<string, string>;
}

export interface ContactVars extends CustomFieldAliases {
  id: number;
  name: string;
  first_name: string;
  last_name: string;
  email: string;
  phone: string;
  fields: Record<string, string>;
}

export interface CompanyVars extends CustomFieldAliases {
  id: number;
  name: string;
  email: string;
  phone: string;
  fields: Record<string, string>;
}

export interface UserVars {
  id: number | null;
  name: string;
  email: string;
}

export interface TemplateContext {
  lead?: LeadVars;
  contact?: ContactVars;
  company?: CompanyVars;
  responsible?: UserVars;
  sender?: UserVars;
  user?: UserVars;
  date: { today: string; now: string };
}

/**
 * An array that prints as "a, b": Handlebars renders arrays with Array#toString ("a,b").
 * The override is an own, non-enumerable property, so JSON and #each are unaffected.
 */
function printableList(items: string[]): string[] {
  const list = [...items];
  Object.defineProperty(list, 'toString', { value: () => list.join(', '), enumerable: false });
  return list;
}

/** Adds the flat `cf_<id>` aliases next to `fields`. */
function withAliases<T extends object>(base: T, fields: Record<string, string>): T & CustomFieldAliases {
  const target = base as T & CustomFieldAliases;
  for (const key of Object.keys(fields)) {
    if (/^\d+$/.test(key)) defineValue(target as Record<string, unknown>, `cf_${key}`, fields[key]);
  }
  return target;
}

function userVars(u: TemplateUserInput): UserVars {
  return { id: u.id ?? null, name: u.name ?? '', email: u.email ?? '' };
}

function leadVars(lead: CrmLead, defs: CrmCustomFieldDef[] | undefined, pipelines: CrmPipeline[] | undefined, tz: string): LeadVars {
  const pipeline = pipelines?.find((p) => p.id === lead.pipeline_id);
  const fields = buildFieldMap(lead.custom_fields_values, defs, tz);
  return withAliases(
    {
      id: lead.id,
      name: lead.name ?? '',
      price: lead.price ?? null,
      status_id: lead.status_id,
      pipeline_id: lead.pipeline_id,
      status: pipeline?.statuses.find((s) => s.id === lead.status_id)?.name ?? '',
      pipeline: pipeline?.name ?? '',
      tags: printableList((lead.tags ?? []).map((t) => t.name)),
      created_at: lead.created_at ? formatInstant(new Date(lead.created_at * 1000), 'YYYY-MM-DD', tz) : '',
      fields,
    },
    fields,
  );
}

function contactVars(c: CrmContact, defs: CrmCustomFieldDef[] | undefined, tz: string): ContactVars {
  const fields = buildFieldMap(c.custom_fields_values, defs, tz);
  return withAliases(
    {
      id: c.id,
      name: c.name ?? '',
      first_name: c.first_name ?? '',
      last_name: c.last_name ?? '',
      email: primaryValue(c.custom_fields_values, defs, 'EMAIL'),
      phone: primaryValue(c.custom_fields_values, defs, 'PHONE'),
      fields,
    },
    fields,
  );
}

function companyVars(c: CrmCompany, defs: CrmCustomFieldDef[] | undefined, tz: string): CompanyVars {
  const fields = buildFieldMap(c.custom_fields_values, defs, tz);
  return withAliases(
    {
      id: c.id,
      name: c.name ?? '',
      email: primaryValue(c.custom_fields_values, defs, 'EMAIL'),
      phone: primaryValue(c.custom_fields_values, defs, 'PHONE'),
      fields,
    },
    fields,
  );
}

export function buildTemplateContext(input: BuildTemplateContextInput): TemplateContext {
  const tz = input.timezone ?? DEFAULT_TIMEZONE;
  assertTimeZone(tz);
  const ctx: TemplateContext = {
    date: { today: formatInstant(input.now, 'YYYY-MM-DD', tz), now: input.now.toISOString() },
  };
  if (input.lead) ctx.lead = leadVars(input.lead, input.fieldDefs.leads, input.pipelines, tz);
  if (input.contact) ctx.contact = contactVars(input.contact, input.fieldDefs.contacts, tz);
  if (input.company) ctx.company = companyVars(input.company, input.fieldDefs.companies, tz);
  if (input.responsible) ctx.responsible = userVars(input.responsible);
  if (input.sender) {
    ctx.sender = userVars(input.sender);
    ctx.user = ctx.sender;
  }
  return ctx;
}
