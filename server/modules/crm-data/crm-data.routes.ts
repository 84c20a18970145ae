import { z } from 'zod';
import { CrmCatalog } from '../../../shared/schemas/crm-catalog.js';
import { EntityParams, EntityRecipient } from '../../../shared/schemas/recipients.js';
import type { CrmClient } from '../../infra/crm/crm-client.js';
import type { Api } from '../../http/route.js';
import { route } from '../../http/route.js';
import { crmCatalog } from './crm-catalog.js';
import { entityRecipients } from './entity-recipients.js';

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
}
