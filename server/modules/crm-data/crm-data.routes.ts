import { z } from 'zod';
import { CrmCatalog } from '../../../shared/schemas/crm-catalog.js';
import { EntityParams, EntityRecipient } from '../../../shared/schemas/recipients.js';
import type { CrmClient } from '../../infra/crm/crm-client.js';
import type { Api } from '../../http/route.js';
import { route } from '../../http/route.js';
import { crmCatalog } from './crm-catalog.js';
import { entityRecipients } from './entity-recipients.js';
import { EntitySearchHit, EntitySearchParams, EntitySearchQuery } from '../../../shared/schemas/entity-search.js';
import { searchEntities } from './entity-search.js';

export function registerCrmDataRoutes(api: Api, crmFor: (accountId: number) => Promise<CrmClient>): void {
  route(
    api,
    { method: 'get', path: '/api/entities/:type/:id/recipients', summary: 'Contacts of a lead, contact or company with their email addresses (main first), for the mail editor', tag: 'crm-data', auth: 'widget', params: EntityParams, response: z.array(EntityRecipient) },
    async ({ auth, params }) => entityRecipients(await crmFor(auth.accountId), auth, params.type, params.id),
  );
  route(
    api,
    { method: 'get', path: '/api/crm/catalog', summary: 'Pipelines with statuses, users, task types, custom fields by entity with their types and options, and lead tags, for the trigger editor (administrators)', tag: 'crm-data', auth: 'widget', response: CrmCatalog },
    async ({ auth }) => crmCatalog(await crmFor(auth.accountId), auth),
  );
  route(
    api,
    { method: 'get', path: '/api/entities/:type/search', summary: 'Leads, contacts or companies the user may see, by name (or id), for the entity picker', tag: 'crm-data', auth: 'widget', params: EntitySearchParams, query: EntitySearchQuery, response: z.array(EntitySearchHit) },
    async ({ auth, params, query }) => searchEntities(await crmFor(auth.accountId), auth, params.type, query.query, query.limit),
  );
}
