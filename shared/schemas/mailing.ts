import { z } from 'zod';
import { EntityType } from './common.js';
import { TriggerPoints } from './template.js';

export const MAX_MAILING_IDS = 100_000;

export const MailingRecipientsRule = z
  .object({
    /** main: the entity's main contact (a company's own address first); all: every contact with an address; field: one email field. */
    mode: z.enum(['main', 'all', 'field']).default('main'),
    /** The custom field (EMAIL-type or text) to read the address from, with mode "field". */
    fieldId: z.number().int().positive().optional(),
    /** A contact in several selected leads gets one mail per lead (else one mail per address). */
    onePerEntity: z.boolean().default(false),
  })
  .superRefine((v, ctx) => {
    if (v.mode === 'field' && v.fieldId === undefined) ctx.addIssue({ code: 'custom', path: ['fieldId'], message: 'is required with mode "field"' });
  });

const content = {
  templateId: z.uuid({ message: 'must be a template id' }).optional(),
  /** Overrides the template's subject / body when given; checked as a template's at save (400 naming the field). */
  subject: z.string().max(998).optional(),
  html: z.string().max(8 * 1024 * 1024).optional(),
  disableSignature: z.boolean().optional(),
  /**
   * A mailbox id, or "responsible": each entity's responsible user's mailbox (an entity whose
   * responsible user has none is skipped, with the reason). The account's global mailbox always wins.
   */
  mailboxId: z.union([z.uuid({ message: 'must be a mailbox id or "responsible"' }), z.literal('responsible')]),
  /** No mail leaves before this time (ISO 8601). */
  startAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional(),
  /** Trigger points of every mail; omitted → the template's. */
  triggers: TriggerPoints.optional(),
};

const needsContent = (v: { templateId?: string; subject?: string; html?: string }, ctx: z.RefinementCtx) => {
  if (!v.templateId && v.subject === undefined) ctx.addIssue({ code: 'custom', path: ['subject'], message: 'is required without a template' });
  if (!v.templateId && v.html === undefined) ctx.addIssue({ code: 'custom', path: ['html'], message: 'is required without a template' });
};

export const CreateMailingRequest = z
  .object({
    entityType: EntityType,
    ids: z.array(z.number().int().positive()).min(1, 'select at least one entity').max(MAX_MAILING_IDS, `at most ${MAX_MAILING_IDS} entities per mailing`),
    recipients: MailingRecipientsRule.default({ mode: 'main', onePerEntity: false }),
    ...content,
  })
  .superRefine(needsContent);
export type CreateMailingRequest = z.infer<typeof CreateMailingRequest>;

/** A follow-up to the recipients of a mailing who have not responded, re-checked when it starts. */
export const CreateReminderRequest = z
  .object({
    /** not_opened: no human open; not_clicked: no human click; not_clicked_link: no human click on trigger link `linkId`. */
    condition: z.enum(['not_opened', 'not_clicked', 'not_clicked_link']),
    linkId: z.number().int().positive().optional(),
    ...content,
    mailboxId: content.mailboxId.optional(),
  })
  .superRefine((v, ctx) => {
    needsContent(v, ctx);
    if (v.condition === 'not_clicked_link' && v.linkId === undefined) ctx.addIssue({ code: 'custom', path: ['linkId'], message: 'is required with "not_clicked_link"' });
  });
export type CreateReminderRequest = z.infer<typeof CreateReminderRequest>;

export const MailingStatus = z.enum(['resolving', 'queued', 'sending', 'done', 'paused', 'cancelled', 'failed']);
export const RecipientStatus = z.enum(['skipped', 'pending', 'queued', 'sending', 'sent', 'failed', 'unknown', 'paused', 'cancelled']);
export type RecipientStatus = z.infer<typeof RecipientStatus>;

export const MailingAccepted = z.object({ id: z.string(), status: MailingStatus });

export const MailingView = z.object({
  id: z.string(),
  status: MailingStatus,
  statusReason: z.string().nullable(),
  entityType: EntityType,
  /** Entities selected, and how many of them are resolved into recipients so far. */
  selected: z.number(),
  resolved: z.number(),
  templateId: z.string().nullable(),
  mailboxId: z.string().nullable(),
  parentMailingId: z.string().nullable(),
  startAt: z.string().nullable(),
  createdAt: z.string(),
  /** Recipients by status (every status present, zero when none). */
  counts: z.record(RecipientStatus, z.number()),
  /** Mails sent per minute over the last 10 minutes. */
  ratePerMinute: z.number(),
  /** When the last queued mail is planned to leave (pacing and the daily cap included); null when none is queued. */
  eta: z.string().nullable(),
  /** Skips and failures grouped by reason, most frequent first. */
  reasons: z.array(z.object({ status: z.enum(['skipped', 'failed', 'unknown']), reason: z.string(), count: z.number() })),
});
export type MailingView = z.infer<typeof MailingView>;

export const MailingListItem = MailingView.omit({ reasons: true, ratePerMinute: true, eta: true });
export type MailingListItem = z.infer<typeof MailingListItem>;

/** A non-admin lists the mailings they created; an admin every mailing of the account. Newest first. */
export const MailingsQuery = z.object({
  status: MailingStatus.optional(),
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type MailingsQuery = z.infer<typeof MailingsQuery>;
export const MailingListView = z.object({ page: z.number(), limit: z.number(), total: z.number(), items: z.array(MailingListItem) });
export type MailingListView = z.infer<typeof MailingListView>;

export const RecipientsQuery = z.object({
  status: RecipientStatus.optional(),
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const RecipientView = z.object({
  entityType: EntityType,
  entityId: z.number(),
  contactId: z.number().nullable(),
  email: z.string().nullable(),
  status: RecipientStatus,
  reason: z.string().nullable(),
  emailId: z.string().nullable(),
  sentAt: z.string().nullable(),
});
export type RecipientView = z.infer<typeof RecipientView>;
/** The CSV export: a header line, then one line per recipient with the fields of RecipientView. */
export const RecipientsCsv = z.string().meta({
  description: 'text/csv (RFC 4180), CRLF line ends: entity_type,entity_id,contact_id,email,status,reason,email_id,sent_at',
  example: 'entity_type,entity_id,contact_id,email,status,reason,email_id,sent_at\r\nleads,101,201,ann@client.example,sent,,6f1c…,2026-11-30T10:00:00.000Z\r\n',
});
export const RecipientsPage = z.object({ page: z.number(), limit: z.number(), total: z.number(), items: z.array(RecipientView) });

const hourPoint = { sent: z.number(), failed: z.number(), humanOpens: z.number(), machineOpens: z.number(), humanClicks: z.number(), machineClicks: z.number() };
export const MailingStats = z.object({
  totals: z.object({ ...hourPoint, uniqueOpeners: z.number(), uniqueClickers: z.number() }),
  /** One point per hour that had any event (UTC hour start), every series present. */
  hourly: z.array(z.object({ hour: z.string(), ...hourPoint })),
});
export type MailingStats = z.infer<typeof MailingStats>;
