import os from 'node:os';
import dns from 'node:dns';
import type { World } from '../support/world.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import { eventually } from '../support/eventually.js';
import { createMailbox, createTemplate, sendEmail, waitForStatus } from '../support/send-helpers.js';
import { useWorldAndSink } from '../support/use-world.js';

let w: World;
let sink: SmtpSink;
let mailboxId: string;
useWorldAndSink({}, (x) => ({ w, sink } = x));
beforeAll(async () => {
  mailboxId = await createMailbox(w, w.user, sink, { pacing: { messages: 100, seconds: 1 } });
});

describe('template ownership', () => {
  it('users see their own and public templates; admins see and edit all', async () => {
    const mine = await createTemplate(w, w.user, { name: 'Mine', subject: 's', html: '<p>m</p>' });
    const shared = await createTemplate(w, w.user, { name: 'Shared', subject: 's', html: '<p>p</p>', isPublic: true });
    const others = (await w.api(w.otherUser).get('/api/templates')).body.map((t: { id: string }) => t.id);
    expect(others).toContain(shared);
    expect(others).not.toContain(mine);
    expect((await w.api(w.otherUser).get(`/api/templates/${mine}`)).status).toBe(404);

    // A public template is usable by others, not editable.
    const view = await w.api(w.otherUser).get(`/api/templates/${shared}`);
    expect(view.body.canEdit).toBe(false);
    const edit = await w.api(w.otherUser).put(`/api/templates/${shared}`).send({ name: 'Hijack', subject: 's', html: 'h', isPublic: true });
    expect(edit.status).toBe(403);

    const adminList = (await w.api(w.admin).get('/api/templates')).body.map((t: { id: string }) => t.id);
    expect(adminList).toEqual(expect.arrayContaining([mine, shared]));
    const adminEdit = await w.api(w.admin).put(`/api/templates/${mine}`).send({ name: 'Renamed by admin', subject: 's', html: '<p>m</p>', ownerUserId: w.crm.otherUserId });
    expect(adminEdit.status).toBe(200);
    expect(adminEdit.body.ownerUserId).toBe(w.crm.otherUserId);
    // Only an admin may hand a template over.
    const handover = await w.api(w.user).post('/api/templates').send({ name: 'x', subject: 's', html: 'h', ownerUserId: w.crm.otherUserId });
    expect(handover.status).toBe(403);
  });

  it('lets only an admin set a repeat limit (it allows a template to send itself again)', async () => {
    const res = await w.api(w.user).post('/api/templates').send({ name: 'Loopy', subject: 's', html: '<p>x</p>', repeatLimit: 1000 });
    expect(res.status).toBe(403);
    const ok = await w.api(w.admin).post('/api/templates').send({ name: 'Loopy', subject: 's', html: '<p>x</p>', repeatLimit: 2 });
    expect(ok.status).toBe(201);
    expect(ok.body.repeatLimit).toBe(2);
  });

  it('refuses an upload larger than the limit before reading it', async () => {
    const http = await import('node:http');
    const url = new URL(w.server.url);
    const { widgetToken } = await import('../support/widget-token.js');
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, path: '/api/templates', method: 'POST', headers: {
        'x-auth-token': widgetToken(w.user), 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(500 * 1024 * 1024) } }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.write('--x\r\n');
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).error.message).toMatch(/^files: the upload is 500\.0 MB; at most 50 MB/);
  });

  it('rejects a body over 8 MB, naming the field', async () => {
    const res = await w.api(w.user).post('/api/templates').send({ name: 'Huge', subject: 's', html: 'x'.repeat(8 * 1024 * 1024 + 1) });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^body\.html: must be at most 8 MB/);
  });
});

describe('attachments', () => {
  it('uploads files with a template and sends them with every email', async () => {
    const res = await w.api(w.user)
      .post('/api/templates')
      .field('json', JSON.stringify({ name: 'With files', subject: 'Files', html: '<p>see attached</p>' }))
      .attach('files', Buffer.from('%PDF-1.4 offer'), { filename: 'offer.pdf', contentType: 'application/pdf' });
    expect(res.status).toBe(201);
    expect(res.body.attachments).toEqual([expect.objectContaining({ filename: 'offer.pdf', size: 14, contentType: 'application/pdf' })]);

    const send = await w.api(w.user)
      .post('/api/emails')
      .field('json', JSON.stringify({ entityType: 'leads', entityId: w.crm.leadId, mailboxId, templateId: res.body.id, to: ['f@client.example'] }))
      .attach('files', Buffer.from('extra'), { filename: 'notes.txt', contentType: 'text/plain' });
    expect(send.status).toBe(202);
    await waitForStatus(w, w.user, send.body.id, 'sent');
    const msg = await eventually(() => {
      const m = sink.messages.find((x) => x.parsed.headers.get('x-leadmail-email-id') === send.body.id);
      expect(m).toBeDefined();
      return m!;
    });
    expect(msg.parsed.attachments.map((a) => a.filename).sort()).toEqual(['notes.txt', 'offer.pdf']);
    expect(msg.parsed.attachments.find((a) => a.filename === 'offer.pdf')!.content.toString()).toBe('%PDF-1.4 offer');
  });

  it.each([
    ['http://127.0.0.1/file.pdf', /loopback/i],
    ['http://169.254.169.254/latest/meta-data/', /link-local|metadata/i],
    ['http://10.1.2.3/file.pdf', /private/i],
    ['http://2130706433/file.pdf', /loopback/i],
    ['http://[::ffff:127.0.0.1]/file.pdf', /loopback/i],
    ['http://localhost:8080/file.pdf', /internal host/i],
    ['http://metadata.google.internal/computeMetadata/v1/', /internal host/i],
    ['ftp://files.example.com/file.pdf', /http/i],
  ])('refuses a link attachment to %s at save time', async (url, why) => {
    const res = await w.api(w.user).post('/api/templates').send({ name: 'Link', subject: 's', html: 'h', linkAttachments: [{ url }] });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^(body\.)?linkAttachments\.0\.url: /);
    expect(res.body.error.message).toMatch(why);
  });

  it('refuses at send time a link whose name resolves to a private address, and fails the email with why', async () => {
    // The machine's own host name resolves through /etc/hosts to a loopback or private address:
    // it passes the save-time shape check and must be caught after DNS resolution.
    const host = os.hostname();
    const [addr] = await dns.promises.lookup(host, { all: true });
    expect(addr).toBeDefined();
    const tpl = await createTemplate(w, w.user, { name: 'Linked', subject: 'Linked', html: '<p>l</p>', linkAttachments: [{ url: `http://${host}:9/file.pdf` }] });
    const id = await sendEmail(w, w.user, { mailboxId, templateId: tpl, to: ['l@client.example'] });
    const failed = await waitForStatus(w, w.user, id, 'failed');
    expect(failed.error?.code).toBe('ATTACHMENT');
    expect(failed.error?.text).toContain(`Refusing to download from "${host}"`);
    expect(sink.messages.find((m) => m.parsed.headers.get('x-leadmail-email-id') === id)).toBeUndefined();
  });
});

describe('signature and variables', () => {
  it('adds my signature unless the template switches it off', async () => {
    await w.api(w.user).put('/api/me/signature').send({ html: '<p>Best, Maria</p>' });
    const on = await createTemplate(w, w.user, { name: 'Sig on', subject: 's', html: '<p>body</p>' });
    const off = await createTemplate(w, w.user, { name: 'Sig off', subject: 's', html: '<p>body</p>', disableSignature: true });
    const a = await w.api(w.user).post(`/api/templates/${on}/preview`).send({ entityId: w.crm.leadId });
    const b = await w.api(w.user).post(`/api/templates/${off}/preview`).send({ entityId: w.crm.leadId });
    expect(a.body.html).toContain('Best, Maria');
    expect(b.body.html).not.toContain('Best, Maria');
  });

  it('lists the variables of the account, custom fields by name and by id', async () => {
    const res = await w.api(w.user).get('/api/template-variables');
    expect(res.status).toBe(200);
    const keys = res.body.map((v: { key: string }) => v.key);
    expect(keys).toEqual(expect.arrayContaining(['lead.name', 'contact.first_name', 'company.name', 'responsible.name']));
    expect(keys).toContain(`lead.fields.[${w.crm.budgetFieldId}]`);
    expect(keys.some((k: string) => k.includes('Budget'))).toBe(true);
  });

  it('previews a contact and a company too', async () => {
    const c = await w.api(w.user).post('/api/preview').send({ entityType: 'contacts', entityId: w.crm.contactId, subject: '{{contact.name}} of {{company.name}}', html: '<p>x</p>' });
    expect(c.body.subject).toBe('John Smith of Globex');
    const co = await w.api(w.user).post('/api/preview').send({ entityType: 'companies', entityId: w.crm.companyId, subject: '{{company.name}}', html: '<p>x</p>' });
    expect(co.body.subject).toBe('Globex');
    const missing = await w.api(w.user).post('/api/preview').send({ entityType: 'leads', entityId: 999999, subject: 's', html: 'h' });
    expect(missing.status).toBe(404);
  });
});

describe('templates that cannot freeze the server', () => {
  it('refuses at save a helper called with the wrong number of values or unknown, naming the field and the helper', async () => {
    const none = await w.api(w.user).post('/api/templates').send({ name: 'Bad', subject: 's', html: '<a href="{{triggerlink}}">x</a>' });
    expect(none.status).toBe(400);
    expect(none.body.error).toMatchObject({ code: 'TEMPLATE_SYNTAX', details: { part: 'html' } });
    expect(none.body.error.message).toMatch(/^Template html has an error at line 1, column 10: triggerlink takes one trigger link id/);
    const two = await w.api(w.user).post('/api/templates').send({ name: 'Bad', subject: 'Hi {{triggerlink 1 2}}', html: 'x' });
    expect(two.status).toBe(400);
    expect(two.body.error.message).toMatch(/^Template subject has an error.*triggerlink takes one trigger link id.*given 2 values/);
    const unknown = await w.api(w.user).post('/api/templates').send({ name: 'Bad', subject: 's', html: '{{#if (money lead.price)}}x{{/if}}' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/html .*Unknown helper "money"/);
    const id = await createTemplate(w, w.user, { name: 'Good', subject: 's', html: '<p>x</p>' });
    const update = await w.api(w.user).put(`/api/templates/${id}`).send({ name: 'Good', subject: '{{upper}}', html: '<p>x</p>' });
    expect(update.status).toBe(400);
    expect(update.body.error.message).toMatch(/^Template subject has an error.*upper takes one value/);
  });

  it('stops six nested {{#each}} over the whole context with a 400 while the server stays available', async () => {
    const six = '{{#each @root}}'.repeat(6) + '{{@key}}' + '{{/each}}'.repeat(6);
    const [preview, health] = await Promise.all([
      w.api(w.user).post('/api/preview').send({ entityType: 'leads', entityId: w.crm.leadId, subject: 's', html: six }),
      w.api(w.user).get('/health'),
    ]);
    expect(preview.status).toBe(400);
    expect(preview.body.error).toMatchObject({ code: 'TEMPLATE_TOO_COMPLEX', details: { part: 'html', reason: 'iterations' } });
    expect(health.status).toBe(200);
    // Hostile nesting is refused at save, before Handlebars' parser sees it.
    const deep = await w.api(w.user).post('/api/templates').send({ name: 'Deep', subject: 's', html: '{{#if a}}'.repeat(3000) + '{{/if}}'.repeat(3000) });
    expect(deep.status).toBe(400);
    expect(deep.body.error).toMatchObject({ code: 'TEMPLATE_TOO_COMPLEX', message: 'Template html is too complex: blocks nested more than 30 deep' });
  });
});
