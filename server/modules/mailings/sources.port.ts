/**
 * What the mailings module needs from templates and accounts, wired in container.ts (the owners'
 * functions behind it). A mailing keeps its own copy of nothing here: the template, its
 * attachments, trigger points and the senders' signatures are read when the mailing resolves.
 * The mailbox a mail goes from is delivery's choice (MailingDelivery.pickMailbox).
 */
import type { TriggerPoints } from '../../../shared/schemas/template.js';

/** The fields of a template a mailing sends (a structural subset of the templates module's row). */
export interface TemplateContent {
  id: string;
  subject: string;
  body_html: string;
  disable_signature: boolean;
  link_attachments: { url: string; filename?: string }[];
}

export interface MailingSources {
  /** templates: the account's template by id, whoever owns it (access was checked at accept); null when deleted. */
  findTemplate(accountId: number, templateId: string): Promise<TemplateContent | null>;
  /** templates: the ids of the files attached to a template, in their stored order. */
  templateAttachmentIds(templateId: string): Promise<string[]>;
  /** templates: a template's trigger points. */
  templateTriggerPoints(templateId: string): Promise<TriggerPoints>;
  /** templates: a user's signature HTML ('' when none). */
  signatureOf(accountId: number, userId: number): Promise<string>;
  /** templates (trigger points): every trigger named exists in the account, else a 400 naming the field. */
  assertTriggersExist(accountId: number, points: TriggerPoints): Promise<void>;
  /** accounts: the account's global mailbox, which every send uses when set. */
  globalMailboxId(accountId: number): Promise<string | null>;
}
