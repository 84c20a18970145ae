/**
 * The one port in front of the CRM. Domain code depends on this interface only; the Kommo
 * adapter (kommo.client.ts) is the real implementation, and tests talk to that adapter
 * pointed at the Kommo simulator (server/sandbox/kommo-sim).
 * Shapes follow Kommo API v4 (shared/docs/kommo-reference.md), trimmed to what we use.
 */
export type CrmEntityType = 'leads' | 'contacts' | 'companies';

export interface CrmFieldValue {
  value?: string | number | boolean | null;
  enum_id?: number;
  enum_code?: string;
}

export interface CrmCustomFieldValue {
  field_id: number;
  field_name?: string;
  field_code?: string | null;
  field_type?: string;
  values: CrmFieldValue[] | null;
}

export interface CrmTag {
  id: number;
  name: string;
}

export interface CrmLead {
  id: number;
  name: string;
  price: number | null;
  responsible_user_id: number;
  status_id: number;
  pipeline_id: number;
  created_at: number;
  updated_at: number;
  custom_fields_values: CrmCustomFieldValue[] | null;
  tags: CrmTag[];
  contacts: { id: number; is_main: boolean }[];
  companies: { id: number }[];
}

export interface CrmContact {
  id: number;
  name: string;
  first_name: string;
  last_name: string;
  responsible_user_id: number;
  custom_fields_values: CrmCustomFieldValue[] | null;
  companies: { id: number }[];
  leads: { id: number }[];
}

export interface CrmCompany {
  id: number;
  name: string;
  responsible_user_id: number;
  custom_fields_values: CrmCustomFieldValue[] | null;
  contacts: { id: number }[];
}

/** Kommo's access levels: A all, G the user's group, M own (responsible) only, D denied. */
export type CrmRight = 'A' | 'G' | 'M' | 'D';

/** Kommo user rights (GET /users, `rights`), trimmed to what access checks need. */
export interface CrmUserRights {
  isAdmin: boolean;
  isActive: boolean;
  groupId: number | null;
  /** View right per entity type; absent in Kommo's answer means not restricted (A). */
  view: Record<CrmEntityType, CrmRight>;
  /** Stage rights: a lead in this pipeline status is viewable per `view` here instead. */
  statusView: { pipelineId: number; statusId: number; view: CrmRight }[];
}

export interface CrmUser {
  id: number;
  name: string;
  email: string;
  rights?: CrmUserRights;
}

export interface CrmCustomFieldDef {
  id: number;
  name: string;
  code: string | null;
  type: string;
  enums: { id: number; value: string }[] | null;
}

export interface CrmPipeline {
  id: number;
  name: string;
  statuses: { id: number; name: string }[];
}

export interface CrmTaskInput {
  text: string;
  complete_till: number;
  task_type_id: number;
  entity_id: number;
  entity_type: CrmEntityType;
  responsible_user_id?: number;
}

/** One PATCH item for /leads, /contacts or /companies (see kommo-reference.md "Update"). */
export interface CrmEntityPatch {
  id: number;
  status_id?: number;
  pipeline_id?: number;
  custom_fields_values?: { field_id: number; values: CrmFieldValue[] | null }[];
  tags_to_add?: { name?: string; id?: number }[];
  tags_to_delete?: { name?: string; id?: number }[];
}

export interface CrmLeadInput {
  name: string;
  pipeline_id?: number;
  status_id?: number;
  responsible_user_id?: number;
  contactId?: number;
  /** Linked as `_embedded.contacts`, after `contactId`; the first one is the main contact. */
  contactIds?: number[];
}

/**
 * Writes that Kommo may have applied although the answer was a 5xx or never came are read back
 * before being sent again (exactly once). `maybeAppliedSince` (unix seconds) says an earlier
 * attempt, e.g. a previous run of a job, may have applied this very write since then: the client
 * looks for it first and writes only if it is not there.
 */
export interface CrmWriteOptions {
  maybeAppliedSince?: number;
}

/** A created note, task or lead; `recovered` when it was found by reading back after a failure. */
export interface CrmCreated {
  id: number;
  recovered?: true;
}

/** The entity read for each type, for calls that take the type as an argument. */
export interface CrmEntityByType {
  leads: CrmLead;
  contacts: CrmContact;
  companies: CrmCompany;
}

export interface CrmClient {
  getLead(id: number): Promise<CrmLead | null>;
  getContact(id: number): Promise<CrmContact | null>;
  getCompany(id: number): Promise<CrmCompany | null>;
  /**
   * Many entities in few requests (`filter[id][]`, 250 per page), for mailings. Ids Kommo does
   * not know are simply absent from the answer; the order of the answer is Kommo's.
   */
  getLeadsByIds(ids: number[]): Promise<CrmLead[]>;
  getContactsByIds(ids: number[]): Promise<CrmContact[]>;
  getCompaniesByIds(ids: number[]): Promise<CrmCompany[]>;
  listUsers(): Promise<CrmUser[]>;
  listCustomFields(entity: CrmEntityType): Promise<CrmCustomFieldDef[]>;
  listPipelines(): Promise<CrmPipeline[]>;
  /** The account's tag registry of one entity type (`GET /{entity}/tags`), for pickers. */
  listTags(entity: CrmEntityType): Promise<CrmTag[]>;
  updateEntities(entity: CrmEntityType, patches: CrmEntityPatch[]): Promise<void>;
  addNote(entity: CrmEntityType, entityId: number, text: string, opts?: CrmWriteOptions): Promise<CrmCreated>;
  createTask(task: CrmTaskInput, opts?: CrmWriteOptions): Promise<CrmCreated>;
  createLead(lead: CrmLeadInput, opts?: CrmWriteOptions): Promise<CrmCreated>;
  /**
   * Kommo's own search (`query`: the name and the filled fields, a contact's phone and email
   * among them), first page only, at most `limit` (≤ 250), in Kommo's order; leads without contacts.
   */
  searchEntities<E extends CrmEntityType>(entity: E, query: string, limit: number): Promise<CrmEntityByType[E][]>;
}
