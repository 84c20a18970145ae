import { z } from 'zod';
import { fromDigits } from './strings.js';
import { TriggerRunView } from './trigger.js';
import { EmailAddress, EntityType } from './common.js';
import { EmailTracking } from './tracking.js';
import { TriggerPoints } from './template.js';

export const EmailStatus = z.enum(['queued', 'sending', 'sent', 'failed', 'cancelled', 'unknown']);
export type EmailStatus = z.infer<typeof EmailStatus>;

export const SendEmailRequest = z
  .object({
    entityType: EntityType,
    entityId: z.number().int().positive(),
    /** Ignored when the account has a global mailbox: that one sends everything. */
    mailboxId: z.uuid({ message: 'must be a mailbox id' }).optional(),
    /** Contacts of the entity whose email addresses receive the mail. */
    contactIds: z.array(z.number().int().positive()).max(500).default([]),
    to: z.array(EmailAddress).max(500).default([]),
    cc: z.array(EmailAddress).max(100).default([]),
    bcc: z.array(EmailAddress).max(100).default([]),
    templateId: z.uuid({ message: 'must be a template id' }).optional(),
    /** Overrides the template's subject / body when given. */
    subject: z.string().max(998).optional(),
    html: z.string().optional(),
    disableSignature: z.boolean().optional(),
    /** This mail's own trigger points; omitted → the template's. */
    triggers: TriggerPoints.optional(),
  })
  .superRefine((v, ctx) => {
    if (!v.templateId && v.subject === undefined) ctx.addIssue({ code: 'custom', path: ['subject'], message: 'is required without a template' });
    if (!v.templateId && v.html === undefined) ctx.addIssue({ code: 'custom', path: ['html'], message: 'is required without a template' });
  });
export type SendEmailRequest = z.infer<typeof SendEmailRequest>;

export const EmailEventView = z.object({ type: z.string(), at: z.string(), data: z.record(z.string(), z.unknown()) });

export const EmailView = z.object({
  id: z.string(),
  status: EmailStatus,
  entityType: EntityType,
  entityId: z.number(),
  mailboxId: z.string(),
  templateId: z.string().nullable(),
  userId: z.number(),
  messageId: z.string(),
  to: z.array(z.string()),
  cc: z.array(z.string()),
  bcc: z.array(z.string()),
  subject: z.string(),
  attempts: z.number(),
  scheduledAt: z.string(),
  sentAt: z.string().nullable(),
  error: z.object({ code: z.string().nullable(), text: z.string().nullable() }).nullable(),
  sentFolder: z.string().nullable(),
  /** Every fetch of the pixel, people and machines alike; see `tracking` for the split. */
  opens: z.number(),
  firstOpenedAt: z.string().nullable(),
  /** Human and machine opens and clicks, and each hit's verdict: why "opened"/"clicked" did or did not fire. */
  tracking: EmailTracking,
  createdAt: z.string(),
  attachments: z.array(z.object({ id: z.string(), filename: z.string(), size: z.number(), contentType: z.string() })),
  events: z.array(EmailEventView).optional(),
  /** Trigger executions caused by this mail: what ran, when, and Kommo's answers. */
  triggerRuns: z.array(TriggerRunView),
});
export type EmailView = z.infer<typeof EmailView>;

export const EmailHistoryQuery = z.object({
  entityType: EntityType,
  entityId: fromDigits(z.number().int().positive()),
  limit: fromDigits(z.number().int().min(1).max(200)).default(50),
});

/** How deep GET /api/emails/search counts: past it `total` is this bound and `totalExact` false. */
export const EMAIL_SEARCH_COUNT_CAP = 10_000;

/**
 * The account's mails (an admin) or the caller's (a user: mails they sent or that left from their
 * own mailboxes), newest first; `since`/`until` bound the time the mail was created (until exclusive).
 * `single=true` leaves out a mailing's mails; `order=planned` sorts by the planned send time (the queue).
 */
export const EmailSearchQuery = z
  .object({
    status: EmailStatus.optional(),
    mailboxId: z.uuid({ message: 'must be a mailbox id' }).optional(),
    templateId: z.uuid({ message: 'must be a template id' }).optional(),
    since: z.iso.datetime({ offset: true, message: 'must be an ISO date-time' }).optional(),
    until: z.iso.datetime({ offset: true, message: 'must be an ISO date-time' }).optional(),
    single: z.enum(['true', 'false'], { message: 'must be true or false' }).optional(),
    order: z.enum(['newest', 'planned']).default('newest'),
    page: fromDigits(z.number().int().min(1).max(100_000)).default(1),
    limit: fromDigits(z.number().int().min(1).max(100)).default(25),
  })
  .superRefine((v, ctx) => {
    if (v.since && v.until && Date.parse(v.until) <= Date.parse(v.since)) ctx.addIssue({ code: 'custom', path: ['until'], message: 'must be later than the start of the range (since)' });
  });
export type EmailSearchQuery = z.infer<typeof EmailSearchQuery>;

/** One row of the history: enough to list and filter; the detail is GET /api/emails/:id. */
export const EmailListItem = z.object({
  id: z.string(),
  status: EmailStatus,
  entityType: EntityType,
  entityId: z.number(),
  userId: z.number(),
  mailboxId: z.string(),
  /** The mailbox's name, also once deleted. */
  mailboxName: z.string(),
  /** Its From address: two mailboxes may share a name. */
  mailboxAddress: z.string(),
  templateId: z.string().nullable(),
  /** null: no template, or the template was deleted. */
  templateName: z.string().nullable(),
  to: z.array(z.string()),
  cc: z.array(z.string()),
  subject: z.string(),
  /** Part of a mailing (sent from a list) rather than a single send. */
  fromMailing: z.boolean(),
  createdAt: z.string(),
  scheduledAt: z.string(),
  sentAt: z.string().nullable(),
  error: z.object({ code: z.string().nullable(), text: z.string().nullable() }).nullable(),
});
export type EmailListItem = z.infer<typeof EmailListItem>;

export const EmailSearchView = z.object({
  page: z.number(),
  limit: z.number(),
  /** Matching mails, counted up to EMAIL_SEARCH_COUNT_CAP (see totalExact). */
  total: z.number(),
  totalExact: z.boolean(),
  items: z.array(EmailListItem),
});
export type EmailSearchView = z.infer<typeof EmailSearchView>;
