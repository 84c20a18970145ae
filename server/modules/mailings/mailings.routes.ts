import { IdParams } from '../../../shared/schemas/common.js';
import {
  CreateMailingRequest,
  CreateReminderRequest,
  MailingAccepted,
  MailingListView,
  MailingStats,
  MailingsQuery,
  MailingView,
  RecipientsCsv,
  RecipientsPage,
  RecipientsQuery,
} from '../../../shared/schemas/mailing.js';
import type { Api } from '../../http/route.js';
import { route } from '../../http/route.js';
import type { MailingsService } from './mailings.service.js';

export function registerMailingRoutes(api: Api, svc: MailingsService): void {
  const tag = 'mailings';
  route(
    api,
    {
      method: 'post',
      path: '/api/mailings',
      summary: 'Send a template to up to 100,000 selected leads, contacts or companies; answers at once, recipients are resolved in the background',
      tag,
      auth: 'widget',
      body: CreateMailingRequest,
      response: MailingAccepted,
      successStatus: 202,
    },
    ({ auth, body }) => svc.create(auth, body),
  );
  route(
    api,
    {
      method: 'get',
      path: '/api/mailings',
      summary: 'Mailings with their counts, newest first, optionally of one status: your own, or every one of the account for an admin',
      tag,
      auth: 'widget',
      query: MailingsQuery,
      response: MailingListView,
    },
    ({ auth, query }) => svc.list(auth, query),
  );
  route(api, { method: 'get', path: '/api/mailings/:id', summary: 'A mailing: status, counts by recipient status, skips and failures by reason', tag, auth: 'widget', params: IdParams, response: MailingView }, ({ auth, params }) =>
    svc.get(auth, params.id),
  );
  route(
    api,
    { method: 'get', path: '/api/mailings/:id/stats', summary: 'Sent, failed, human and machine opens and clicks, unique openers and clickers: totals and per hour', tag, auth: 'widget', params: IdParams, response: MailingStats },
    ({ auth, params }) => svc.stats(auth, params.id),
  );
  route(
    api,
    { method: 'get', path: '/api/mailings/:id/recipients', summary: 'A page of recipients, optionally of one status', tag, auth: 'widget', params: IdParams, query: RecipientsQuery, response: RecipientsPage },
    ({ auth, params, query }) => svc.recipients(auth, params.id, query),
  );
  route(
    api,
    { method: 'get', path: '/api/mailings/:id/recipients.csv', summary: 'Every recipient as CSV', tag, auth: 'widget', params: IdParams, response: RecipientsCsv, responseContentType: 'text/csv' },
    async ({ auth, params, res }) => {
      const rows = svc.csv(auth, params.id);
      const first = await rows.next(); // a missing mailing answers 404 before any byte is sent
      res.status(200).type('text/csv').attachment(`mailing-${params.id}.csv`);
      if (!first.done) res.write(first.value);
      for await (const chunk of rows) res.write(chunk);
      res.end();
    },
  );
  for (const action of ['pause', 'resume', 'cancel'] as const) {
    route(api, { method: 'post', path: `/api/mailings/:id/${action}`, summary: `${action[0]!.toUpperCase()}${action.slice(1)} a mailing`, tag, auth: 'widget', params: IdParams, response: MailingView }, ({ auth, params }) =>
      svc[action](auth, params.id),
    );
  }
  route(
    api,
    {
      method: 'post',
      path: '/api/mailings/:id/reminder',
      summary: 'A follow-up mailing to the recipients who have not opened, not clicked, or not clicked a trigger link by its start time',
      tag,
      auth: 'widget',
      params: IdParams,
      body: CreateReminderRequest,
      response: MailingAccepted,
      successStatus: 202,
    },
    ({ auth, params, body }) => svc.remind(auth, params.id, body),
  );
}
