/**
 * A mail written in the editor carries pasted images inline (data URIs, up to 5 MB each) in its
 * HTML; with attachments it goes as multipart "json" + "files", so the "json" field must take
 * such a body (up to the 8 MB body limit), not only multer's default 1 MB per field. The mail
 * itself carries each image as an inline MIME part (cid:), which every mail client shows.
 */
import { simpleParser } from 'mailparser';
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

/** The HTML part as sent (mailparser would turn cid: links back into data: URIs). */
const htmlAsSent = async (raw: Buffer): Promise<string> => String((await simpleParser(raw, { keepCidLinks: true })).html);

const image = (bytes: number) => `<p>Plan:</p><img src="data:image/png;base64,${Buffer.alloc(bytes, 7).toString('base64')}" alt="plan.png">`;

it('sends a 3 MB pasted image with an attachment (multipart) and delivers both', async () => {
  const json = { entityType: 'leads', entityId: w.crm.leadId, mailboxId, contactIds: [w.crm.contactId], subject: 'Plan', html: image(3 * 1024 * 1024) };
  const res = await w.api(w.user).post('/api/emails').field('json', JSON.stringify(json)).attach('files', Buffer.from('notes'), 'notes.txt');
  expect({ status: res.status, error: res.status === 202 ? null : res.body }).toEqual({ status: 202, error: null });
  const [mail] = await sink.waitForMessages(1, 15_000);
  // Gmail and Outlook do not show data: images: the image travels as an inline part (cid:).
  const html = await htmlAsSent(mail!.raw);
  const cid = /<img src="cid:([^"]+)" alt="plan.png">/.exec(html)?.[1];
  expect(cid).toMatch(/^[0-9a-f]{24}@leadmail$/);
  expect(html).not.toContain('data:image/png');
  const part = mail!.parsed.attachments.find((a) => a.contentId === `<${cid}>`)!;
  expect(part).toMatchObject({ contentType: 'image/png', contentDisposition: 'inline', size: 3 * 1024 * 1024 });
  expect(part.content.equals(Buffer.alloc(3 * 1024 * 1024, 7))).toBe(true);
  expect(mail!.parsed.attachments.filter((a) => a !== part).map((a) => a.filename)).toEqual(['notes.txt']);
});

it('sends the same pasted image twice as one inline part', async () => {
  const before = sink.messages.length;
  const img = '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="dot">';
  const res = await w.api(w.user).post('/api/emails').send({ entityType: 'leads', entityId: w.crm.leadId, mailboxId, contactIds: [w.crm.contactId], subject: 'Dots', html: `<p>${img} and ${img}</p>` });
  expect(res.status).toBe(202);
  const mail = (await sink.waitForMessages(before + 1, 15_000))[before]!;
  const cids = [...(await htmlAsSent(mail.raw)).matchAll(/<img src="cid:([^"]+)" alt="dot">/g)].map((m) => m[1]);
  expect(cids).toHaveLength(2);
  expect(new Set(cids).size).toBe(1);
  expect(mail.parsed.attachments.filter((a) => a.contentType === 'image/gif')).toHaveLength(1);
});

it('still refuses a "json" field over the body limit, naming it', async () => {
  const json = { entityType: 'leads', entityId: w.crm.leadId, mailboxId, contactIds: [w.crm.contactId], subject: 'Too big', html: image(7 * 1024 * 1024) };
  const res = await w.api(w.user).post('/api/emails').field('json', JSON.stringify(json)).attach('files', Buffer.from('notes'), 'notes.txt');
  expect(res.status).toBe(400);
  expect(res.body.error.message).toBe('json: is larger than 9 MB (the HTML may be at most 8 MB)');
});
