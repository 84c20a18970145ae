import { z } from 'zod';

/** Account-wide automation settings, changed by a Kommo admin. */
export const AccountSettings = z.object({
  /** How often one template may go to one lead, contact or company in 24 h by automation (default 3). */
  sameTemplatePerDay: z.number().int('must be a whole number').min(1, 'must be at least 1').max(1000, 'must be at most 1000'),
});
export type AccountSettings = z.infer<typeof AccountSettings>;
