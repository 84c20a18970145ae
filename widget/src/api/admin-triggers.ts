/** The triggers page's calls: the account's triggers (administrators change them) and what their pickers offer. */
import type { z } from 'zod';
import type { CatalogField, CrmCatalog } from '../../../shared/schemas/crm-catalog.js';
import type { MailboxView } from '../../../shared/schemas/mailbox.js';
import type { TemplateView } from '../../../shared/schemas/template.js';
import type { TriggerAction, TriggerInput, TriggerView } from '../../../shared/schemas/trigger.js';
import type { Transport } from '../host/transport.js';

export type { CatalogField, CrmCatalog, MailboxView, TemplateView, TriggerAction, TriggerView };
export type TriggerBody = z.input<typeof TriggerInput>;

const enc = encodeURIComponent;

export const listTriggers = (rq: Transport) => rq<TriggerView[]>('GET', '/api/triggers');
export const createTrigger = (rq: Transport, body: TriggerBody) => rq<TriggerView>('POST', '/api/triggers', { json: body });
export const updateTrigger = (rq: Transport, id: string, body: TriggerBody) => rq<TriggerView>('PUT', `/api/triggers/${enc(id)}`, { json: body });
export const deleteTrigger = (rq: Transport, id: string) => rq<void>('DELETE', `/api/triggers/${enc(id)}`);

/** Pipelines, users, task types, fields and tags from the account's Kommo (administrators). */
export const crmCatalog = (rq: Transport) => rq<CrmCatalog>('GET', '/api/crm/catalog');
/** Every template an administrator can see (a trigger may send any of them). */
export const allTemplates = (rq: Transport) => rq<TemplateView[]>('GET', '/api/templates');
/** Every mailbox of the account (administrators): a send-email trigger may use any. */
export const allMailboxes = (rq: Transport) => rq<MailboxView[]>('GET', '/api/mailboxes', { query: { all: 'true' } });
