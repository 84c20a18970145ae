/**
 * A mail written in the editor carries pasted images inline (data URIs, up to 5 MB each) in its
 * HTML; with attachments it goes as multipart "json" + "files", so the "json" field must take
 * such a body (up to the 8 MB body limit), not only multer's default 1 MB per field.
 */
import { createMailbox, startWorldWithSink, stopWorldWithSink } from '../support/send-helpers.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import type { World } from '../support/world.js';

let w: World;
let sink: SmtpSink;
let mailboxId: string;

beforeAll(async () => {
  ({ w, sink } = await startWorldWithSink());
  mailboxId = await createMailbox(w, w.user, sink);
});
afterAll(async () => {
  await stopWorldWithSink(w, sink);
});

const image = (bytes: number) => `<p>Plan:</p><img src="data:image/png;base64,${Buffer.alloc(bytes, 7).toString('base64')}" alt="plan.png">`;

it('sends a 3 MB pasted image with an attachment (multipart) and delivers both', async () => {
  const json = { entityType: 'leads', entityId: w.crm.leadId, mailboxId, contactIds: [w.crm.contactId], subject: 'Plan', html: image(3 * 1024 * 1024) };
  const res = await w.api(w.user).post('/api/emails').field('json', JSON.stringify(json)).attach('files', Buffer.from('notes'), 'notes.txt');
  expect(res.status).toBe(202);
  const [mail] = await sink.waitForMessages(1, 15_000);
  expect(mail!.parsed.attachments.map((a) => a.filename)).toEqual(['notes.txt']);
  expect(mail!.parsed.html).toContain('data:image/png;base64,BwcH');
});

it('still refuses a "json" field over the body limit, naming it', async () => {
  const json = { entityType: 'leads', entityId: w.crm.leadId, mailboxId, contactIds: [w.crm.contactId], subject: 'Too big', html: image(7 * 1024 * 1024) };
  const res = await w.api(w.user).post('/api/emails').field('json', JSON.stringify(json)).attach('files', Buffer.from('notes'), 'notes.txt');
  expect(res.status).toBe(400);
  expect(res.body.error.message).toBe('json: is larger than 9 MB (the HTML may be at most 8 MB)');
});
