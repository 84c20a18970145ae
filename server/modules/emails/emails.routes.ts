import { EmailHistoryQuery, EmailSearchQuery, EmailSearchView, EmailView, SendEmailRequest } from '../../../shared/schemas/email.js';
import { IdParams } from '../../../shared/schemas/common.js';
import { MAX_EMAIL_ATTACHMENTS_BYTES } from '../../../shared/schemas/template.js';
import { z } from 'zod';
import type { Api } from '../../http/route.js';
import { route } from '../../http/route.js';
import { filesOf, uploadFiles } from '../../http/uploads.js';
import type { EmailsService } from './emails.service.js';

export function registerEmailRoutes(api: Api, svc: EmailsService): void {
  const tag = 'emails';
  route(
    api,
    { method: 'post', path: '/api/emails', summary: 'Send an email from a lead, contact or company (JSON, or multipart with "json" + "files")', tag, auth: 'widget', body: SendEmailRequest, bodyType: 'multipart', middleware: [uploadFiles(MAX_EMAIL_ATTACHMENTS_BYTES)], response: EmailView, successStatus: 202 },
    ({ auth, body, req }) => svc.send(auth, body, filesOf(req)),
  );
  route(api, { method: 'get', path: '/api/emails', summary: 'History of an entity: emails with status, events and errors', tag, auth: 'widget', query: EmailHistoryQuery, response: z.array(EmailView) }, ({ auth, query }) =>
    svc.history(auth, query.entityType, query.entityId, query.limit),
  );
  // Before /api/emails/:id, whose id would otherwise refuse the word "search".
  route(
    api,
    { method: 'get', path: '/api/emails/search', summary: 'The account’s mails (an admin) or the caller’s, newest first, filtered and paged; the count stops at 10,000', tag, auth: 'widget', query: EmailSearchQuery, response: EmailSearchView },
    ({ auth, query }) => svc.search(auth, query),
  );
  route(api, { method: 'get', path: '/api/emails/:id', summary: 'One email with its events', tag, auth: 'widget', params: IdParams, response: EmailView }, ({ auth, params }) =>
    svc.get(auth, params.id),
  );
  route(api, { method: 'post', path: '/api/emails/:id/cancel', summary: 'Cancel a queued email', tag, auth: 'widget', params: IdParams, response: EmailView }, ({ auth, params }) =>
    svc.cancel(auth, params.id),
  );
  route(
    api,
    { method: 'post', path: '/api/emails/:id/resend', summary: 'Send a failed (or unknown) email again as a new email; 409 for any other status', tag, auth: 'widget', params: IdParams, response: EmailView, successStatus: 202 },
    ({ auth, params }) => svc.resend(auth, params.id),
  );
}
