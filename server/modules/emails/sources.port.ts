/**
 * What the emails module needs from templates, triggers, accounts and automation, wired in
 * container.ts (the owners' functions behind it), so this module reads no other module's
 * repository or tables for them. The drain's send-time conditions are the other port
 * (send-conditions.ts).
 */
import type { Queryable } from '../../infra/db/db.js';
import type { EntityType } from '../../../shared/schemas/common.js';
import type { TriggerPoints } from '../../../shared/schemas/template.js';
import type { TriggerRunView } from '../../../shared/schemas/trigger.js';
import type { AttachmentFile } from './email-files.js';

/** The fields of a template a mail is composed from (a structural subset of the templates module's row). */
export interface SendTemplate {
  id: string;
  name: string;
  owner_user_id: number;
  subject: string;
  body_html: string;
  disable_signature: boolean;
  link_attachments: { url: string; filename?: string }[];
}

/** Whose sends the automation cap counts: one template to one entity. */
export interface CapSubject {
  accountId: number;
  templateId: string;
  entityType: EntityType;
  entityId: number;
}

export type CapVerdict = { ok: true } | { ok: false; rule: 'per_day' | 'repeat_limit'; reason: string };

export interface EmailSources {
  /** templates: the account's template by id, whoever owns it; null when deleted. */
  findTemplate(accountId: number, templateId: string): Promise<SendTemplate | null>;
  /** templates: the files stored with a template, in their stored order. */
  templateFiles(templateId: string): Promise<AttachmentFile[]>;
  /** templates: a template's trigger points. */
  templateTriggerPoints(templateId: string): Promise<TriggerPoints>;
  /** triggers: every trigger named exists in the account, else a 400 naming the field. */
  assertTriggersExist(accountId: number, points: TriggerPoints): Promise<void>;
  /** accounts: the account's global mailbox, which every send uses when set. */
  globalMailboxId(accountId: number): Promise<string | null>;
  /**
   * automation: whether one more automatic send of the template to the entity stays within the
   * template's caps. In the caller's transaction, which it serializes per subject.
   */
  checkSendCap(tx: Queryable, subject: CapSubject, templateName: string): Promise<CapVerdict>;
  /** triggers: the runs each email's trigger points caused, oldest first, for its history view. */
  triggerRunsOf(emailIds: string[]): Promise<Map<string, TriggerRunView[]>>;
}
