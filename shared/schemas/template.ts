import { z } from 'zod';
import { EntityType } from './common.js';

/** Kommo caps the body at 8 MB (seed 004); we count UTF-8 bytes, not characters. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;
export const MAX_TEMPLATE_ATTACHMENTS_BYTES = 50 * 1024 * 1024;
export const MAX_EMAIL_ATTACHMENTS_BYTES = 100 * 1024 * 1024;

const body = z.string().refine((s) => Buffer.byteLength(s, 'utf8') <= MAX_BODY_BYTES, 'must be at most 8 MB');

export const LinkAttachment = z.object({
  url: z.url({ protocol: /^https?$/, message: 'must be an http or https URL' }).max(2048),
  filename: z.string().trim().min(1).max(255).optional(),
});

/** What happens after a mail is sent, opened, not opened within N, or fails (seed 004). */
export const TriggerPoints = z.object({
  sent: z.array(z.uuid({ message: 'must be a trigger id' })).max(20).default([]),
  opened: z.array(z.uuid({ message: 'must be a trigger id' })).max(20).default([]),
  notOpened: z
    .object({
      /** From 1 minute to any period (seed 004). */
      afterSeconds: z.number().int().min(60, 'must be at least 60 seconds (1 minute)'),
      triggerIds: z.array(z.uuid({ message: 'must be a trigger id' })).min(1, 'must name at least one trigger').max(20),
    })
    .nullable()
    .default(null),
  failed: z.array(z.uuid({ message: 'must be a trigger id' })).max(20).default([]),
});
export type TriggerPoints = z.infer<typeof TriggerPoints>;
export const NO_TRIGGERS: TriggerPoints = { sent: [], opened: [], notOpened: null, failed: [] };

export const TemplateInput = z.object({
  name: z.string().trim().min(1, 'is required').max(200),
  subject: z.string().max(998, 'must be at most 998 characters (RFC 5322 line limit)'),
  html: body,
  isPublic: z.boolean().default(false),
  disableSignature: z.boolean().default(false),
  linkAttachments: z.array(LinkAttachment).max(20).default([]),
  triggers: TriggerPoints.default(NO_TRIGGERS),
  /**
   * How many times automation may send this template to one lead, contact or company, ever.
   * Required to save triggers that send the template again (a loop); null = no such loop allowed.
   */
  repeatLimit: z.number().int('must be a whole number').min(1, 'must be at least 1').max(1000, 'must be at most 1000').nullable().default(null),
  /** Admins may give a template to another user. */
  ownerUserId: z.number().int().positive().optional(),
});
export type TemplateInput = z.infer<typeof TemplateInput>;

export const TemplateView = z.object({
  id: z.string(),
  name: z.string(),
  subject: z.string(),
  html: z.string(),
  isPublic: z.boolean(),
  disableSignature: z.boolean(),
  ownerUserId: z.number(),
  linkAttachments: z.array(LinkAttachment),
  triggers: TriggerPoints,
  repeatLimit: z.number().nullable(),
  attachments: z.array(z.object({ id: z.string(), filename: z.string(), size: z.number(), contentType: z.string() })),
  canEdit: z.boolean(),
  updatedAt: z.string(),
});
export type TemplateView = z.infer<typeof TemplateView>;

export const PreviewRequest = z
  .object({
    entityType: EntityType.default('leads'),
    entityId: z.number().int().positive(),
    /** Preview unsaved edits: subject/html given here win over the stored template. */
    subject: z.string().max(998).optional(),
    html: body.optional(),
    disableSignature: z.boolean().optional(),
  });

export const PreviewResult = z.object({ subject: z.string(), html: z.string(), text: z.string() });

export const SignatureInput = z.object({ html: body });

/** The templates page's list: one page of names, owners and flags (no bodies), filtered by a search. */
export const TemplateListQuery = z.object({
  /** Part of the name or the subject, any case. */
  q: z.string().trim().max(200).optional(),
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type TemplateListQuery = z.infer<typeof TemplateListQuery>;
export const TemplateListItem = TemplateView.pick({ id: true, name: true, subject: true, isPublic: true, ownerUserId: true, canEdit: true, updatedAt: true });
export type TemplateListItem = z.infer<typeof TemplateListItem>;
export const TemplateListView = z.object({ page: z.number(), limit: z.number(), total: z.number(), items: z.array(TemplateListItem) });
export type TemplateListView = z.infer<typeof TemplateListView>;
