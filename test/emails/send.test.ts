import supertest from 'supertest';
import type { World } from '../support/world.js';
import { startSmtpSink, SINK_FAILURES, type SmtpSink } from '../support/smtp-sink.js';
import { countByMessageId, imapUser } from '../support/imap-client.js';
import { eventually } from '../support/eventually.js';
import { createMailbox, createTemplate, sendEmail, waitForStatus } from '../support/send-helpers.js';
import { useWorldAndSink, MARIA_SMTP } from '../support/use-world.js';

let w: World;
let sink: SmtpSink;
let mailboxId: string;
const IMAP_USER = imapUser(1);

useWorldAndSink({ sink: { auth: MARIA_SMTP } }, (x) => ({ w, sink } = x));
beforeAll(async () => {
  // Pacing is not under test here: a fast mailbox keeps the file quick.
  mailboxId = await createMailbox(w, w.user, sink, { imapUser: IMAP_USER, pacing: { messages: 100, seconds: 1 } });
  await w.api(w.user).put('/api/me/signature').send({ html: '<p>-- <br>Maria Sales, Acme</p>' });
});

const OFFER = {
  subject: 'Offer for {{contact.first_name}}: {{lead.name}}',
  html: '<html><body><p>Hello {{contact.name}},</p><p>Budget {{lead.fields.[Budget]}} from {{company.name}}. Your manager: {{responsible.name}}.</p></body></html>',
};

const messageFor = (emailId: string) => sink.messages.find((m) => m.parsed.headers.get('x-leadmail-email-id') === emailId);

describe('preview', () => {
  it('renders a template with the lead’s real data and the signature', async () => {
    const tpl = await createTemplate(w, w.user, OFFER);
    const res = await w.api(w.user).post(`/api/templates/${tpl}/preview`).send({ entityType: 'leads', entityId: w.crm.leadId });
    expect(res.status).toBe(200);
    expect(res.body.subject).toBe('Offer for John: Big deal');
    expect(res.body.html).toContain('Hello John Smith,');
    expect(res.body.html).toContain('Budget 12000 from Globex. Your manager: Maria Sales.');
    expect(res.body.html).toContain('Maria Sales, Acme');
    expect(res.body.text).toContain('Hello John Smith');
  });

  it('reports a malformed template with line and column', async () => {
    const res = await w.api(w.user).post('/api/preview').send({ entityType: 'leads', entityId: w.crm.leadId, subject: 'Hi', html: '<p>ok</p>\n<p>{{#if lead.name}}open' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('TEMPLATE_SYNTAX');
    expect(res.body.error.details).toMatchObject({ part: 'html', line: expect.any(Number), column: expect.any(Number) });
  });

  it('refuses to save a malformed template, naming where', async () => {
    const res = await w.api(w.user).post('/api/templates').send({ name: 'Broken', subject: 'Hi {{contact.name', html: '<p>x</p>' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('TEMPLATE_SYNTAX');
    expect(res.body.error.details.part).toBe('subject');
  });
});

describe('sending one email', () => {
  it('delivers the rendered mail with our Message-ID and the open pixel, files it in Sent once, and shows it in history', async () => {
    const tpl = await createTemplate(w, w.user, OFFER);
    const id = await sendEmail(w, w.user, { mailboxId, templateId: tpl, contactIds: [w.crm.contactId], cc: ['boss@client.example'], bcc: ['archive@acme.example'] });
    const sent = await waitForStatus(w, w.user, id, 'sent');
    const msg = await eventually(() => {
      const m = messageFor(id);
      expect(m).toBeDefined();
      return m!;
    });
    expect(msg.parsed.subject).toBe('Offer for John: Big deal');
    expect(msg.parsed.html).toContain('Hello John Smith,');
    expect(msg.parsed.messageId).toBe(sent.messageId);
    expect(sent.messageId).toBe(`<${id}@127.0.0.1>`);
    expect(msg.parsed.html).toMatch(new RegExp(`/t/o/${id}\\.[A-Za-z0-9_-]{22}\\.gif`));
    expect(msg.envelope.rcptTo.sort()).toEqual(['archive@acme.example', 'boss@client.example', 'john@client.example']);
    expect(msg.parsed.headers.get('bcc')).toBeUndefined();
    expect(msg.parsed.from?.value[0]).toMatchObject({ name: 'Maria Sales', address: 'maria@acme.example' });
    expect(msg.parsed.replyTo?.value[0]?.address).toBe('replies@acme.example');

    await eventually(async () => expect(await countByMessageId(IMAP_USER, 'Sent', sent.messageId)).toBe(1), { timeoutMs: 10_000 });
    const history = await w.api(w.user).get(`/api/emails?entityType=leads&entityId=${w.crm.leadId}`);
    const item = history.body.find((e: { id: string }) => e.id === id);
    expect(item.status).toBe('sent');
    await eventually(async () => {
      const h = await w.api(w.user).get(`/api/emails/${id}`);
      expect(h.body.events.map((e: { type: string }) => e.type)).toEqual(['queued', 'sending', 'sent', 'saved_to_sent']);
      expect(h.body.sentFolder).toBe('Sent');
    });
  });

  it('does not append to Sent when the message is already there (provider filed it)', async () => {
    const id = await sendEmail(w, w.user, { mailboxId, subject: 'Twice?', html: '<p>once</p>', to: ['x@client.example'] });
    const sent = await waitForStatus(w, w.user, id, 'sent');
    await eventually(async () => expect(await countByMessageId(IMAP_USER, 'Sent', sent.messageId)).toBe(1), { timeoutMs: 10_000 });
    // Filing the same message again (e.g. a retry of the IMAP step) finds it and leaves one copy.
    const mb = await w.server.services.db.query('SELECT * FROM mailboxes WHERE id = $1', [mailboxId]);
    const { createImapStore } = await import('../../server/infra/imap/imapflow.store.js');
    const { imapSettingsOf } = await import('../../server/modules/mailboxes/mailbox-connection.js');
    const store = createImapStore(imapSettingsOf(mb.rows[0], w.server.services.box)!);
    const again = await store.appendToSent(messageFor(id)!.raw, sent.messageId);
    await store.close();
    expect(again.appended).toBe(false);
    expect(await countByMessageId(IMAP_USER, 'Sent', sent.messageId)).toBe(1);
  });

  it('records an open through the signed pixel, and always answers the pixel', async () => {
    const id = await sendEmail(w, w.user, { mailboxId, subject: 'Pixel', html: '<p>hi</p>', to: ['p@client.example'] });
    await waitForStatus(w, w.user, id, 'sent');
    const html = messageFor(id)!.parsed.html as string;
    const path = /\/t\/o\/[^"]+\.gif/.exec(html)![0];
    const res = await supertest(w.server.url).get(path);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/gif');
    const after = await w.api(w.user).get(`/api/emails/${id}`);
    expect(after.body.opens).toBe(1);
    expect(after.body.events.map((e: { type: string }) => e.type)).toContain('opened');

    const forged = await supertest(w.server.url).get(`/t/o/${id}.AAAAAAAAAAAAAAAAAAAAAA.gif`);
    expect(forged.status).toBe(200);
    expect(forged.headers['content-type']).toBe('image/gif');
    expect((await w.api(w.user).get(`/api/emails/${id}`)).body.opens).toBe(1);
  });

  it('retries a temporary (4xx) failure and then delivers', async () => {
    sink.failNext(1, SINK_FAILURES.tempFail);
    const id = await sendEmail(w, w.user, { mailboxId, subject: 'Retry me', html: '<p>r</p>', to: ['r@client.example'] });
    const sent = await waitForStatus(w, w.user, id, 'sent');
    expect(sent.attempts).toBe(2);
    const types = (sent.events ?? []).map((e: { type: string }) => e.type);
    expect(types).toContain('retry_scheduled');
    expect(sink.messages.filter((m) => m.parsed.headers.get('x-leadmail-email-id') === id)).toHaveLength(1);
  });

  it('fails at once on a permanent (5xx) reply, keeping the server’s words', async () => {
    sink.failNext(1, SINK_FAILURES.spam);
    const id = await sendEmail(w, w.user, { mailboxId, subject: 'Spammy', html: '<p>s</p>', to: ['s@client.example'] });
    const failed = await waitForStatus(w, w.user, id, 'failed');
    expect(failed.attempts).toBe(1);
    expect(failed.error?.code).toBe('554');
    expect(failed.error?.text).toMatch(/554 5\.7\.1 Message rejected under suspicion of SPAM/);
  });

  it('validates recipients, naming the field', async () => {
    const res = await w.api(w.user).post('/api/emails').send({ entityType: 'leads', entityId: w.crm.leadId, mailboxId, subject: 's', html: 'h', to: ['ok@client.example', 'not an address'] });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^body\.to\.1: /);
    const none = await w.api(w.user).post('/api/emails').send({ entityType: 'leads', entityId: w.crm.leadId, mailboxId, subject: 's', html: 'h' });
    expect(none.status).toBe(400);
    expect(none.body.error.message).toMatch(/^to: /);
  });

  it('uses only valid addresses from the CRM, and says so when a contact has none', async () => {
    const sim = w.kommo.sim;
    const bad = sim.addContact('acme', { name: 'Typo Person', email: ['n/a', 'a@x.example; b@y.example'] });
    const mixed = sim.addContact('acme', { name: 'Mixed Person', email: ['not an address', 'mixed@client.example'] });
    const lead = sim.addLead('acme', { name: 'Messy data', contacts: [{ id: bad.id, is_main: true }, mixed.id] });
    const none = await w.api(w.user).post('/api/emails').send({ entityType: 'leads', entityId: lead.id, mailboxId, subject: 's', html: 'h', contactIds: [bad.id] });
    expect(none.status).toBe(400);
    expect(none.body.error.message).toBe(`contactIds.0: contact ${bad.id} (Typo Person) has no valid email address`);
    const id = await sendEmail(w, w.user, { entityId: lead.id, mailboxId, subject: 's', html: 'h', contactIds: [mixed.id] });
    const sent = await waitForStatus(w, w.user, id, 'sent');
    expect(sent.to).toEqual(['mixed@client.example']);
  });

  it('cancels a queued email', async () => {
    // A paused mailbox keeps its mail queued, so there is time to cancel.
    await w.server.services.db.query("UPDATE mailboxes SET paused = true, paused_reason = 'test' WHERE id = $1", [mailboxId]);
    try {
      const id = await sendEmail(w, w.user, { mailboxId, subject: 'Cancel me', html: '<p>c</p>', to: ['c@client.example'] });
      const res = await w.api(w.user).post(`/api/emails/${id}/cancel`);
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('cancelled');
      expect((await w.api(w.user).post(`/api/emails/${id}/cancel`)).status).toBe(409);
    } finally {
      await w.server.services.db.query('UPDATE mailboxes SET paused = false, paused_reason = NULL WHERE id = $1', [mailboxId]);
    }
  });
});

describe('authentication failure while sending', () => {
  it('turns the mailbox red and pauses its queue; fixing the password resumes and delivers', async () => {
    const strict = await startSmtpSink({ auth: { user: 'maria', pass: 'new-password' } });
    try {
      const mb = await createMailbox(w, w.user, strict, { pacing: { messages: 100, seconds: 1 } });
      const a = await sendEmail(w, w.user, { mailboxId: mb, subject: 'A', html: '<p>a</p>', to: ['a@client.example'] });
      const b = await sendEmail(w, w.user, { mailboxId: mb, subject: 'B', html: '<p>b</p>', to: ['b@client.example'] });
      await eventually(async () => {
        const m = await w.api(w.user).get(`/api/mailboxes/${mb}`);
        expect(m.body.paused).toBe(true);
        expect(m.body.checkStatus).toBe('red');
        expect(m.body.check.smtp.serverText).toMatch(/535/);
      }, { timeoutMs: 10_000 });
      for (const id of [a, b]) expect((await w.api(w.user).get(`/api/emails/${id}`)).body.status).toBe('queued');
      expect(strict.messages).toHaveLength(0);

      const fixed = (await import('../support/mailbox-payload.js')).mailboxPayload(strict, { smtpPass: 'new-password', pacing: { messages: 100, seconds: 1 } });
      const put = await w.api(w.user).put(`/api/mailboxes/${mb}`).send(fixed);
      expect(put.status).toBe(200);
      expect(put.body.paused).toBe(false);
      await waitForStatus(w, w.user, a, 'sent');
      await waitForStatus(w, w.user, b, 'sent');
      expect(strict.messages).toHaveLength(2);
    } finally {
      await strict.close();
    }
  });
});
