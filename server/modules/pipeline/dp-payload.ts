/**
 * Kommo's digital-pipeline widget action (kommo-reference.md "Webhooks and the digital
 * pipeline"). The same document arrives as JSON or form-encoded (`event[data][id]=…`); the
 * form parser (qs, extended) turns the brackets into the same nesting with string leaves, so one
 * schema with number coercion reads both.
 *
 * Kommo signs nothing here, so nothing in the payload decides what is sent: the only setting
 * read is `action` (manifest.json `dp.settings`), the token of a pipeline action the backend
 * issued (action-token.ts). Any other setting a caller adds (`template`, `delay`, `filter`…) is
 * ignored; the action's stored settings are used instead.
 */
import { z } from 'zod';

const Num = z.coerce.number().int().nonnegative();
const Id = z.coerce.number().int().positive();
const TOKEN_REQUIRED = 'is required: the token of a leadmail pipeline action (set by the widget in the action’s settings)';

export const DpPayload = z.object({
  account_id: Id,
  subdomain: z.string().trim().regex(/^[a-z0-9][a-z0-9-]*$/i, 'must be a Kommo subdomain'),
  event: z.object({
    type: Num.optional(),
    type_code: z.string().max(100).optional(),
    data: z.object({
      id: Id,
      element_type: Num.optional(),
      status_id: Id,
      pipeline_id: Id.optional(),
    }),
    // Kept for the record only: the caller chooses it freely, so it decides nothing.
    time: Num,
  }),
  action: z.object({
    settings: z.object({
      widget: z.object({
        settings: z.looseObject({
          action: z.string({ error: TOKEN_REQUIRED }).trim().min(1, TOKEN_REQUIRED).max(200, 'is not a leadmail pipeline action token'),
        }),
      }),
    }),
  }),
});
export type DpPayload = z.infer<typeof DpPayload>;

export interface DpEventInput {
  accountId: number;
  subdomain: string;
  leadId: number;
  statusId: number;
  pipelineId: number | null;
  eventTime: number;
  typeCode: string | null;
  /** The signed pipeline-action token from `action.settings.widget.settings.action`. */
  token: string;
}

const TYPE_CODES: Record<number, string> = { 1: 'lead_added', 14: 'lead_status_changed', 15: 'lead_appeared_in_status' };

export function toDpEvent(p: DpPayload): DpEventInput {
  return {
    accountId: p.account_id,
    subdomain: p.subdomain.toLowerCase(),
    leadId: p.event.data.id,
    statusId: p.event.data.status_id,
    pipelineId: p.event.data.pipeline_id ?? null,
    eventTime: p.event.time,
    typeCode: p.event.type_code ?? (p.event.type !== undefined ? (TYPE_CODES[p.event.type] ?? String(p.event.type)) : null),
    token: p.action.settings.widget.settings.action,
  };
}
