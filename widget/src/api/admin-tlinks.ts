/**
 * Trigger links (seed 004, "Trigger links"): the account's links and the triggers they may fire.
 * Types come from shared/schemas; type-only imports keep zod out of the bundle.
 */
import type { TriggerLinkInput, TriggerLinkView } from '../../../shared/schemas/trigger-link.js';
import type { TriggerView } from '../../../shared/schemas/trigger.js';
import type { Transport } from '../host/transport.js';

export type { TriggerLinkInput, TriggerLinkView, TriggerView };

export const tlinksApi = (request: Transport) => ({
  list: () => request<TriggerLinkView[]>('GET', '/api/trigger-links'),
  triggers: () => request<TriggerView[]>('GET', '/api/triggers'),
  create: (body: TriggerLinkInput) => request<TriggerLinkView>('POST', '/api/trigger-links', { json: body }),
  update: (id: number, body: TriggerLinkInput) => request<TriggerLinkView>('PUT', `/api/trigger-links/${id}`, { json: body }),
  remove: (id: number) => request<void>('DELETE', `/api/trigger-links/${id}`),
});

export type TlinksApi = ReturnType<typeof tlinksApi>;
