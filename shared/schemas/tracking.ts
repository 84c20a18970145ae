import { z } from 'zod';
import { fromDigits } from './strings.js';
import { EntityType } from './common.js';

/**
 * Honest tracking (sending-rules.md, "Tracking honesty"): every open and click is recorded and
 * classified, and only human ones fire "opened" / "link clicked". These views say why.
 */
export const HitKind = z.enum(['open', 'click', 'honeypot', 'web']);

/**
 * Why a hit was judged human or machine. `human` for people; the rest name the evidence:
 * a mail-privacy proxy, a scanner's agent, a burst over several links, the hidden honeypot link,
 * a click sooner after sending than a person could manage, … `gmail_proxy_open` is human: a
 * Gmail image-proxy fetch well after delivery is the reader opening the mail.
 */
export const HitReason = z.enum([
  'human',
  'gmail_proxy_open',
  'pending',
  'no_user_agent',
  'head_request',
  'gmail_image_proxy',
  'yahoo_mail_proxy',
  'apple_mpp_ip',
  'apple_mpp_agent',
  'scanner_agent',
  'bot_agent',
  'honeypot',
  'burst',
  'too_fast',
  'not_sent',
  'scanner_pair',
]);
export type HitReason = z.infer<typeof HitReason>;

/**
 * What the hit did to the automation: fired its trigger point, or why not. `capped`: a human
 * click on an every-time link beyond its hourly cap per link and entity.
 */
export const HitOutcome = z.enum(['pending', 'fired', 'no_triggers', 'already_fired', 'machine', 'link_deleted', 'capped']);
export type HitOutcome = z.infer<typeof HitOutcome>;

export const TrackingHitView = z.object({
  kind: HitKind,
  at: z.string(),
  /** null while a click waits out its settle window. */
  human: z.boolean().nullable(),
  reason: HitReason,
  /** The evidence in words, e.g. "gmail proxy, 4 min after delivery" (null when the reason says it all). */
  detail: z.string().nullable(),
  outcome: HitOutcome,
  linkId: z.number().nullable(),
  userAgent: z.string().nullable(),
});
export type TrackingHitView = z.infer<typeof TrackingHitView>;

export const EmailTracking = z.object({
  humanOpens: z.number(),
  machineOpens: z.number(),
  humanClicks: z.number(),
  machineClicks: z.number(),
  /** The first human open (a human click counts as one); what "opened" and "not opened" go by. */
  firstHumanOpenAt: z.string().nullable(),
  /** The latest hits, newest first (at most 100 per email). */
  hits: z.array(TrackingHitView),
});
export type EmailTracking = z.infer<typeof EmailTracking>;

export const EmailStatsQuery = z.object({
  templateId: z.uuid({ message: 'must be a template id' }).optional(),
  entityType: EntityType.optional(),
  entityId: fromDigits(z.number().int().positive()).optional(),
  since: z.iso.datetime({ offset: true, message: 'must be an ISO date-time' }).optional(),
  until: z.iso.datetime({ offset: true, message: 'must be an ISO date-time' }).optional(),
}).refine((q) => (q.entityId === undefined) === (q.entityType === undefined), { message: 'entityType and entityId go together', path: ['entityId'] });
export type EmailStatsQuery = z.infer<typeof EmailStatsQuery>;

export const EmailStats = z.object({
  emails: z.number(),
  sent: z.number(),
  /** Emails with at least one human open (or human click). */
  openedByHuman: z.number(),
  clickedByHuman: z.number(),
  humanOpens: z.number(),
  machineOpens: z.number(),
  humanClicks: z.number(),
  machineClicks: z.number(),
  /** Hits grouped by kind and verdict: how many machine opens were Apple, how many bursts… */
  reasons: z.array(z.object({ kind: HitKind, human: z.boolean().nullable(), reason: HitReason, count: z.number() })),
  links: z.array(z.object({ linkId: z.number(), name: z.string().nullable(), humanClicks: z.number(), machineClicks: z.number(), fired: z.number() })),
});
export type EmailStats = z.infer<typeof EmailStats>;
