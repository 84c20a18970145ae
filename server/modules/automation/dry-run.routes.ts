import { IdParams } from '../../../shared/schemas/common.js';
import { DryRunRequest, DryRunResult } from '../../../shared/schemas/dry-run.js';
import type { Api } from '../../http/route.js';
import { route } from '../../http/route.js';
import type { DryRunService } from './dry-run.service.js';

export function registerDryRunRoutes(api: Api, svc: DryRunService): void {
  route(
    api,
    {
      method: 'post',
      path: '/api/templates/:id/dry-run',
      summary: 'What sending this template to an entity would set off (triggers, times, Kommo requests, further mails, caps) — sends and changes nothing',
      tag: 'templates',
      auth: 'widget',
      params: IdParams,
      body: DryRunRequest,
      response: DryRunResult,
    },
    ({ auth, params, body }) => svc.run(auth, params.id, body),
  );
}
