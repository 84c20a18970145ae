/**
 * The backend's API as typed calls. Types come from shared/schemas (type-only imports: zod itself
 * stays out of the bundle; the server validates every request).
 */
import type { AccountView } from '../../../shared/schemas/account.js';
import type { EntityType } from '../../../shared/schemas/common.js';
import type { EmailView, SendEmailRequest } from '../../../shared/schemas/email.js';
import type { Transport } from '../host/transport.js';

export type { AccountView, EmailView, SendEmailRequest };

export interface Api {
  account(): Promise<AccountView>;
  emailsOf(entityType: EntityType, entityId: number, limit?: number): Promise<EmailView[]>;
  email(id: string): Promise<EmailView>;
  cancelEmail(id: string): Promise<EmailView>;
  /**
   * The raw transport: each screen's typed calls live in its own api/<area>.ts (setup, mailings,
   * pipeline, …) as functions taking it, so this file need not change for every new screen.
   */
  request: Transport;
}

export function createApi(request: Transport): Api {
  return {
    account: () => request<AccountView>('GET', '/api/account'),
    emailsOf: (entityType, entityId, limit = 20) => request<EmailView[]>('GET', '/api/emails', { query: { entityType, entityId, limit } }),
    email: (id) => request<EmailView>('GET', `/api/emails/${encodeURIComponent(id)}`),
    cancelEmail: (id) => request<EmailView>('POST', `/api/emails/${encodeURIComponent(id)}/cancel`),
    request,
  };
}
