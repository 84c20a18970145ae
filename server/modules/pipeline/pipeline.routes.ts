/**
 * The pipeline-action API (administrators): create the action a Kommo pipeline stage runs, get
 * its signed token for the widget to write into the action's `action` setting, switch it off,
 * delete it. The hook Kommo calls (`POST /hooks/kommo/dp`) is public and mounted with its body
 * limit and throttling in server/public/dp-hook.ts.
 */
import { z } from 'zod';
import { IdParams } from '../../../shared/schemas/common.js';
import { PipelineActionInput, PipelineActionPatch, PipelineActionView } from '../../../shared/schemas/pipeline.js';
import type { Api } from '../../http/route.js';
import { route } from '../../http/route.js';
import type { PipelineActionsService } from './pipeline-actions.service.js';

export function registerPipelineActionRoutes(api: Api, svc: PipelineActionsService): void {
  const tag = 'pipeline';
  route(
    api,
    { method: 'get', path: '/api/pipeline-actions', summary: 'Digital pipeline actions of the account with their signed tokens (administrators)', tag, auth: 'widget', response: z.array(PipelineActionView) },
    ({ auth }) => svc.list(auth),
  );
  route(
    api,
    {
      method: 'post',
      path: '/api/pipeline-actions',
      summary: 'Create a digital pipeline action (template, delay, filter) and get the signed token the widget writes into Kommo (administrators)',
      tag,
      auth: 'widget',
      body: PipelineActionInput,
      response: PipelineActionView,
      successStatus: 201,
    },
    ({ auth, body }) => svc.create(auth, body),
  );
  route(api, { method: 'get', path: '/api/pipeline-actions/:id', summary: 'One digital pipeline action (administrators)', tag, auth: 'widget', params: IdParams, response: PipelineActionView }, ({ auth, params }) =>
    svc.get(auth, params.id),
  );
  route(
    api,
    {
      method: 'patch',
      path: '/api/pipeline-actions/:id',
      summary: 'Change a digital pipeline action or switch it off (administrators); its token stays the same',
      tag,
      auth: 'widget',
      params: IdParams,
      body: PipelineActionPatch,
      response: PipelineActionView,
    },
    ({ auth, params, body }) => svc.update(auth, params.id, body),
  );
  route(
    api,
    { method: 'delete', path: '/api/pipeline-actions/:id', summary: 'Delete a digital pipeline action (administrators); Kommo calls with its token then do nothing', tag, auth: 'widget', params: IdParams },
    ({ auth, params }) => svc.remove(auth, params.id),
  );
}
