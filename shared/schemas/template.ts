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

export const TemplateInput = z.object({
  name: z.string().trim().min(1, 'is required').max(200),
  subject: z.string().max(998, 'must be at most 998 characters (RFC 5322 line limit)'),
  html: body,
  isPublic: z.boolean().default(false),
  disableSignature: z.boolean().default(false),
  linkAttachments: z.array(LinkAttachment).max(20).default([]),
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
