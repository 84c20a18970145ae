/**
 * The entity picker's search (preview or dry run "with a chosen lead"): Kommo's own `query`
 * search, plus the record whose id was typed, so a user finds a lead by clicking instead of
 * copying numbers out of Kommo's address bar. The integration's token sees the whole account,
 * so each hit passes the same view-rights rule as every other read (accounts/entity-access.ts):
 * a user who may see only their own leads finds only those.
 */
import type { EntityType } from '../../../shared/schemas/common.js';
import type { EntitySearchHit } from '../../../shared/schemas/entity-search.js';
import type { AuthContext } from '../../http/auth.js';
import type { CrmClient, CrmCompany, CrmContact, CrmLead, CrmPipeline } from '../../infra/crm/crm-client.js';
import { canViewLoaded } from '../accounts/entity-access.js';
import { contactEmails } from '../templates/entity-data.js';

export const DEFAULT_SEARCH_LIMIT = 10;
/**
 * How many Kommo hits a restricted user's list is cut from: Kommo does not filter by the
 * caller's rights, so hits the user may not see are dropped after reading. One request still.
 */
const RESTRICTED_WINDOW = 100;

type Entity = CrmLead | CrmContact | CrmCompany;

export async function searchEntities(crm: CrmClient, auth: AuthContext, type: EntityType, query: string, limit = DEFAULT_SEARCH_LIMIT): Promise<EntitySearchHit[]> {
  const id = /^\d{1,15}$/.test(query) ? Number(query) : null;
  const [byName, byId, users, pipelines] = await Promise.all([
    crm.searchEntities(type, query, auth.isAdmin ? limit : Math.max(limit, RESTRICTED_WINDOW)) as Promise<Entity[]>,
    id === null ? Promise.resolve([]) : (readByIds(crm, type, [id]) as Promise<Entity[]>),
    auth.isAdmin ? null : crm.listUsers(),
    type === 'leads' ? crm.listPipelines() : Promise.resolve([]),
  ]);
  const seen = new Set<number>();
  const hits: EntitySearchHit[] = [];
  for (const e of [...byId, ...byName]) {
    if (hits.length >= limit || seen.has(e.id)) continue;
    seen.add(e.id);
    if (users && !canViewLoaded(users, auth.userId, type, e)) continue;
    hits.push(view(type, e, pipelines));
  }
  return hits;
}

function readByIds(crm: CrmClient, type: EntityType, ids: number[]): Promise<Entity[]> {
  if (type === 'leads') return crm.getLeadsByIds(ids);
  return type === 'contacts' ? crm.getContactsByIds(ids) : crm.getCompaniesByIds(ids);
}

function view(type: EntityType, e: Entity, pipelines: CrmPipeline[]): EntitySearchHit {
  if (type === 'leads') {
    const lead = e as CrmLead;
    const pipeline = pipelines.find((p) => p.id === lead.pipeline_id);
    const status = pipeline?.statuses.find((s) => s.id === lead.status_id);
    return { id: lead.id, name: lead.name, price: lead.price, ...(pipeline && { pipeline: pipeline.name }), ...(status && { status: status.name }) };
  }
  if (type === 'contacts') return { id: e.id, name: e.name, email: contactEmails(e as CrmContact)[0] ?? null };
  return { id: e.id, name: e.name };
}
