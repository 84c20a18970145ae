/**
 * The history page's calls: the account's (or the user's) mails filtered and paged, one mail with
 * its events, cancel and resend, and the mailboxes and templates its filters offer. Types from
 * shared/schemas (type-only: zod stays out of the bundle; the server validates every query).
 */
import type { z } from 'zod';
import type { EmailListItem, EmailSearchQuery, EmailSearchView, EmailView } from '../../../shared/schemas/email.js';
import type { MailboxView } from '../../../shared/schemas/mailbox.js';
import type { TemplateView } from '../../../shared/schemas/template.js';
import type { Transport } from '../host/transport.js';

export type { EmailListItem, EmailSearchView, EmailView, MailboxView, TemplateView };
/** What the page asks: every filter optional, as the query string carries it. */
export type SearchFilters = Partial<Omit<z.input<typeof EmailSearchQuery>, 'page' | 'limit'>> & { page?: number; limit?: number };

const enc = encodeURIComponent;

export const searchEmails = (rq: Transport, q: SearchFilters) => rq<EmailSearchView>('GET', '/api/emails/search', { query: q });
export const emailById = (rq: Transport, id: string) => rq<EmailView>('GET', `/api/emails/${enc(id)}`);
export const cancelEmail = (rq: Transport, id: string) => rq<EmailView>('POST', `/api/emails/${enc(id)}/cancel`);
/** An administrator's filter offers every mailbox of the account; a user's, their own and the global one. */
export const filterMailboxes = (rq: Transport, all: boolean) => rq<MailboxView[]>('GET', '/api/mailboxes', { query: all ? { all: 'true' } : undefined });
export const filterTemplates = (rq: Transport) => rq<TemplateView[]>('GET', '/api/templates');
