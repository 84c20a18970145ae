/**
 * The calls of the card panel's mailbox quick set-up and of "Resend" (types from shared/schemas,
 * type-only: zod stays out of the bundle; the server validates every request).
 */
import type { z } from 'zod';
import type { CheckResult, MailboxCreate, MailboxView } from '../../../shared/schemas/mailbox.js';
import type { EmailView } from '../../../shared/schemas/email.js';
import type { Transport } from '../host/transport.js';

export type { CheckResult, MailboxView };
/** What the form sends: the schema's input (defaults may be left out). */
export type MailboxInput = z.input<typeof MailboxCreate>;

/** One entry of GET /api/mailbox-presets: the servers a provider's mailbox uses. */
export interface MailboxPresetData {
  label: string;
  smtp: { host: string; port: number; security: 'none' | 'starttls' | 'tls' };
  imap: { host: string; port: number; tls: boolean };
  saveToSent?: boolean;
}

const id = (s: string) => encodeURIComponent(s);

/** The caller's mailboxes and the account's global one (empty: nothing to send from). */
export const listMailboxes = (request: Transport) => request<MailboxView[]>('GET', '/api/mailboxes');
export const mailboxPresets = (request: Transport) => request<Record<string, MailboxPresetData>>('GET', '/api/mailbox-presets');
export const createMailbox = (request: Transport, body: MailboxInput) => request<MailboxView>('POST', '/api/mailboxes', { json: body });
/** The full settings again; a password left out keeps the stored one (while the server is the same). */
export const updateMailbox = (request: Transport, mailboxId: string, body: MailboxInput) => request<MailboxView>('PUT', `/api/mailboxes/${id(mailboxId)}`, { json: body });
export const checkMailbox = (request: Transport, mailboxId: string) => request<CheckResult>('POST', `/api/mailboxes/${id(mailboxId)}/check`);
/** A failed or unknown mail sent again as a new email; answers the new one. */
export const resendEmail = (request: Transport, emailId: string) => request<EmailView>('POST', `/api/emails/${id(emailId)}/resend`);
