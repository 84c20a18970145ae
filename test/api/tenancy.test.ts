import { startWorld, type World } from '../support/world.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { mailboxPayload } from '../support/mailbox-payload.js';
import { createMailbox, createTemplate, sendEmail, waitForStatus } from '../support/send-helpers.js';
import type { TokenClaims } from '../support/widget-token.js';

let w: World;
let sink: SmtpSink;
let other: TokenClaims;
let otherAdmin: TokenClaims;
let mailboxId: string;
let templateId: string;
let emailId: string;

beforeAll(async () => {
  w = await startWorld();
  sink = await startSmtpSink();
  const { adminUserId } = w.kommo.sim.addAccount({ subdomain: 'beta', id: 2002 });
  const betaLead = w.kommo.sim.addLead('beta', { name: 'Beta lead' });
  other = { accountId: 2002, subdomain: 'beta', userId: adminUserId! };
  otherAdmin = { ...other, isAdmin: true };
  await w.server.services.db.query("INSERT INTO accounts (id, subdomain) VALUES (2002, 'beta') ON CONFLICT DO NOTHING");
  await w.server.services.tokens.store(2002, 'long_lived', { accessToken: w.kommo.sim.addAccessToken('beta'), refreshToken: null, expiresAt: null });
  void betaLead;

  mailboxId = await createMailbox(w, w.user, sink, { pacing: { messages: 100, seconds: 1 } });
  templateId = await createTemplate(w, w.user, { subject: 'Hi', html: '<p>x</p>', isPublic: true });
  emailId = await sendEmail(w, w.user, { mailboxId, templateId, to: ['a@client.example'] });
  await waitForStatus(w, w.user, emailId, 'sent');
});
afterAll(async () => {
  await sink.close();
  await w.stop();
});

describe('account isolation', () => {
  it.each([
    ['get', '/api/mailboxes/:mailboxId', () => `/api/mailboxes/${mailboxId}`],
    ['put', '/api/mailboxes/:mailboxId', () => `/api/mailboxes/${mailboxId}`],
    ['delete', '/api/mailboxes/:mailboxId', () => `/api/mailboxes/${mailboxId}`],
    ['post', '/api/mailboxes/:mailboxId/check', () => `/api/mailboxes/${mailboxId}/check`],
    ['get', '/api/templates/:templateId', () => `/api/templates/${templateId}`],
    ['put', '/api/templates/:templateId', () => `/api/templates/${templateId}`],
    ['delete', '/api/templates/:templateId', () => `/api/templates/${templateId}`],
    ['post', '/api/templates/:templateId/preview', () => `/api/templates/${templateId}/preview`],
    ['get', '/api/emails/:emailId', () => `/api/emails/${emailId}`],
    ['post', '/api/emails/:emailId/cancel', () => `/api/emails/${emailId}/cancel`],
  ] as const)('an admin of another account gets 404 for %s %s', async (method, _label, path) => {
    const body =
      method === 'put' && path().includes('mailboxes')
        ? mailboxPayload(sink)
        : method === 'put'
          ? { name: 'stolen', subject: 's', html: 'h' }
          : method === 'post' && path().includes('preview')
            ? { entityType: 'leads', entityId: w.crm.leadId }
            : undefined;
    const req = w.api(otherAdmin)[method](path());
    const res = body ? await req.send(body) : await req;
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  it('cannot send with another account’s mailbox or template', async () => {
    const viaMailbox = await w.api(otherAdmin).post('/api/emails').send({ entityType: 'leads', entityId: 1, mailboxId, subject: 's', html: 'h', to: ['x@y.example'] });
    expect(viaMailbox.status).toBe(404);
    const own = await createMailbox(w, otherAdmin, sink);
    const viaTemplate = await w.api(otherAdmin).post('/api/emails').send({ entityType: 'leads', entityId: 1, mailboxId: own, templateId, to: ['x@y.example'] });
    expect(viaTemplate.status).toBe(404);
  });

  it('lists nothing of the other account, and the other account’s data stays intact', async () => {
    expect((await w.api(otherAdmin).get('/api/mailboxes?all=true')).body.map((m: { id: string }) => m.id)).not.toContain(mailboxId);
    expect((await w.api(otherAdmin).get('/api/templates')).body.map((t: { id: string }) => t.id)).not.toContain(templateId);
    expect((await w.api(otherAdmin).get(`/api/emails?entityType=leads&entityId=${w.crm.leadId}`)).body).toEqual([]);
    expect((await w.api(w.user).get(`/api/mailboxes/${mailboxId}`)).status).toBe(200);
    expect((await w.api(w.user).get(`/api/templates/${templateId}`)).status).toBe(200);
    void other;
  });
});
