/**
 * The calls of the advanced settings' mailboxes page (types from shared/schemas, type-only: zod
 * stays out of the bundle; the server validates every request).
 */
import type { CheckResult, MailboxView } from '../../../shared/schemas/mailbox.js';
import type { Transport } from '../host/transport.js';
import type { MailboxInput, MailboxPresetData } from './setup.js';

export type { CheckResult, MailboxInput, MailboxView };

/** A provider preset with the pace and daily cap this product recommends for it (sending-rules.md). */
export interface PresetWithLimits extends MailboxPresetData {
  pacing: { messages: number; seconds: number };
  dailyCap: number | null;
}

/** The body of a create or update: the form's fields plus what only this page sets. */
export type MailboxBody = MailboxInput;

const id = (s: string) => encodeURIComponent(s);

/** `all`: every user's mailboxes (administrators); otherwise mine and the account's global one. */
export const listMailboxes = (request: Transport, all: boolean) => request<MailboxView[]>('GET', '/api/mailboxes', { query: all ? { all: 'true' } : undefined });
export const presetsWithLimits = (request: Transport) => request<Record<string, PresetWithLimits>>('GET', '/api/mailbox-presets');
export const createMailbox = (request: Transport, body: MailboxBody) => request<MailboxView>('POST', '/api/mailboxes', { json: body });
/** Passwords left out keep the stored ones (while the server and login stay the same). */
export const updateMailbox = (request: Transport, mailboxId: string, body: MailboxBody) => request<MailboxView>('PUT', `/api/mailboxes/${id(mailboxId)}`, { json: body });
/** Its queued emails are cancelled; its history stays. */
export const removeMailbox = (request: Transport, mailboxId: string) => request<unknown>('DELETE', `/api/mailboxes/${id(mailboxId)}`);
export const checkMailbox = (request: Transport, mailboxId: string) => request<CheckResult>('POST', `/api/mailboxes/${id(mailboxId)}/check`);
/** Administrators: every mail of the account leaves from this mailbox; null stops it. */
export const setGlobalMailbox = (request: Transport, mailboxId: string | null) => request<unknown>('PUT', '/api/account/global-mailbox', { json: { mailboxId } });
