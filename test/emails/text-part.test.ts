/**
 * Every mail carries a text/plain alternative made from its HTML (issue 6 §3), the same text the
 * preview shows next to the HTML.
 */
import supertest from 'supertest';
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

const TEMPLATE = {
  subject: 'Offer for {{contact.first_name}}',
  html: `<html><body><h1>Offer</h1><p>Dear {{contact.name}},<br>see <a href="https://example.com/offer?a=1&amp;b=2">the offer</a>.</p>
    <ul><li>Budget {{lead.fields.[Budget]}}</li><li>{{company.name}}</li></ul><img src="https://example.com/logo.png" alt="Acme"></body></html>`,
};
const EXPECTED = [
  'Offer',
  '',
  'Dear John Smith,',
  'see the offer (https://example.com/offer?a=1&b=2).',
  '',
  '- Budget 12000',
  '- Globex',
  '',
  'Acme',
].join('\n');

it('the preview shows the text part next to the HTML, and the OpenAPI document describes it', async () => {
  const tpl = await createTemplate(w, w.user, TEMPLATE);
  const res = await w.api(w.user).post(`/api/templates/${tpl}/preview`).send({ entityType: 'leads', entityId: w.crm.leadId });
  expect(res.status).toBe(200);
  expect(res.body.html).toContain('Dear John Smith,');
  expect(res.body.text).toBe(EXPECTED);

  const doc = (await supertest(w.server.url).get('/api/openapi.json')).body;
  const schema = doc.paths['/api/preview'].post.responses['200'].content['application/json'].schema;
  const resolved = schema.$ref ? doc.components.schemas[schema.$ref.split('/').pop()] : schema;
  expect(resolved.required).toEqual(expect.arrayContaining(['subject', 'html', 'text']));
});

it('a sent mail is multipart/alternative with that text as its text/plain part, without the hidden tracking link', async () => {
  const tpl = await createTemplate(w, w.user, TEMPLATE);
  const preview = await w.api(w.user).post(`/api/templates/${tpl}/preview`).send({ entityType: 'leads', entityId: w.crm.leadId });
  const id = await sendEmail(w, w.user, { mailboxId, templateId: tpl, contactIds: [w.crm.contactId] });
  await waitForStatus(w, w.user, id, 'sent');
  const msg = await eventually(() => {
    const m = sink.messages.find((x) => x.parsed.headers.get('x-leadmail-email-id') === id);
    expect(m).toBeDefined();
    return m!;
  });
  expect(msg.parsed.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' });
  const raw = msg.raw.toString('utf8');
  expect(raw).toMatch(/Content-Type: text\/plain; charset=utf-8/);
  expect(msg.parsed.text?.trim()).toBe(preview.body.text);
  // The HTML carries the pixel and the honeypot link; the text part neither.
  expect(msg.parsed.html).toContain('/t/c/');
  expect(msg.parsed.text).not.toContain('/t/');
});
