/**
 * Seeding helpers for tests and the local sandbox. Custom field values and tags go through
 * the same validation as the API (custom-fields.ts), so a bad seed throws instead of
 * producing data the real Kommo could never hold.
 */
import { applyCustomFields, resolveTags } from './custom-fields.js';
import type { SimStore } from './store.js';
import type {
  SimAccount,
  SimCompany,
  SimContact,
  SimCustomFieldDef,
  SimEntityType,
  SimLead,
  SimEntityRights,
  SimPipeline,
  SimRight,
  SimStatusRight,
  SimUser,
  SimValidationError,
} from './types.js';

export interface SeedAccount {
  subdomain: string;
  id?: number;
  /** Default true: an admin user, a main "Sales" pipeline and the predefined PHONE/EMAIL fields. */
  defaults?: boolean;
}
export interface SeedCfInput {
  field_id?: number;
  field_code?: string;
  values: Record<string, unknown>[] | null;
}
interface SeedEntityCommon {
  id?: number;
  name?: string;
  responsible_user_id?: number;
  custom_fields_values?: SeedCfInput[];
  tags?: string[];
  created_at?: number;
}
export interface SeedLead extends SeedEntityCommon {
  price?: number;
  pipeline_id?: number;
  status_id?: number;
  contacts?: ({ id: number; is_main?: boolean } | number)[];
  company_id?: number;
}
export interface SeedContact extends SeedEntityCommon {
  first_name?: string;
  last_name?: string;
  /** Shortcut for the predefined EMAIL multitext field (enum WORK). */
  email?: string | string[];
  phone?: string | string[];
  company_id?: number;
}
export type SeedCompany = SeedEntityCommon;

/** Kommo puts won (142) and lost (143) into every pipeline with these fixed ids. */
export const WON_STATUS_ID = 142;
export const LOST_STATUS_ID = 143;

export class SimSeeder {
  constructor(private readonly store: SimStore) {}

  addAccount(input: SeedAccount) {
    const account = this.store.createAccount(input.subdomain, this.store.nextId(input.id));
    if (input.defaults === false) return { account, adminUserId: undefined, pipeline: undefined };
    const admin = this.addUser(input.subdomain, { name: 'Admin', email: `admin@${input.subdomain}.example`, is_admin: true });
    const pipeline = this.addPipeline(input.subdomain, { name: 'Sales', statuses: ['Incoming leads', 'Initial contact', 'Negotiation'] });
    this.addCustomField(input.subdomain, 'contacts', { name: 'Phone', code: 'PHONE', type: 'multitext', enums: ['WORK', 'WORKDD', 'MOB', 'FAX', 'HOME', 'OTHER'] });
    this.addCustomField(input.subdomain, 'contacts', { name: 'Email', code: 'EMAIL', type: 'multitext', enums: ['WORK', 'PRIV', 'OTHER'] });
    return { account, adminUserId: admin.id, pipeline };
  }

  /**
   * `view` limits what the user may see per entity type (default A: everything); `group_id` is
   * the user group G rights refer to; `status_rights` override a lead's view per pipeline stage.
   */
  addUser(
    sub: string,
    input: {
      id?: number;
      name: string;
      email: string;
      is_admin?: boolean;
      is_active?: boolean;
      group_id?: number | null;
      view?: Partial<Record<SimEntityType, SimRight>>;
      status_rights?: SimStatusRight[];
    },
  ): SimUser {
    const rightsOf = (view: SimRight): SimEntityRights => ({ view, edit: view, add: view === 'D' ? 'D' : 'A', delete: view, export: view });
    const user: SimUser = {
      id: this.store.nextId(input.id),
      name: input.name,
      email: input.email,
      lang: 'en',
      is_admin: input.is_admin ?? false,
      is_active: input.is_active ?? true,
      group_id: input.group_id ?? null,
      rights: {
        leads: rightsOf(input.view?.leads ?? 'A'),
        contacts: rightsOf(input.view?.contacts ?? 'A'),
        companies: rightsOf(input.view?.companies ?? 'A'),
      },
      status_rights: input.status_rights ?? [],
    };
    this.store.account(sub).users.set(user.id, user);
    return user;
  }

  /** The first status named is the "Incoming leads" stage; 142/143 are appended. */
  addPipeline(sub: string, input: { id?: number; name: string; is_main?: boolean; statuses: (string | { id?: number; name: string })[] }): SimPipeline {
    const account = this.store.account(sub);
    const pipeline: SimPipeline = {
      id: this.store.nextId(input.id),
      name: input.name,
      sort: (account.pipelines.size + 1) * 10,
      is_main: input.is_main ?? account.pipelines.size === 0,
      statuses: input.statuses.map((s, i) => {
        const st = typeof s === 'string' ? { name: s } : s;
        return { id: this.store.nextId(st.id), name: st.name, sort: (i + 1) * 10, type: i === 0 ? 1 : 0, color: '#99ccff' };
      }),
    };
    pipeline.statuses.push(
      { id: WON_STATUS_ID, name: 'Closed - won', sort: 10000, type: 0, color: '#CCFF66' },
      { id: LOST_STATUS_ID, name: 'Closed - lost', sort: 11000, type: 0, color: '#D5D8DB' },
    );
    account.pipelines.set(pipeline.id, pipeline);
    return pipeline;
  }

  addCustomField(
    sub: string,
    entity: SimEntityType,
    input: { id?: number; name: string; type: string; code?: string; enums?: (string | { id?: number; value: string })[] },
  ): SimCustomFieldDef {
    const fields = this.store.account(sub).customFields[entity];
    const def: SimCustomFieldDef = {
      id: this.store.nextId(input.id),
      name: input.name,
      code: input.code ?? null,
      type: input.type,
      sort: (fields.size + 1) * 10,
      entity_type: entity,
      enums: input.enums
        ? input.enums.map((e, i) => {
            const en = typeof e === 'string' ? { value: e } : e;
            return { id: this.store.nextId(en.id), value: en.value, sort: (i + 1) * 10 };
          })
        : null,
    };
    fields.set(def.id, def);
    return def;
  }

  private common(account: SimAccount, entity: SimEntityType, input: SeedEntityCommon, extraCf: SeedCfInput[] = []) {
    const errors: SimValidationError[] = [];
    const cf = applyCustomFields(account.customFields[entity], [], [...(input.custom_fields_values ?? []), ...extraCf], 'custom_fields_values', errors);
    const tagIds = resolveTags(account, entity, (input.tags ?? []).map((name) => ({ name })), 'tags', errors, () => this.store.nextId(), true);
    if (errors.length) throw new Error(`kommo-sim: invalid seed for ${entity}: ${JSON.stringify(errors)}`);
    const now = input.created_at ?? this.store.nowSec();
    const firstUser = account.users.keys().next().value;
    return {
      id: this.store.nextId(input.id),
      responsible_user_id: input.responsible_user_id ?? firstUser ?? 0,
      created_at: now,
      updated_at: now,
      custom_fields_values: cf,
      tagIds,
    };
  }

  addLead(sub: string, input: SeedLead = {}): SimLead {
    const account = this.store.account(sub);
    const pipeline = input.pipeline_id !== undefined ? account.pipelines.get(input.pipeline_id) : [...account.pipelines.values()].find((p) => p.is_main);
    if (!pipeline) throw new Error('kommo-sim: addLead needs a pipeline (seed one or pass pipeline_id)');
    const statusId = input.status_id ?? pipeline.statuses[0]!.id;
    if (!pipeline.statuses.some((s) => s.id === statusId)) throw new Error(`kommo-sim: status ${statusId} is not in pipeline ${pipeline.id}`);
    const contacts = (input.contacts ?? []).map((c, i) => (typeof c === 'number' ? { id: c, is_main: i === 0 } : { id: c.id, is_main: c.is_main ?? i === 0 }));
    for (const c of contacts) if (!account.contacts.has(c.id)) throw new Error(`kommo-sim: contact ${c.id} does not exist`);
    if (input.company_id !== undefined && !account.companies.has(input.company_id)) throw new Error(`kommo-sim: company ${input.company_id} does not exist`);
    const base = this.common(account, 'leads', input);
    const lead: SimLead = {
      ...base,
      name: input.name ?? `Lead #${base.id}`,
      price: input.price ?? 0,
      pipeline_id: pipeline.id,
      status_id: statusId,
      closed_at: null,
      contacts,
      companyId: input.company_id ?? null,
    };
    account.leads.set(lead.id, lead);
    return lead;
  }

  addContact(sub: string, input: SeedContact = {}): SimContact {
    const account = this.store.account(sub);
    const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
    const extra: SeedCfInput[] = [];
    const emails = list(input.email);
    const phones = list(input.phone);
    if (emails.length) extra.push({ field_code: 'EMAIL', values: emails.map((value) => ({ value, enum_code: 'WORK' })) });
    if (phones.length) extra.push({ field_code: 'PHONE', values: phones.map((value) => ({ value, enum_code: 'WORK' })) });
    if (input.company_id !== undefined && !account.companies.has(input.company_id)) throw new Error(`kommo-sim: company ${input.company_id} does not exist`);
    const base = this.common(account, 'contacts', input, extra);
    const first = input.first_name ?? '';
    const last = input.last_name ?? '';
    const contact: SimContact = {
      ...base,
      name: input.name ?? (`${first} ${last}`.trim() || `Contact #${base.id}`),
      first_name: first,
      last_name: last,
      companyId: input.company_id ?? null,
    };
    account.contacts.set(contact.id, contact);
    return contact;
  }

  addCompany(sub: string, input: SeedCompany = {}): SimCompany {
    const account = this.store.account(sub);
    const base = this.common(account, 'companies', input);
    const company: SimCompany = { ...base, name: input.name ?? `Company #${base.id}` };
    account.companies.set(company.id, company);
    return company;
  }
}
