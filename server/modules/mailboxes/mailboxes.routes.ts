import { z } from 'zod';
import { CheckResult, MailboxCreate, MailboxUpdate, MailboxView, MAILBOX_PRESETS } from '../../../shared/schemas/mailbox.js';
import { IdParams } from '../../../shared/schemas/common.js';
import type { Api } from '../../http/route.js';
import { route } from '../../http/route.js';
import type { MailboxesService } from './mailboxes.service.js';
import type { MailboxChecker } from './mailbox-check.js';

export function registerMailboxRoutes(api: Api, svc: MailboxesService, checker: MailboxChecker): void {
  const tag = 'mailboxes';
  route(api, { method: 'get', path: '/api/mailbox-presets', summary: 'Provider presets (servers, pacing, daily cap)', tag, auth: 'widget', response: z.record(z.string(), z.unknown()) }, () => MAILBOX_PRESETS);
  route(
    api,
    { method: 'get', path: '/api/mailboxes', summary: 'My mailboxes and the global one (all=true: every mailbox, admins)', tag, auth: 'widget', query: z.object({ all: z.enum(['true', 'false']).optional() }), response: z.array(MailboxView) },
    ({ auth, query }) => svc.list(auth, query.all === 'true'),
  );
  route(api, { method: 'post', path: '/api/mailboxes', summary: 'Connect a mailbox', tag, auth: 'widget', body: MailboxCreate, response: MailboxView, successStatus: 201 }, ({ auth, body }) =>
    svc.create(auth, body),
  );
  route(api, { method: 'get', path: '/api/mailboxes/:id', summary: 'One mailbox', tag, auth: 'widget', params: IdParams, response: MailboxView }, ({ auth, params }) =>
    svc.get(auth, params.id),
  );
  route(
    api,
    { method: 'put', path: '/api/mailboxes/:id', summary: 'Change a mailbox (omit passwords to keep them)', tag, auth: 'widget', params: IdParams, body: MailboxUpdate, response: MailboxView },
    async ({ auth, params, body }) => {
      const view = await svc.update(auth, params.id, body);
      // New settings may fix what paused the queue: check again, which resumes it when it works.
      if (view.paused) return checker.check(auth, params.id).then(() => svc.get(auth, params.id));
      return view;
    },
  );
  route(api, { method: 'delete', path: '/api/mailboxes/:id', summary: 'Remove a mailbox (its queued emails are cancelled)', tag, auth: 'widget', params: IdParams }, async ({ auth, params }) => {
    await svc.remove(auth, params.id);
  });
  route(
    api,
    { method: 'post', path: '/api/mailboxes/:id/check', summary: 'Test SMTP and IMAP: green, grey or red with the server’s words', tag, auth: 'widget', params: IdParams, response: CheckResult },
    ({ auth, params }) => checker.check(auth, params.id),
  );
  route(
    api,
    { method: 'put', path: '/api/account/global-mailbox', summary: 'Admin: force one mailbox for everyone (null to stop)', tag, auth: 'widget', body: z.object({ mailboxId: z.uuid().nullable() }) },
    async ({ auth, body }) => {
      await svc.setGlobal(auth, body.mailboxId);
    },
  );
}
