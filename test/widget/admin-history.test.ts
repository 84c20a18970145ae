/**
 * Advanced settings → History in real Chromium against the real backend: mails in every status
 * (sent with a trigger run, failed by the sink, queued behind a slow mailbox, cancelled) from two
 * mailboxes and two templates; the filters narrow the rows exactly as GET /api/emails/search does,
 * a refused filter is named under its input; pages follow the server's; a mail's detail shows its
 * events and the trigger run with Kommo's answer; a queued mail is cancelled from QueuedMails and a
 * failed one resent; a user sees only their own mails; es and pt with every key.
 */
import path from 'node:path';
import { startSmtpSink, SINK_FAILURES, type SmtpSink } from '../support/smtp-sink.js';
import { createMailbox, createTemplate, sendEmail, waitForStatus } from '../support/send-helpers.js';
import { eventually } from '../support/eventually.js';
import { noteTrigger } from '../tracking/tracking-helpers.js';
import type { TokenClaims } from '../support/widget-token.js';
import type { EmailSearchView, EmailView } from '../../shared/schemas/email.js';
import { ARTIFACTS, checkAndCloseAfterTests, startWidgetWorld, type WidgetWorld } from './harness.js';

const NOTE = 'History: offer sent';
let ww: WidgetWorld;
let sink: SmtpSink;
let mbFast: string;
let mbSlow: string;
let tplOffer: string;
let tplWelcome: string;
const id: Record<string, string> = {};

beforeAll(async () => {
  ww = await startWidgetWorld();
  const w = ww.w;
  sink = await startSmtpSink({ auth: { user: 'maria', pass: 'smtp-secret' } });
  mbFast = await createMailbox(w, w.user, sink, { pacing: { messages: 100, seconds: 1 } });
  // One mail an hour: the first leaves at once, the next ones wait in the queue.
  mbSlow = await createMailbox(w, w.user, sink, { pacing: { messages: 1, seconds: 3600 }, from: 'slow@acme.example' });
  const mbPedro = await createMailbox(w, w.otherUser, sink, { from: 'pedro@acme.example' });
  tplOffer = await createTemplate(w, w.user, { name: 'Offer', subject: 'Our offer', html: '<p>Offer</p>' });
  tplWelcome = await createTemplate(w, w.user, { name: 'Welcome', subject: 'Welcome aboard', html: '<p>Welcome</p>' });
  const note = await noteTrigger(w, NOTE);
  const to = { contactIds: [w.crm.contactId] };

  // 24 older mails so the list needs a second page (25 a page).
  for (let i = 0; i < 24; i++) id[`old${i}`] = await sendEmail(w, w.user, { ...to, mailboxId: mbFast, subject: `Follow-up ${i}`, html: '<p>x</p>' });
  await waitForStatus(w, w.user, id.old23!, 'sent');
  id.sent = await sendEmail(w, w.user, { ...to, mailboxId: mbFast, templateId: tplOffer, triggers: { sent: [note] } });
  await waitForStatus(w, w.user, id.sent, 'sent');
  await eventually(async () => expect((await w.api(w.user).get(`/api/emails/${id.sent}`)).body.triggerRuns.map((r: { status: string }) => r.status)).toEqual(['done']), { timeoutMs: 15_000 });
  sink.failNext(1, SINK_FAILURES.spam);
  id.failed = await sendEmail(w, w.user, { ...to, mailboxId: mbFast, templateId: tplWelcome });
  await waitForStatus(w, w.user, id.failed, 'failed');
  id.slowSent = await sendEmail(w, w.user, { ...to, mailboxId: mbSlow, templateId: tplWelcome });
  await waitForStatus(w, w.user, id.slowSent, 'sent');
  id.cancelled = await sendEmail(w, w.user, { ...to, mailboxId: mbSlow, subject: 'Changed my mind', html: '<p>x</p>' });
  expect((await w.api(w.user).post(`/api/emails/${id.cancelled}/cancel`)).status).toBe(200);
  id.queued1 = await sendEmail(w, w.user, { ...to, mailboxId: mbSlow, subject: 'Waiting 1', html: '<p>x</p>' });
  id.queued2 = await sendEmail(w, w.user, { ...to, mailboxId: mbSlow, subject: 'Waiting 2', html: '<p>x</p>' });
  id.pedro = await sendEmail(w, w.otherUser, { ...to, mailboxId: mbPedro, subject: 'Pedro’s own', html: '<p>x</p>' });
  await waitForStatus(w, w.otherUser, id.pedro, 'sent');
}, 120_000);

checkAndCloseAfterTests(() => ({ ww, sink }));

const page = () => ww.page;
const shot = (name: string) => page().screenshot({ path: path.join(ARTIFACTS, `admin-history-${name}.png`), fullPage: true });
const rowIds = () => page().$$eval('.leadmail-history-row', (els) => els.map((e) => (e as HTMLElement).dataset.emailId));
const row = (emailId: string) => `.leadmail-history-row[data-email-id="${emailId}"]`;
const search = async (who: TokenClaims, query: string): Promise<EmailSearchView> => {
  const res = await ww.w.api(who).get(`/api/emails/search?${query}`);
  expect(res.status).toBe(200);
  return res.body;
};
/** The rows on screen become the API's page for the same filters. */
const rowsMatch = async (who: TokenClaims, query: string) => {
  const expected = (await search(who, query)).items.map((i) => i.id);
  await eventually(async () => expect(await rowIds()).toEqual(expected));
  return expected;
};

async function openHistory(userId: number, lang: 'en' | 'es' | 'pt' = 'en'): Promise<void> {
  await ww.boot({ area: 'advanced_settings', userId, lang });
  await page().click('.leadmail-admin-tabs__tab[data-tab="history"]');
  await page().waitForSelector('.leadmail-history-row');
}

it('lists every mail of the account for an admin, page by page, with its mailbox, template and status', async () => {
  const w = ww.w;
  await openHistory(w.crm.adminUserId);
  const first = await rowsMatch(w.admin, 'limit=25');
  expect(first).toHaveLength(25);
  expect(first[0]).toBe(id.pedro);
  const total = (await search(w.admin, 'limit=25')).total;
  expect(total).toBe(31);
  expect(await page().textContent('.leadmail-pager__range')).toBe(`1–25 of ${total}`);
  expect(await page().textContent(`${row(id.sent!)} .leadmail-history-row__status`)).toBe('Sent');
  expect(await page().textContent(`${row(id.sent!)} .leadmail-history-row__template`)).toBe('Offer');
  expect(await page().textContent(`${row(id.sent!)} .leadmail-history-row__to`)).toBe('john@client.example');
  expect(await page().textContent(`${row(id.failed!)} .leadmail-history-row__status`)).toBe('Failed');
  expect(await page().textContent(`${row(id.queued1!)} .leadmail-history-row__status`)).toBe('Queued');
  expect(await page().textContent(`${row(id.cancelled!)} .leadmail-history-row__status`)).toBe('Cancelled');
  expect(await page().textContent(`${row(id.cancelled!)} .leadmail-history-row__template`)).toBe('none');
  // The single mails still waiting, soonest first, on top.
  expect(await page().$$eval('.leadmail-queued__item', (els) => els.map((e) => (e as HTMLElement).dataset.emailId))).toEqual([id.queued1, id.queued2]);
  await shot('list');

  await page().click('.leadmail-pager__next');
  await rowsMatch(w.admin, 'limit=25&page=2');
  expect(await page().textContent('.leadmail-pager__range')).toBe(`26–${total} of ${total}`);
  await page().click('.leadmail-pager__prev');
  await rowsMatch(w.admin, 'limit=25&page=1');
});

it('narrows the list by status, mailbox, template and dates as the server does', async () => {
  const w = ww.w;
  await openHistory(w.crm.adminUserId);
  await page().selectOption('.leadmail-history-filters__status', 'failed');
  expect(await rowsMatch(w.admin, 'status=failed')).toEqual([id.failed]);
  await page().selectOption('.leadmail-history-filters__status', '');
  await page().selectOption('.leadmail-history-filters__mailbox', mbSlow);
  expect(await rowsMatch(w.admin, `mailboxId=${mbSlow}`)).toEqual([id.queued2, id.queued1, id.cancelled, id.slowSent]);
  await page().selectOption('.leadmail-history-filters__template', tplWelcome);
  expect(await rowsMatch(w.admin, `mailboxId=${mbSlow}&templateId=${tplWelcome}`)).toEqual([id.slowSent]);
  await page().selectOption('.leadmail-history-filters__mailbox', '');
  expect(await rowsMatch(w.admin, `templateId=${tplWelcome}`)).toEqual([id.slowSent, id.failed]);
  await shot('filters');

  // Today, as the browser's local day: every mail; yesterday: none.
  await page().click('.leadmail-history-filters__reset');
  const day = await page().evaluate(() => {
    const d = new Date();
    const iso = (x: Date) => `${x.getFullYear()}-${String(x.getMonth() + 1).padStart(2, '0')}-${String(x.getDate()).padStart(2, '0')}`;
    const y = new Date(d.getFullYear(), d.getMonth(), d.getDate() - 1);
    return { today: iso(d), yesterday: iso(y), since: new Date(d.getFullYear(), d.getMonth(), d.getDate()).toISOString(), until: new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).toISOString() };
  });
  await page().fill('.leadmail-history-filters__from', day.today);
  await page().fill('.leadmail-history-filters__to', day.today);
  await rowsMatch(w.admin, `since=${encodeURIComponent(day.since)}&until=${encodeURIComponent(day.until)}&limit=25`);
  await page().fill('.leadmail-history-filters__from', day.yesterday);
  await page().fill('.leadmail-history-filters__to', day.yesterday);
  await page().waitForSelector('.leadmail-history__empty');
  expect(await page().textContent('.leadmail-history__empty')).toBe('No mail matches these filters.');
  // "To" before "From": the server refuses `until`, and says so under "To".
  await page().fill('.leadmail-history-filters__from', day.today);
  const err = await page().waitForSelector('.leadmail-field[data-field="until"] .leadmail-field__error');
  expect(await err.textContent()).toBe('must be later than the start of the range (since)');
  await shot('filter-error');
  // The browser logs the refused request itself: that one, and nothing else.
  await ww.flush();
  expect(ww.problems.splice(0)).toEqual([expect.stringContaining('400')]);
});

it('opens a mail: its events, the trigger run with Kommo’s answer, and its opens', async () => {
  const w = ww.w;
  const view: EmailView = (await w.api(w.admin).get(`/api/emails/${id.sent}`)).body;
  await openHistory(w.crm.adminUserId);
  await page().click(row(id.sent!));
  const detail = `.leadmail-history-detail[data-email-id="${id.sent}"]`;
  await page().waitForSelector(detail);
  const types = await page().$$eval(`${detail} .leadmail-history-event`, (els) => els.map((e) => (e as HTMLElement).dataset.type));
  expect(types).toEqual(view.events!.map((e) => e.type));
  expect(await page().textContent(`${detail} .leadmail-history-event--sent .leadmail-history-event__type`)).toBe('Sent');
  expect(await page().textContent(`${detail} .leadmail-run--done .leadmail-run__name`)).toBe(NOTE);
  const call = view.triggerRuns[0]!.calls[0]!;
  expect(call.answer).toBeDefined();
  expect(await page().textContent(`${detail} .leadmail-history-call__what`)).toBe(`${call.method} ${call.path}`);
  expect(await page().textContent(`${detail} .leadmail-history-call__answer`)).toContain('Kommo answered: ');
  expect(await page().textContent(`${detail} .leadmail-history-detail__opens`)).toContain('Opens: 0 by people, 0 by machines');
  // The mail's lead opens as Kommo's card.
  expect(await page().getAttribute(`${detail} .leadmail-history-detail__entity`, 'href')).toBe(`/${view.entityType}/detail/${view.entityId}`);
  await shot('detail');

  // A failed mail: its error, and Resend sends it again as a new mail.
  await page().click(row(id.failed!));
  const failed = `.leadmail-history-detail[data-email-id="${id.failed}"]`;
  await page().waitForSelector(failed);
  expect(await page().textContent(`${failed} .leadmail-history-event--failed`)).toContain('SPAM');
  await page().click(`${failed} .leadmail-email__resend`);
  await page().click(`${failed} .leadmail-resend__yes`);
  await page().waitForSelector(`${failed} .leadmail-email__resent`);
  const events = (await w.api(w.admin).get(`/api/emails/${id.failed}`)).body.events as { type: string; data: { emailId?: string } }[];
  id.resent = events.find((e) => e.type === 'resent')!.data.emailId!;
  await page().waitForSelector(row(id.resent));
  await rowsMatch(w.admin, 'limit=25');
});

it('cancels a queued mail from the queued mails', async () => {
  const w = ww.w;
  await openHistory(w.crm.adminUserId);
  const item = `.leadmail-queued__item[data-email-id="${id.queued2}"]`;
  await page().waitForSelector(item);
  await shot('queued');
  await page().click(`${item} .leadmail-queued__cancel`);
  await page().waitForSelector(item, { state: 'detached' });
  expect((await w.api(w.admin).get(`/api/emails/${id.queued2}`)).body.status).toBe('cancelled');
  // The list below follows.
  await eventually(async () => expect(await page().textContent(`${row(id.queued2!)} .leadmail-history-row__status`)).toBe('Cancelled'));
  expect(await page().$$eval('.leadmail-queued__item', (els) => els.map((e) => (e as HTMLElement).dataset.emailId))).toEqual([id.queued1]);
});

it('shows a user only the mails they sent or that left from their mailboxes', async () => {
  const w = ww.w;
  await openHistory(w.crm.userId);
  const mine = await rowsMatch(w.user, 'limit=25');
  expect(mine).not.toContain(id.pedro);
  expect(await page().textContent('.leadmail-history__intro')).toMatch(/^The mails you sent/);
  const all = [...mine];
  await page().click('.leadmail-pager__next');
  all.push(...(await rowsMatch(w.user, 'limit=25&page=2')));
  expect(all).not.toContain(id.pedro);
  expect(all).toContain(id.sent);
  // Pedro's mailbox is not offered to Maria.
  const boxes = await page().$$eval('.leadmail-history-filters__mailbox option', (els) => els.map((e) => (e as HTMLOptionElement).value));
  expect(boxes.sort()).toEqual(['', mbFast, mbSlow].sort());
  await shot('user');
});

it.each([
  ['es', 'Historial', 'Enviado'],
  ['pt', 'Histórico', 'Enviado'],
] as const)('renders in %s with every key', async (lang, tab, sent) => {
  await openHistory(ww.w.crm.adminUserId, lang);
  expect(await page().textContent('.leadmail-admin-tabs__tab[data-tab="history"]')).toBe(tab);
  expect(await page().textContent(`${row(id.sent!)} .leadmail-history-row__status`)).toBe(sent);
  await page().click(row(id.sent!));
  await page().waitForSelector(`.leadmail-history-detail[data-email-id="${id.sent}"] .leadmail-history-call`);
  await page().waitForSelector('.leadmail-queued__item');
  // No raw key anywhere on the page (a missing one is also a console error: harness).
  expect(await page().textContent('.leadmail-history')).not.toMatch(/\b(admin_history|card|common)\.[a-z_.]+/);
  await shot(lang);
});
