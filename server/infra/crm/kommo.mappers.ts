/**
 * Kommo API v4 JSON → CrmClient types. Kommo omits or nulls parts freely (`_embedded` without
 * `contacts` unless asked for, `custom_fields_values: null`, no `code` on custom fields), so
 * every mapper defaults instead of trusting the shape.
 */
import type { CrmCompany, CrmContact, CrmCustomFieldDef, CrmCustomFieldValue, CrmLead, CrmPipeline, CrmRight, CrmTag, CrmUser, CrmUserRights } from './crm-client.js';

export type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): Json[] => (Array.isArray(v) ? v.map(obj) : []);
const num = (v: unknown, fallback = 0): number => (typeof v === 'number' ? v : typeof v === 'string' && v !== '' && !Number.isNaN(Number(v)) ? Number(v) : fallback);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const ids = (v: unknown) => arr(v).map((x) => ({ id: num(x.id) }));

function customFieldValues(v: unknown): CrmCustomFieldValue[] | null {
  if (!Array.isArray(v)) return null;
  return v.map(obj).map((f) => ({
    field_id: num(f.field_id),
    field_name: typeof f.field_name === 'string' ? f.field_name : undefined,
    field_code: typeof f.field_code === 'string' ? f.field_code : null,
    field_type: typeof f.field_type === 'string' ? f.field_type : undefined,
    values: Array.isArray(f.values)
      ? f.values.map(obj).map((x) => ({
          value: x.value as string | number | boolean | null | undefined,
          ...(x.enum_id !== undefined && x.enum_id !== null ? { enum_id: num(x.enum_id) } : {}),
          ...(typeof x.enum_code === 'string' ? { enum_code: x.enum_code } : {}),
        }))
      : null,
  }));
}

export const toTag = (t: Json): CrmTag => ({ id: num(t.id), name: str(t.name) });
const tags = (v: unknown): CrmTag[] => arr(v).map(toTag);

export function toLead(j: Json): CrmLead {
  const emb = obj(j._embedded);
  return {
    id: num(j.id),
    name: str(j.name),
    price: j.price === null || j.price === undefined ? null : num(j.price),
    responsible_user_id: num(j.responsible_user_id),
    status_id: num(j.status_id),
    pipeline_id: num(j.pipeline_id),
    created_at: num(j.created_at),
    updated_at: num(j.updated_at),
    custom_fields_values: customFieldValues(j.custom_fields_values),
    tags: tags(emb.tags),
    contacts: arr(emb.contacts).map((c) => ({ id: num(c.id), is_main: c.is_main === true })),
    companies: ids(emb.companies),
  };
}

export function toContact(j: Json): CrmContact {
  const emb = obj(j._embedded);
  return {
    id: num(j.id),
    name: str(j.name),
    first_name: str(j.first_name),
    last_name: str(j.last_name),
    responsible_user_id: num(j.responsible_user_id),
    custom_fields_values: customFieldValues(j.custom_fields_values),
    companies: ids(emb.companies),
    leads: ids(emb.leads),
  };
}

export function toCompany(j: Json): CrmCompany {
  return {
    id: num(j.id),
    name: str(j.name),
    responsible_user_id: num(j.responsible_user_id),
    custom_fields_values: customFieldValues(j.custom_fields_values),
    contacts: ids(obj(j._embedded).contacts),
  };
}

const RIGHTS = new Set(['A', 'G', 'M', 'D']);
/** A missing or unknown level is read as A: Kommo sends none for what it does not restrict. */
const right = (v: unknown): CrmRight => (typeof v === 'string' && RIGHTS.has(v) ? (v as CrmRight) : 'A');

export function toUserRights(v: unknown): CrmUserRights {
  const r = obj(v);
  return {
    isAdmin: r.is_admin === true,
    isActive: r.is_active !== false,
    groupId: r.group_id === null || r.group_id === undefined ? null : num(r.group_id),
    view: { leads: right(obj(r.leads).view), contacts: right(obj(r.contacts).view), companies: right(obj(r.companies).view) },
    statusView: arr(r.status_rights)
      .filter((x) => (x.entity_type ?? 'leads') === 'leads' && obj(x.rights).view !== undefined)
      .map((x) => ({ pipelineId: num(x.pipeline_id), statusId: num(x.status_id), view: right(obj(x.rights).view) })),
  };
}

export const toUser = (j: Json): CrmUser => ({ id: num(j.id), name: str(j.name), email: str(j.email), rights: toUserRights(j.rights) });

export const toCustomFieldDef = (j: Json): CrmCustomFieldDef => ({
  id: num(j.id),
  name: str(j.name),
  code: typeof j.code === 'string' && j.code !== '' ? j.code : null,
  type: str(j.type),
  enums: Array.isArray(j.enums) ? arr(j.enums).map((e) => ({ id: num(e.id), value: str(e.value) })) : null,
});

export const toPipeline = (j: Json): CrmPipeline => ({
  id: num(j.id),
  name: str(j.name),
  statuses: arr(obj(j._embedded).statuses).map((s) => ({ id: num(s.id), name: str(s.name) })),
});

/** `_embedded.{key}` of a Kommo collection answer. */
export const embedded = (body: Json | null, key: string): Json[] => arr(obj(body?._embedded)[key]);
