/** The user's signature and the account-wide limits (administrators change those). */
import type { AccountSettings } from '../../../shared/schemas/account.js';
import type { Transport } from '../host/transport.js';

export type { AccountSettings };

export const prefsApi = (request: Transport) => ({
  signature: () => request<{ html: string }>('GET', '/api/me/signature'),
  saveSignature: (html: string) => request<{ html: string }>('PUT', '/api/me/signature', { json: { html } }),
  settings: () => request<AccountSettings>('GET', '/api/account/settings'),
  /** `null`: what the user typed is not a number; the server says so at the field. */
  saveSettings: (body: { sameTemplatePerDay: number | null }) => request<AccountSettings>('PUT', '/api/account/settings', { json: body }),
});
