import { z } from 'zod';

/** Account-wide automation settings, changed by a Kommo admin. */
export const AccountSettings = z.object({
  /** How often one template may go to one lead, contact or company in 24 h by automation (default 3). */
  sameTemplatePerDay: z.number().int('must be a whole number').min(1, 'must be at least 1').max(1000, 'must be at most 1000'),
});
export type AccountSettings = z.infer<typeof AccountSettings>;

/** Whether the account's Kommo API access works (the widget's settings show it). */
export const KommoStatus = z.object({
  connected: z.boolean(),
  kind: z.string().nullable(),
  expiresAt: z.string().nullable(),
  /** Kommo refused the refresh token for good: calls needing Kommo answer 409 until reinstalled. */
  disconnectedAt: z.string().nullable(),
  disconnectedReason: z.string().nullable(),
});
export type KommoStatus = z.infer<typeof KommoStatus>;

/** Who is asking: the widget hides admin-only screens by it (the server refuses them anyway). */
export const MeView = z.object({ userId: z.number().int(), isAdmin: z.boolean() });
export type MeView = z.infer<typeof MeView>;

export const AccountView = z.object({ id: z.number().int(), subdomain: z.string(), kommo: KommoStatus, me: MeView });
export type AccountView = z.infer<typeof AccountView>;
