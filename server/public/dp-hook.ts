/**
 * `POST /hooks/kommo/dp`, the digital-pipeline webhook Kommo calls (kommo-reference.md). Kommo
 * signs nothing, so before anything is stored the payload must carry the signed token of a
 * pipeline action of the account it names (PipelineService.authorize); only then does the
 * account's own budget apply, so a forger cannot spend another account's budget.
 * Order: address throttle → 16 kB body → token → account throttle → record the event.
 */
import express, { type RequestHandler } from 'express';
import { z } from 'zod';
import { route, zodToAppError, type Api } from '../http/route.js';
import { DpPayload, toDpEvent, type DpEventInput } from '../modules/pipeline/dp-payload.js';
import type { ActionTokenClaims } from '../modules/pipeline/action-token.js';
import type { PipelineService } from '../modules/pipeline/pipeline.service.js';

export const DP_HOOK_PATH = '/hooks/kommo/dp';

/** Kommo's payload is well under 2 kB; 16 kB leaves room for every optional field it may add. */
export const DP_BODY_LIMIT = '16kb';

const DpReceipt = z.object({ eventId: z.string().nullable(), duplicate: z.boolean(), outcome: z.string().nullable(), runAt: z.string().nullable() });

interface Authorized {
  event: DpEventInput;
  claims: ActionTokenClaims;
}

export function registerDpHook(api: Api, pipeline: PipelineService, throttles: { perAddress: RequestHandler; perAccount: RequestHandler }): void {
  const authorize: RequestHandler = (req, res, next) => {
    try {
      const parsed = DpPayload.safeParse(req.body ?? {});
      if (!parsed.success) throw zodToAppError(parsed.error, 'body');
      const event = toDpEvent(parsed.data);
      res.locals.dp = { event, claims: pipeline.authorize(event) } satisfies Authorized;
      next();
    } catch (err) {
      next(err);
    }
  };
  route(
    api,
    {
      method: 'post',
      path: DP_HOOK_PATH,
      summary:
        'Kommo digital pipeline widget action (JSON or form-encoded, at most 16 kB). Acts only on the signed token of a pipeline action of that account ' +
        '(`action.settings.widget.settings.action`); the action’s stored template, delay and filter are used, any other setting is ignored',
      tag: 'pipeline',
      auth: 'public',
      body: DpPayload,
      middleware: [
        throttles.perAddress,
        express.json({ limit: DP_BODY_LIMIT }),
        // Kommo may deliver `event[data][id]=…` form-encoded.
        express.urlencoded({ extended: true, limit: DP_BODY_LIMIT, parameterLimit: 200 }),
        authorize,
        throttles.perAccount,
      ],
      response: DpReceipt,
    },
    ({ res }) => {
      const dp = res.locals.dp as Authorized;
      return pipeline.receive(dp.event, dp.claims);
    },
  );
}
