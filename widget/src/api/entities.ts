/**
 * The entity picker's call: leads, contacts or companies the user may see, by name or id. Types
 * from shared/schemas (type-only imports keep zod out of the bundle).
 */
import type { EntityType } from '../../../shared/schemas/common.js';
import type { EntitySearchHit } from '../../../shared/schemas/entity-search.js';
import type { Transport } from '../host/transport.js';

export type { EntitySearchHit };

export const entitiesApi = (rq: Transport) => ({
  search: (type: EntityType, query: string, limit: number) => rq<EntitySearchHit[]>('GET', `/api/entities/${type}/search`, { query: { query, limit } }),
});
