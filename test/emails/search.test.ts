/**
 * GET /api/emails/search, the history page's list: an admin sees every mail of the account, a user
 * only the mails they sent or that left from their own mailboxes (and may open those by id); the
 * status, mailbox, template, single-send and date filters narrow it; pages follow the newest-first
 * order with the total; a bad filter is a 400 naming the field.
 */
import { SINK_FAILURES } from '../support/smtp-sink.js';
import { createMailbox, createTemplate, sendEmail, startWorldWithSink, stopWorldWithSink, waitForStatus } from '../support/send-helpers.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import { ACCOUNT_ID, SUB, type World } from '../support/world.js';
import type { TokenClaims } from '../support/widget-token.js';

let w: World;
let sink: SmtpSink;
const id: Record<string, string> = {};
let created: Record<string, string> = {};
let mbA: string;
let mbSlow: string;
let mbPedro: string;
let tpl1: string;
let tpl2: string;

const search = (who: TokenClaims, query: string) => w.api(who).get(`/api/emails/search${query ? `?${query}` : ''}`);
const ids = async (who: TokenClaims, query: string): Promise<string[]> => {
  const res = await search(who, query);
  expect(res.status).toBe(200);
  return res.body.items.map((i: { id: string }) => i.id);
};

beforeAll(async () => {
  ({ w, sink } = await startWorldWithSink());
  mbA = await createMailbox(w, w.user, sink, { pacing: { messages: 100, seconds: 1 } });
  // One mail an hour: the first leaves at once, the next ones wait in the queue.
  mbSlow = await createMailbox(w, w.user, sink, { pacing: { messages: 1, seconds: 3600 } });
  mbPedro = await createMailbox(w, w.otherUser, sink, { pacing: { messages: 100, seconds: 1 } });
  tpl1 = await createTemplate(w, w.user, { name: 'Offer', subject: 'Offer', html: '<p>Offer</p>' });
  tpl2 = await createTemplate(w, w.user, { name: 'Welcome', subject: 'Welcome', html: '<p>Welcome</p>' });
  const lead = { contactIds: [w.crm.contactId] };

  id.sent = await sendEmail(w, w.user, { ...lead, mailboxId: mbA, templateId: tpl1 });
  await waitForStatus(w, w.user, id.sent, 'sent');
  sink.failNext(1, SINK_FAILURES.spam);
  id.failed = await sendEmail(w, w.user, { ...lead, mailboxId: mbA, templateId: tpl2 });
  await waitForStatus(w, w.user, id.failed, 'failed');
  id.plain = await sendEmail(w, w.user, { ...lead, mailboxId: mbA, subject: 'Plain', html: '<p>x</p>' });
  await waitForStatus(w, w.user, id.plain, 'sent');
  id.slowFirst = await sendEmail(w, w.user, { ...lead, mailboxId: mbSlow, subject: 'Slow 1', html: '<p>x</p>' });
  await waitForStatus(w, w.user, id.slowFirst, 'sent');
  id.queued = await sendEmail(w, w.user, { ...lead, mailboxId: mbSlow, subject: 'Slow 2', html: '<p>x</p>' });
  id.cancelled = await sendEmail(w, w.user, { ...lead, mailboxId: mbSlow, subject: 'Slow 3', html: '<p>x</p>' });
  expect((await w.api(w.user).post(`/api/emails/${id.cancelled}/cancel`)).status).toBe(200);
  id.pedro = await sendEmail(w, w.otherUser, { ...lead, mailboxId: mbPedro, subject: 'Pedro’s', html: '<p>x</p>' });
  await waitForStatus(w, w.otherUser, id.pedro, 'sent');
  // An administrator writes from Maria's mailbox: Maria sees it, as the mailbox's owner.
  id.byAdmin = await sendEmail(w, w.admin, { ...lead, mailboxId: mbA, subject: 'From the boss', html: '<p>x</p>' });
  await waitForStatus(w, w.admin, id.byAdmin, 'sent');
  const all = (await search(w.admin, 'limit=100')).body.items as { id: string; createdAt: string }[];
  created = Object.fromEntries(all.map((i) => [i.id, i.createdAt]));
}, 60_000);

afterAll(() => stopWorldWithSink(w, sink));

const ORDER = ['byAdmin', 'pedro', 'cancelled', 'queued', 'slowFirst', 'plain', 'failed', 'sent'];

it('lists every mail of the account for an admin, newest first, with names and status', async () => {
  const res = await search(w.admin, '');
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ page: 1, limit: 25, total: 8, totalExact: true });
  expect(res.body.items.map((i: { id: string }) => i.id)).toEqual(ORDER.map((k) => id[k]));
  const first = res.body.items.find((i: { id: string }) => i.id === id.sent);
  expect(first).toMatchObject({ status: 'sent', mailboxId: mbA, mailboxName: 'Sales mailbox', mailboxAddress: 'maria@acme.example', templateId: tpl1, templateName: 'Offer', to: ['john@client.example'], subject: 'Offer', fromMailing: false, userId: w.crm.userId });
  expect(first.sentAt).toEqual(expect.any(String));
  const failed = res.body.items.find((i: { id: string }) => i.id === id.failed);
  expect(failed).toMatchObject({ status: 'failed', templateName: 'Welcome' });
  expect(failed.error.text).toMatch(/SPAM/);
});

it('shows a user only the mails they sent or that left from their mailboxes', async () => {
  expect(await ids(w.user, '')).toEqual(ORDER.filter((k) => k !== 'pedro').map((k) => id[k]));
  expect(await ids(w.otherUser, '')).toEqual([id.pedro]);
  // Naming another user's mailbox or template shows nothing of theirs.
  expect(await ids(w.otherUser, `mailboxId=${mbA}`)).toEqual([]);
  expect(await ids(w.otherUser, `templateId=${tpl1}`)).toEqual([]);
  expect((await search(w.otherUser, `mailboxId=${mbA}`)).body.total).toBe(0);
  // The mailbox's owner may open the administrator's mail from it by id, as the list promised.
  const one = await w.api(w.user).get(`/api/emails/${id.byAdmin}`);
  expect(one.status).toBe(200);
  expect(one.body.events.map((e: { type: string }) => e.type)).toContain('sent');
});

it('filters by status, mailbox, template, single sends and date', async () => {
  expect(await ids(w.admin, 'status=failed')).toEqual([id.failed]);
  expect(await ids(w.admin, 'status=queued')).toEqual([id.queued]);
  expect(await ids(w.admin, 'status=cancelled')).toEqual([id.cancelled]);
  expect(await ids(w.admin, `mailboxId=${mbSlow}`)).toEqual([id.cancelled, id.queued, id.slowFirst]);
  expect(await ids(w.admin, `mailboxId=${mbSlow}&status=sent`)).toEqual([id.slowFirst]);
  expect(await ids(w.admin, `templateId=${tpl1}`)).toEqual([id.sent]);
  expect(await ids(w.user, `templateId=${tpl2}&status=failed`)).toEqual([id.failed]);
  expect(await ids(w.admin, 'status=queued&single=true&order=planned')).toEqual([id.queued]);
  expect(await ids(w.admin, 'single=false')).toEqual([]);
  const since = encodeURIComponent(created[id.plain!]!);
  const until = encodeURIComponent(created[id.queued!]!);
  expect(await ids(w.admin, `since=${since}&until=${until}`)).toEqual([id.slowFirst, id.plain]);
  expect(await ids(w.admin, `since=${encodeURIComponent(created[id.pedro!]!)}`)).toEqual([id.byAdmin, id.pedro]);
  const res = await search(w.admin, `since=${since}&until=${until}`);
  expect(res.body.total).toBe(2);
});

it('pages through the list with the total', async () => {
  const pages = await Promise.all([1, 2, 3, 4].map((p) => search(w.admin, `limit=3&page=${p}`)));
  expect(pages.map((p) => p.body.total)).toEqual([8, 8, 8, 8]);
  expect(pages.map((p) => p.body.page)).toEqual([1, 2, 3, 4]);
  expect(pages.flatMap((p) => p.body.items.map((i: { id: string }) => i.id))).toEqual(ORDER.map((k) => id[k]));
  expect(pages.map((p) => p.body.items.length)).toEqual([3, 3, 2, 0]);
  const userPage = await search(w.user, 'limit=5&page=2');
  expect(userPage.body).toMatchObject({ total: 7, page: 2, limit: 5 });
  expect(userPage.body.items.map((i: { id: string }) => i.id)).toEqual(['failed', 'sent'].map((k) => id[k]));
});

it.each([
  ['status=lost', 'status'],
  ['mailboxId=abc', 'mailboxId'],
  ['templateId=123', 'templateId'],
  ['since=yesterday', 'since'],
  ['until=2026-13-01', 'until'],
  ['since=2026-11-02T00:00:00Z&until=2026-11-01T00:00:00Z', 'until'],
  ['single=maybe', 'single'],
  ['order=oldest', 'order'],
  ['page=0', 'page'],
  ['limit=1000', 'limit'],
  ['limit=ten', 'limit'],
])('refuses %s with a 400 naming %s', async (query, field) => {
  const res = await search(w.admin, query);
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe('VALIDATION');
  expect(res.body.error.message).toMatch(new RegExp(`^(query\\.)?${field}: `));
});

it('lets the owner of a mailbox open a mail sent from it even on a lead Kommo hides from them, as the list shows it', async () => {
  // Olga may see only her own leads in Kommo; an administrator writes from her mailbox to Maria's lead.
  const olga = w.kommo.sim.addUser(SUB, { name: 'Olga Own', email: 'olga@acme.example', view: { leads: 'M' } });
  const asOlga: TokenClaims = { accountId: ACCOUNT_ID, subdomain: SUB, userId: olga.id };
  const box = await createMailbox(w, asOlga, sink, { from: 'olga@acme.example' });
  const mail = await sendEmail(w, w.admin, { contactIds: [w.crm.contactId], mailboxId: box, subject: 'On Olga’s behalf', html: '<p>x</p>' });
  await waitForStatus(w, w.admin, mail, 'sent');
  expect(await ids(asOlga, '')).toEqual([mail]);
  const one = await w.api(asOlga).get(`/api/emails/${mail}`);
  expect(one.status).toBe(200);
  expect(one.body.id).toBe(mail);
  // The lead itself stays hidden from her (Kommo's rights hold for the lead's history).
  expect((await w.api(asOlga).get(`/api/emails?entityType=leads&entityId=${w.crm.leadId}`)).status).toBe(403);
});
