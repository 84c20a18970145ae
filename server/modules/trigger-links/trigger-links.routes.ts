import { z } from 'zod';
import { TriggerLinkIdParams, TriggerLinkInput, TriggerLinkView } from '../../../shared/schemas/trigger-link.js';
import type { Api } from '../../http/route.js';
import { route } from '../../http/route.js';
import type { TriggerLinksService } from './trigger-links.service.js';

export function registerTriggerLinkRoutes(api: Api, svc: TriggerLinksService): void {
  const tag = 'trigger-links';
  route(api, { method: 'get', path: '/api/trigger-links', summary: 'Trigger links of the account, with the variable to paste into a link', tag, auth: 'widget', response: z.array(TriggerLinkView) }, ({ auth }) =>
    svc.list(auth),
  );
  route(
    api,
    { method: 'post', path: '/api/trigger-links', summary: 'Create a trigger link (administrators)', tag, auth: 'widget', body: TriggerLinkInput, response: TriggerLinkView, successStatus: 201 },
    ({ auth, body }) => svc.create(auth, body),
  );
  route(api, { method: 'get', path: '/api/trigger-links/:id', summary: 'One trigger link', tag, auth: 'widget', params: TriggerLinkIdParams, response: TriggerLinkView }, ({ auth, params }) =>
    svc.get(auth, params.id),
  );
  route(
    api,
    { method: 'put', path: '/api/trigger-links/:id', summary: 'Replace a trigger link’s settings (administrators)', tag, auth: 'widget', params: TriggerLinkIdParams, body: TriggerLinkInput, response: TriggerLinkView },
    ({ auth, params, body }) => svc.update(auth, params.id, body),
  );
  route(api, { method: 'delete', path: '/api/trigger-links/:id', summary: 'Delete a trigger link (administrators); mailed links then fire nothing', tag, auth: 'widget', params: TriggerLinkIdParams }, ({ auth, params }) =>
    svc.remove(auth, params.id),
  );
}
