/**
 * Account metadata (users, custom fields, pipelines) changes rarely but every preview and every
 * send needs it; at 7 requests/s per account, refetching it each time would make a preview cost
 * about a second. This decorator keeps it briefly, per process. It is a cache, not state: any
 * instance may drop or refill it, and entity reads (leads, contacts, companies) and all writes
 * always go to Kommo.
 */
import type { CrmClient, CrmCustomFieldDef, CrmEntityType, CrmPipeline, CrmUser } from './crm-client.js';

interface Entry<T> {
  value: Promise<T>;
  expiresAt: number;
}

export class CrmMetadataCache {
  private readonly entries = new Map<string, Entry<unknown>>();

  constructor(private readonly ttlMs: number) {}

  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (this.ttlMs === 0) return load();
    const now = Date.now();
    const hit = this.entries.get(key) as Entry<T> | undefined;
    if (hit && hit.expiresAt > now) return hit.value;
    const value = load();
    this.entries.set(key, { value, expiresAt: now + this.ttlMs });
    // A failed load must not be served from the cache.
    value.catch(() => this.entries.delete(key));
    return value;
  }

  invalidate(accountId: number): void {
    for (const k of this.entries.keys()) if (k.startsWith(`${accountId}:`)) this.entries.delete(k);
  }
}

export function withMetadataCache(inner: CrmClient, accountId: number, cache: CrmMetadataCache): CrmClient {
  return {
    getLead: (id) => inner.getLead(id),
    getContact: (id) => inner.getContact(id),
    getCompany: (id) => inner.getCompany(id),
    getLeadsByIds: (ids) => inner.getLeadsByIds(ids),
    getContactsByIds: (ids) => inner.getContactsByIds(ids),
    getCompaniesByIds: (ids) => inner.getCompaniesByIds(ids),
    listUsers: () => cache.get<CrmUser[]>(`${accountId}:users`, () => inner.listUsers()),
    listCustomFields: (entity: CrmEntityType) => cache.get<CrmCustomFieldDef[]>(`${accountId}:fields:${entity}`, () => inner.listCustomFields(entity)),
    listPipelines: () => cache.get<CrmPipeline[]>(`${accountId}:pipelines`, () => inner.listPipelines()),
    // Tags are not metadata: triggers and users add new ones all the time.
    listTags: (entity) => inner.listTags(entity),
    updateEntities: (entity, patches) => inner.updateEntities(entity, patches),
    addNote: (entity, id, text, opts) => inner.addNote(entity, id, text, opts),
    createTask: (task, opts) => inner.createTask(task, opts),
    createLead: (lead, opts) => inner.createLead(lead, opts),
    searchEntities: (entity, query, limit) => inner.searchEntities(entity, query, limit),
  };
}
