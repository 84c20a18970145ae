/**
 * The mailings page's calls: the paged list (the user's own, or the account's for an admin), a
 * mailing's recipients and stats, and the CSV export read as text through the Transport (it needs
 * the widget token, so a plain link could not download it). One mailing, its actions and
 * reminders come from api/mailings.ts, shared with the list action.
 */
import type { MailingListView, MailingStats, RecipientStatus, RecipientView } from '../../../shared/schemas/mailing.js';
import type { Transport } from '../host/transport.js';

export type { MailingListView, MailingStats, RecipientStatus, RecipientView };
export type MailingListItem = MailingListView['items'][number];

export interface RecipientsPage {
  page: number;
  limit: number;
  total: number;
  items: RecipientView[];
}

const enc = encodeURIComponent;

export const listMailings = (rq: Transport, page: number, limit: number) => rq<MailingListView>('GET', '/api/mailings', { query: { page, limit } });

export const recipients = (rq: Transport, id: string, q: { status?: RecipientStatus; page: number; limit: number }) =>
  rq<RecipientsPage>('GET', `/api/mailings/${enc(id)}/recipients`, { query: q });

export const mailingStats = (rq: Transport, id: string) => rq<MailingStats>('GET', `/api/mailings/${enc(id)}/stats`);

export const recipientsCsv = (rq: Transport, id: string) => rq<string>('GET', `/api/mailings/${enc(id)}/recipients.csv`, { text: true });
