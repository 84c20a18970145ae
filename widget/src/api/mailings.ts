/**
 * The list action's calls: templates, mailboxes, a preview for the first recipient, mailings
 * (create, progress, pause/resume/cancel, reminders) and trigger links. Types from shared/schemas
 * (type-only: zod stays out of the bundle; the server validates every request).
 */
import type { z } from 'zod';
import type { EntityType } from '../../../shared/schemas/common.js';
import type { MailboxView } from '../../../shared/schemas/mailbox.js';
import type { CreateMailingRequest, CreateReminderRequest, MailingAccepted, MailingView } from '../../../shared/schemas/mailing.js';
import type { PreviewResult, TemplateView } from '../../../shared/schemas/template.js';
import type { TriggerLinkView } from '../../../shared/schemas/trigger-link.js';
import type { Transport } from '../host/transport.js';

export type { MailboxView, MailingView, TemplateView, TriggerLinkView };
export type MailingRequest = z.input<typeof CreateMailingRequest>;
export type ReminderRequest = z.input<typeof CreateReminderRequest>;
export type Preview = z.infer<typeof PreviewResult>;
export type Accepted = z.infer<typeof MailingAccepted>;
export type MailingAction = 'pause' | 'resume' | 'cancel';

/** A custom field an address may be read from (recipients mode "field"), from the variable catalogue. */
export interface EmailFieldChoice {
  id: number;
  label: string;
}

const enc = encodeURIComponent;

export const templates = (rq: Transport) => rq<TemplateView[]>('GET', '/api/templates');
export const mailboxes = (rq: Transport) => rq<MailboxView[]>('GET', '/api/mailboxes');
export const mailbox = (rq: Transport, id: string) => rq<MailboxView>('GET', `/api/mailboxes/${enc(id)}`);
export const triggerLinks = (rq: Transport) => rq<TriggerLinkView[]>('GET', '/api/trigger-links');

export const previewTemplate = (rq: Transport, templateId: string, entityType: EntityType, entityId: number) =>
  rq<Preview>('POST', `/api/templates/${enc(templateId)}/preview`, { json: { entityType, entityId } });

export const createMailing = (rq: Transport, body: MailingRequest) => rq<Accepted>('POST', '/api/mailings', { json: body });
export const getMailing = (rq: Transport, id: string) => rq<MailingView>('GET', `/api/mailings/${enc(id)}`);
export const mailingAction = (rq: Transport, id: string, action: MailingAction) => rq<MailingView>('POST', `/api/mailings/${enc(id)}/${action}`);
export const createReminder = (rq: Transport, id: string, body: ReminderRequest) => rq<Accepted>('POST', `/api/mailings/${enc(id)}/reminder`, { json: body });

/**
 * Custom fields of contacts (and of the selected entities' own type) by id. The variable
 * catalogue names each as `contact.fields.[123]` with the label "Contact: Email 2 (field 123)".
 */
export async function emailFields(rq: Transport, entityType: EntityType): Promise<EmailFieldChoice[]> {
  const vars = await rq<{ key?: unknown; label?: unknown }[]>('GET', '/api/template-variables');
  const groups = new Set(['contact', entityType === 'companies' ? 'company' : entityType === 'leads' ? 'lead' : 'contact']);
  const out: EmailFieldChoice[] = [];
  const seen = new Set<number>();
  for (const v of vars) {
    const m = typeof v.key === 'string' ? /^(lead|contact|company)\.fields\.\[(\d+)\]$/.exec(v.key) : null;
    if (!m || !groups.has(m[1]!)) continue;
    const id = Number(m[2]);
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ id, label: typeof v.label === 'string' ? v.label : `#${id}` });
  }
  return out;
}
