import { z } from 'zod';
import { fromDigits } from './strings.js';

/**
 * Trigger links (seed 004, "Trigger links"): an account object pasted into a mail as
 * `{{triggerlink 8}}`; a click runs its triggers and redirects to the configured page.
 */
export const TriggerLinkInput = z.object({
  name: z.string().trim().min(1, 'is required').max(200),
  /** Fire once per entity (whichever of its contacts clicks first), or on every human click. */
  executeOnce: z.boolean().default(false),
  /** Where a click lands; null → the built-in "Thank you!" page (seed 004). */
  redirectUrl: z
    // Only the scheme is restricted: we never fetch this URL ourselves (no SSRF), the reader's
    // browser does, and an intranet page is a legitimate target.
    .url({ protocol: /^https?$/, message: 'must be an http or https URL' })
    .max(2048, 'must be at most 2048 characters')
    // Credentials in a redirect target would be handed to every clicker (and to link scanners).
    .refine((u) => !/^[a-z]+:\/\/[^/?#]*@/i.test(u), 'must not contain a user name or password')
    .nullable()
    .default(null),
  triggerIds: z.array(z.uuid({ message: 'must be a trigger id' })).max(20).default([]),
});
export type TriggerLinkInput = z.infer<typeof TriggerLinkInput>;

export const TriggerLinkView = z.object({
  id: z.number(),
  name: z.string(),
  executeOnce: z.boolean(),
  redirectUrl: z.string().nullable(),
  triggerIds: z.array(z.string()),
  /** What to paste into an href, e.g. `{{triggerlink 8}}`; not editable. */
  variable: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TriggerLinkView = z.infer<typeof TriggerLinkView>;

export const TriggerLinkIdParams = z.object({ id: fromDigits(z.number({ message: 'must be a trigger link id' }).int().positive({ message: 'must be a trigger link id' })) });

export const triggerLinkVariable = (id: number): string => `{{triggerlink ${id}}}`;
