/**
 * Records the Kommo simulator keeps in memory. They hold what Kommo stores, not what it
 * answers: serialize.ts turns them into the API v4 JSON (kommo-reference.md "REST API v4").
 */
export type SimEntityType = 'leads' | 'contacts' | 'companies';

export interface SimCfValue {
  value?: string | number | boolean;
  enum_id?: number;
  enum_code?: string;
}

/** A stored custom field value, already in the shape GET answers with. */
export interface SimCustomFieldValue {
  field_id: number;
  field_name: string;
  field_code: string | null;
  field_type: string;
  values: SimCfValue[];
}

export interface SimCustomFieldDef {
  id: number;
  name: string;
  code: string | null;
  type: string;
  sort: number;
  entity_type: SimEntityType;
  enums: { id: number; value: string; sort: number }[] | null;
}

/** Kommo's access levels: A all, G the user's group, M own (responsible) only, D denied. */
export type SimRight = 'A' | 'G' | 'M' | 'D';

/** Per entity type, as in Kommo's `rights.leads` etc. (add/edit/delete/export kept to view's level). */
export interface SimEntityRights {
  view: SimRight;
  edit: SimRight;
  add: 'A' | 'D';
  delete: SimRight;
  export: SimRight;
}

export interface SimStatusRight {
  entity_type: 'leads';
  pipeline_id: number;
  status_id: number;
  rights: { view: SimRight; edit: SimRight; delete: SimRight; export?: SimRight };
}

export interface SimUser {
  id: number;
  name: string;
  email: string;
  lang: string;
  is_admin: boolean;
  is_active: boolean;
  group_id: number | null;
  rights: Record<SimEntityType, SimEntityRights>;
  status_rights: SimStatusRight[];
}

export interface SimStatus {
  id: number;
  name: string;
  sort: number;
  /** 1 = the "Incoming leads" (unsorted) stage, 0 = any other. */
  type: 0 | 1;
  color: string;
}

export interface SimPipeline {
  id: number;
  name: string;
  sort: number;
  is_main: boolean;
  statuses: SimStatus[];
}

export interface SimTag {
  id: number;
  name: string;
}

interface SimEntityBase {
  id: number;
  name: string;
  responsible_user_id: number;
  created_at: number;
  updated_at: number;
  custom_fields_values: SimCustomFieldValue[];
  tagIds: number[];
}

export interface SimLead extends SimEntityBase {
  price: number;
  status_id: number;
  pipeline_id: number;
  closed_at: number | null;
  contacts: { id: number; is_main: boolean }[];
  companyId: number | null;
}

export interface SimContact extends SimEntityBase {
  first_name: string;
  last_name: string;
  companyId: number | null;
}

export type SimCompany = SimEntityBase;

export interface SimNote {
  id: number;
  entity_type: SimEntityType;
  entity_id: number;
  note_type: string;
  params: Record<string, unknown>;
  created_at: number;
}

export interface SimTask {
  id: number;
  text: string;
  complete_till: number;
  task_type_id: number;
  entity_id: number;
  entity_type: SimEntityType;
  responsible_user_id: number;
  is_completed: boolean;
  created_at: number;
}

export interface SimAccount {
  id: number;
  subdomain: string;
  users: Map<number, SimUser>;
  pipelines: Map<number, SimPipeline>;
  customFields: Record<SimEntityType, Map<number, SimCustomFieldDef>>;
  tags: Record<SimEntityType, Map<number, SimTag>>;
  leads: Map<number, SimLead>;
  contacts: Map<number, SimContact>;
  companies: Map<number, SimCompany>;
  notes: SimNote[];
  tasks: SimTask[];
}

export interface SimIntegration {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

/** One entry of the request log tests assert on; `time` is wall-clock ms (Date.now()). */
export interface SimRequestLogEntry {
  time: number;
  subdomain: string;
  method: string;
  /** Path below the subdomain, e.g. `/api/v4/leads/12`. */
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  /** Filled in when the response has been sent. */
  status?: number;
}

export interface SimValidationError {
  code: string;
  path: string;
  detail: string;
}
