/**
 * The real CrmClient: Kommo API v4 over fetch (kommo-reference.md "REST API v4"). Transport,
 * retries, rate limiting and error typing live in kommo-http.ts; this file knows the endpoints,
 * pagination and the mapping to the port's types.
 */
import { AppError, ErrorCode } from '../../errors.js';
import type {
  CrmClient,
  CrmCompany,
  CrmCreated,
  CrmContact,
  CrmCustomFieldDef,
  CrmEntityByType,
  CrmEntityPatch,
  CrmEntityType,
  CrmLead,
  CrmLeadInput,
  CrmPipeline,
  CrmTag,
  CrmTaskInput,
  CrmUser,
  CrmWriteOptions,
} from './crm-client.js';
import { KommoHttp, type KommoHttpOptions } from './kommo-http.js';
import { findLead, findNote, findTask, VerifiedWrites, type VerifiedWriteOptions } from './kommo-verified-write.js';
import { embedded, toCompany, toContact, toCustomFieldDef, toLead, toPipeline, toTag, toUser, type Json } from './kommo.mappers.js';

export type KommoClientOptions = KommoHttpOptions & VerifiedWriteOptions;

/** Kommo's page size ceiling. */
const PAGE_LIMIT = 250;
/** Kommo accepts up to 250 entities per batch but recommends 50 to stay clear of timeouts. */
const PATCH_BATCH = 50;
/** A guard against a server that keeps linking to further pages forever. */
const MAX_PAGES = 1000;

export class KommoCrmClient implements CrmClient {
  private readonly http: KommoHttp;

  private readonly writes: VerifiedWrites;

  constructor(opts: KommoClientOptions) {
    this.http = new KommoHttp(opts);
    this.writes = new VerifiedWrites(opts);
  }

  async getLead(id: number): Promise<CrmLead | null> {
    const body = await this.http.request<Json>('GET', `/leads/${id}`, { query: { with: 'contacts' }, notFoundAsNull: true });
    return body && toLead(body);
  }

  async getContact(id: number): Promise<CrmContact | null> {
    const body = await this.http.request<Json>('GET', `/contacts/${id}`, { query: { with: 'leads' }, notFoundAsNull: true });
    return body && toContact(body);
  }

  async getCompany(id: number): Promise<CrmCompany | null> {
    const body = await this.http.request<Json>('GET', `/companies/${id}`, { query: { with: 'contacts' }, notFoundAsNull: true });
    return body && toCompany(body);
  }

  async getLeadsByIds(ids: number[]): Promise<CrmLead[]> {
    return (await this.listByIds('leads', ids, 'contacts')).map(toLead);
  }

  async getContactsByIds(ids: number[]): Promise<CrmContact[]> {
    return (await this.listByIds('contacts', ids)).map(toContact);
  }

  async getCompaniesByIds(ids: number[]): Promise<CrmCompany[]> {
    return (await this.listByIds('companies', ids, 'contacts')).map(toCompany);
  }

  async listUsers(): Promise<CrmUser[]> {
    return (await this.listAll('/users', 'users')).map(toUser);
  }

  async listCustomFields(entity: CrmEntityType): Promise<CrmCustomFieldDef[]> {
    return (await this.listAll(`/${entity}/custom_fields`, 'custom_fields')).map(toCustomFieldDef);
  }

  /** Not paginated in Kommo: an account has at most 50 pipelines. */
  async listPipelines(): Promise<CrmPipeline[]> {
    const body = await this.http.request<Json>('GET', '/leads/pipelines');
    return embedded(body, 'pipelines').map(toPipeline);
  }

  async listTags(entity: CrmEntityType): Promise<CrmTag[]> {
    return (await this.listAll(`/${entity}/tags`, 'tags')).map(toTag);
  }

  async updateEntities(entity: CrmEntityType, patches: CrmEntityPatch[]): Promise<void> {
    for (let i = 0; i < patches.length; i += PATCH_BATCH) {
      await this.http.request('PATCH', `/${entity}`, { body: patches.slice(i, i + PATCH_BATCH) });
    }
  }

  async addNote(entity: CrmEntityType, entityId: number, text: string, opts?: CrmWriteOptions): Promise<CrmCreated> {
    return this.writes.once(
      async () => this.firstId(await this.http.request<Json>('POST', `/${entity}/notes`, { body: [{ entity_id: entityId, note_type: 'common', params: { text } }] }), 'notes'),
      (since) => findNote(this.http, entity, entityId, text, since),
      opts,
    );
  }

  async createTask(task: CrmTaskInput, opts?: CrmWriteOptions): Promise<CrmCreated> {
    return this.writes.once(
      async () => this.firstId(await this.http.request<Json>('POST', '/tasks', { body: [task] }), 'tasks'),
      (since) => findTask(this.http, task, since),
      opts,
    );
  }

  async createLead(lead: CrmLeadInput, opts?: CrmWriteOptions): Promise<CrmCreated> {
    const { contactId, contactIds, ...fields } = lead;
    const contacts = [...(contactId !== undefined ? [contactId] : []), ...(contactIds ?? [])];
    const item = contacts.length ? { ...fields, _embedded: { contacts: contacts.map((id) => ({ id })) } } : fields;
    return this.writes.once(
      async () => this.firstId(await this.http.request<Json>('POST', '/leads', { body: [item] }), 'leads'),
      (since) => findLead(this.http, { ...fields, contactIds: contacts }, since),
      opts,
    );
  }

  async searchEntities<E extends CrmEntityType>(entity: E, query: string, limit: number): Promise<CrmEntityByType[E][]> {
    const body = await this.http.request<Json>('GET', `/${entity}`, { query: { query, limit: Math.min(limit, PAGE_LIMIT) } });
    const map = { leads: toLead, contacts: toContact, companies: toCompany }[entity] as (j: Json) => CrmEntityByType[E];
    return embedded(body, entity).map(map);
  }

  /**
   * 250 ids per request as indexed `filter[id][i]` keys (PHP-style arrays, which Kommo parses
   * like `filter[id][]`; indexed keys survive a plain key → value query map).
   */
  private async listByIds(entity: CrmEntityType, ids: number[], withParts?: string): Promise<Json[]> {
    const unique = [...new Set(ids)];
    const items: Json[] = [];
    for (let i = 0; i < unique.length; i += PAGE_LIMIT) {
      const query: Record<string, string | number> = {};
      unique.slice(i, i + PAGE_LIMIT).forEach((id, n) => (query[`filter[id][${n}]`] = id));
      if (withParts) query.with = withParts;
      items.push(...(await this.listAll(`/${entity}`, entity, query)));
    }
    return items;
  }

  /** Collects every page, following `_links.next` until Kommo stops linking (or answers 204). */
  private async listAll(path: string, key: string, extra: Record<string, string | number> = {}): Promise<Json[]> {
    const items: Json[] = [];
    let page = 1;
    for (let n = 0; n < MAX_PAGES; n++) {
      const body = await this.http.request<Json>('GET', path, { query: { ...extra, page, limit: PAGE_LIMIT } });
      if (!body) break;
      items.push(...embedded(body, key));
      const next = (body._links as { next?: { href?: string } } | undefined)?.next?.href;
      if (!next) break;
      // Only the page number is taken from the link: its host is Kommo's canonical one, which
      // need not be the base URL we were configured with.
      const linked = Number(new URL(next, 'http://kommo.invalid').searchParams.get('page'));
      page = Number.isInteger(linked) && linked > page ? linked : page + 1;
    }
    return items;
  }

  private firstId(body: Json | null, key: string): { id: number } {
    const id = embedded(body, key)[0]?.id;
    if (typeof id !== 'number') throw new AppError(ErrorCode.KOMMO_API, `Kommo did not return the created ${key}`, { body });
    return { id };
  }
}
