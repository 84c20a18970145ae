import { z } from 'zod';

/**
 * Digital-pipeline actions (kommo-widget.md §3): what a widget action in a Kommo pipeline stage
 * does — send a template after a delay to a lead that passes a filter. The backend keeps these
 * settings and hands out a signed token; the widget's `dpSettings` writes the token into the
 * action's single `action` field, and Kommo's webhook carries only that token.
 */

/** The longest delay accepted: Kommo's own action timers stop at a month too. */
export const MAX_DP_DELAY_SECONDS = 31 * 24 * 3600;

const FilterText = z.string().trim().min(1, 'must not be empty').max(200);

/** Judged on the lead as read from Kommo when the delay is over (seed 004: "filter … by tag", by a field value). */
export const PipelineActionFilter = z
  .object({
    tag: FilterText.optional(),
    /** A lead field by id, name as shown in Kommo, or code. */
    field: FilterText.optional(),
    value: z.string().trim().max(200).optional(),
  })
  .strict()
  .refine((f) => !f.field || f.value !== undefined, { message: 'a field filter needs a value to compare with', path: ['value'] })
  .refine((f) => f.field || f.value === undefined, { message: 'a value needs a field to compare with', path: ['field'] });
export type PipelineActionFilter = z.infer<typeof PipelineActionFilter>;

export const PipelineActionInput = z
  .object({
    name: z.string().trim().min(1, 'is required').max(200),
    templateId: z.uuid({ message: 'must be a template id' }),
    delaySeconds: z
      .number()
      .int('must be a whole number of seconds')
      .min(0, 'must be at least 0')
      .max(MAX_DP_DELAY_SECONDS, 'must be at most 31 days')
      .default(0),
    filter: PipelineActionFilter.default({}),
    /** A switched-off action does nothing when Kommo calls; its token stays valid for when it is on again. */
    active: z.boolean().default(true),
  })
  .strict();
export type PipelineActionInput = z.infer<typeof PipelineActionInput>;

/** PATCH: any subset of the fields; the rest keep their values. */
export const PipelineActionPatch = z
  .object({
    name: z.string().trim().min(1, 'is required').max(200),
    templateId: z.uuid({ message: 'must be a template id' }),
    delaySeconds: z.number().int('must be a whole number of seconds').min(0, 'must be at least 0').max(MAX_DP_DELAY_SECONDS, 'must be at most 31 days'),
    filter: PipelineActionFilter,
    active: z.boolean(),
  })
  .partial()
  .strict();
export type PipelineActionPatch = z.infer<typeof PipelineActionPatch>;

export const PipelineActionView = z.object({
  id: z.string(),
  name: z.string(),
  /** Null when the template was deleted: the action then sends nothing until it is given another. */
  templateId: z.string().nullable(),
  templateName: z.string().nullable(),
  delaySeconds: z.number(),
  filter: z.object({ tag: z.string().optional(), field: z.string().optional(), value: z.string().optional() }),
  active: z.boolean(),
  /** What the widget writes into the Kommo action's `action` setting (`<id>.<account>.<signature>`). */
  token: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type PipelineActionView = z.infer<typeof PipelineActionView>;
