import express from 'express';
import { z } from 'zod';
import type { Api } from '../../http/route.js';
import { route } from '../../http/route.js';
import { DpPayload, toDpEvent } from './dp-payload.js';
import type { PipelineService } from './pipeline.service.js';

const DpReceipt = z.object({ eventId: z.string().nullable(), duplicate: z.boolean(), outcome: z.string().nullable(), runAt: z.string().nullable() });

export function registerPipelineRoutes(api: Api, svc: PipelineService): void {
  route(
    api,
    {
      method: 'post',
      path: '/hooks/kommo/dp',
      summary: 'Kommo digital pipeline widget action (JSON or form-encoded): recorded at once, the mail goes out from the queue',
      tag: 'pipeline',
      // Kommo signs nothing here: the job re-reads the lead with the account's own token instead.
      auth: 'public',
      body: DpPayload,
      // Kommo may deliver `event[data][id]=…` form-encoded; JSON is parsed by the app already.
      middleware: [express.urlencoded({ extended: true, limit: '100kb', parameterLimit: 200 })],
      response: DpReceipt,
    },
    ({ body }) => svc.receive(toDpEvent(body)),
  );
}
