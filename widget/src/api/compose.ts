/**
 * The calls compose makes (mailboxes, recipients, variables, templates, triggers, trigger links,
 * preview, send). Types come from shared/schemas; type-only imports keep zod out of the bundle.
 */
import type { EntityType } from '../../../shared/schemas/common.js';
import type { EmailView, SendEmailRequest } from '../../../shared/schemas/email.js';
import type { MailboxView } from '../../../shared/schemas/mailbox.js';
import type { EntityRecipient } from '../../../shared/schemas/recipients.js';
import type { TemplateInput, TemplateView, TriggerPoints } from '../../../shared/schemas/template.js';
import type { TriggerLinkView } from '../../../shared/schemas/trigger-link.js';
import type { TriggerView } from '../../../shared/schemas/trigger.js';
import type { Transport } from '../host/transport.js';

export type { EntityRecipient, MailboxView, TemplateView, TriggerLinkView, TriggerPoints, TriggerView };

/** One entry of GET /api/template-variables (server/modules/templates/render/variables-catalog.ts). */
export interface TemplateVariable {
  key: string;
  label: string;
  example?: string;
  group: string;
}

export interface PreviewResult {
  subject: string;
  html: string;
  text: string;
}

/** What the form sends: the request body without the fields zod fills with defaults. */
export type SendBody = Omit<SendEmailRequest, 'contactIds' | 'to' | 'cc' | 'bcc'> & { contactIds: number[]; to: string[]; cc: string[]; bcc: string[] };
export type NewTemplate = Pick<TemplateInput, 'name' | 'subject' | 'html' | 'triggers' | 'disableSignature'>;

/** JSON when there are no files; otherwise multipart "json" + "files" with upload progress. */
function body(json: unknown, files: File[], onProgress?: (f: number) => void) {
  if (files.length === 0) return { json };
  const form = new FormData();
  form.append('json', JSON.stringify(json));
  for (const f of files) form.append('files', f, f.name);
  return { form, ...(onProgress ? { onProgress } : {}) };
}

export const composeApi = (request: Transport) => ({
  mailboxes: () => request<MailboxView[]>('GET', '/api/mailboxes'),
  recipients: (type: EntityType, id: number) => request<EntityRecipient[]>('GET', `/api/entities/${type}/${id}/recipients`),
  variables: () => request<TemplateVariable[]>('GET', '/api/template-variables'),
  templates: () => request<TemplateView[]>('GET', '/api/templates'),
  triggers: () => request<TriggerView[]>('GET', '/api/triggers'),
  triggerLinks: () => request<TriggerLinkView[]>('GET', '/api/trigger-links'),
  preview: (req: { entityType: EntityType; entityId: number; subject: string; html: string; disableSignature?: boolean }) =>
    request<PreviewResult>('POST', '/api/preview', { json: req }),
  send: (req: SendBody, files: File[], onProgress?: (f: number) => void) => request<EmailView>('POST', '/api/emails', body(req, files, onProgress)),
  saveTemplate: (t: NewTemplate, files: File[]) => request<TemplateView>('POST', '/api/templates', body(t, files)),
});

export type ComposeApi = ReturnType<typeof composeApi>;
