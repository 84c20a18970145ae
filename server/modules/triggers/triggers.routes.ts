import { z } from 'zod';
import { IdParams } from '../../../shared/schemas/common.js';
import { TriggerInput, TriggerView } from '../../../shared/schemas/trigger.js';
import type { Api } from '../../http/route.js';
import { route } from '../../http/route.js';
import type { TriggersService } from './triggers.service.js';

export function registerTriggerRoutes(api: Api, svc: TriggersService): void {
  const tag = 'triggers';
  route(api, { method: 'get', path: '/api/triggers', summary: 'Triggers of the account (any user: the mail editor picks from them)', tag, auth: 'widget', response: z.array(TriggerView) }, ({ auth }) =>
    svc.list(auth),
  );
  route(
    api,
    { method: 'post', path: '/api/triggers', summary: 'Create a trigger (admin); parameters are checked against the account’s Kommo data', tag, auth: 'widget', body: TriggerInput, response: TriggerView, successStatus: 201 },
    ({ auth, body }) => svc.create(auth, body),
  );
  route(api, { method: 'get', path: '/api/triggers/:id', summary: 'One trigger', tag, auth: 'widget', params: IdParams, response: TriggerView }, ({ auth, params }) =>
    svc.get(auth, params.id),
  );
  route(
    api,
    { method: 'put', path: '/api/triggers/:id', summary: 'Change a trigger (admin)', tag, auth: 'widget', params: IdParams, body: TriggerInput, response: TriggerView },
    ({ auth, params, body }) => svc.update(auth, params.id, body),
  );
  route(api, { method: 'delete', path: '/api/triggers/:id', summary: 'Delete a trigger (admin) that no template or trigger link uses', tag, auth: 'widget', params: IdParams }, async ({ auth, params }) => {
    await svc.remove(auth, params.id);
  });
}
