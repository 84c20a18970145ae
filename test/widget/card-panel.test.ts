/**
 * The card panel in real Chromium, inside the fake Kommo page, against the real backend on another
 * origin: a mail sent through the API shows its status and its human and machine opens; a failed
 * mail its error and the plain-language hint; server texts and User-Agents stay text; es and pt
 * render with no missing key; the settings modal shows the connection. Screenshots of each screen.
 */
import { startSmtpSink, SINK_FAILURES, type SmtpSink } from '../support/smtp-sink.js';
import { createMailbox, sendEmail, waitForStatus } from '../support/send-helpers.js';
import { eventually } from '../support/eventually.js';
import { deliver, hit, noteTrigger, pixelPath, UA } from '../tracking/tracking-helpers.js';
import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { repoRoot } from '../../widget/build/build.js';
import { checkAndCloseAfterTests, startWidgetWorld, type WidgetWorld } from './harness.js';

const SUBJECT = 'Offer <b>for</b> John';
const NOTE = 'Offer sent: call John';
const XSS_UA = '<img src=x onerror="window.__xss=1">Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0';
let ww: WidgetWorld;
let sink: SmtpSink;
let sentId: string;
let failedId: string;
let mailboxId: string;

beforeAll(async () => {
  // Readers at several addresses behind our own reverse proxy (X-Forwarded-For from loopback).
  ww = await startWidgetWorld({ TRUST_PROXY: 'loopback' });
  const w = ww.w;
  sink = await startSmtpSink({ auth: { user: 'maria', pass: 'smtp-secret' } });
  mailboxId = await createMailbox(w, w.user, sink, { pacing: { messages: 100, seconds: 1 } });
  const note = await noteTrigger(w, NOTE);
  const m = await deliver(w, sink, { mailboxId, subject: SUBJECT, html: '<p>Hello</p>', contactIds: [w.crm.contactId], triggers: { sent: [note] } });
  sentId = m.id;
  await eventually(async () => expect((await w.api(w.user).get(`/api/emails/${sentId}`)).body.triggerRuns.map((r: { status: string }) => r.status)).toEqual(['done']), { timeoutMs: 15_000 });
  const pixel = pixelPath(m.html);
  await hit(w, pixel, UA.safari, '203.0.113.50').expect(200);
  await hit(w, pixel, UA.gmailProxy, '66.249.84.1').expect(200);
  await hit(w, pixel, XSS_UA, '203.0.113.51').expect(200);
  sink.failNext(1, SINK_FAILURES.spam);
  failedId = await sendEmail(w, w.user, { mailboxId, subject: 'Second offer', html: '<p>Hi</p>', contactIds: [w.crm.contactId] });
  await waitForStatus(w, w.user, failedId, 'failed');
}, 60_000);

checkAndCloseAfterTests(() => ({ ww, sink }));

const item = (id: string) => `.leadmail-email[data-email-id="${id}"]`;

it('shows the lead’s mails with status, human and machine opens, and the failure with its hint', async () => {
  const view = (await ww.w.api(ww.w.user).get(`/api/emails/${sentId}`)).body;
  expect(view.tracking.humanOpens).toBeGreaterThanOrEqual(1);
  expect(view.tracking.machineOpens).toBeGreaterThanOrEqual(1);
  const failed = (await ww.w.api(ww.w.user).get(`/api/emails/${failedId}`)).body;
  const hint = failed.events.find((e: { type: string }) => e.type === 'failed').data.hint as string;
  expect(hint).toEqual(expect.any(String));

  const page = ww.page;
  // The panel's speed is measured by `npm run bench` (bench/widget.ts), not here.
  await ww.boot({ area: 'lcard', entityId: ww.w.crm.leadId, userId: ww.w.crm.userId });
  await page.waitForSelector(`${item(sentId)} .leadmail-status--sent`);
  expect(await page.textContent(`${item(sentId)} .leadmail-status`)).toBe('Sent');
  expect(await page.textContent(`${item(sentId)} .leadmail-email__opens`)).toBe(`Opens: ${view.tracking.humanOpens} by people, ${view.tracking.machineOpens} by machines`);
  expect(await page.textContent(`${item(sentId)} .leadmail-email__clicks`)).toBe('Clicks: 0 by people, 0 by machines');
  // The subject is the server's text: shown as typed, never parsed as HTML.
  expect(await page.textContent(`${item(sentId)} .leadmail-email__subject`)).toBe(SUBJECT);
  expect(await page.locator(`${item(sentId)} .leadmail-email__subject b`).count()).toBe(0);
  expect(await page.textContent(`${item(sentId)} .leadmail-email__to`)).toBe('To: john@client.example');

  expect(await page.textContent(`${item(failedId)} .leadmail-status`)).toBe('Failed');
  expect(await page.textContent(`${item(failedId)} .leadmail-email__error`)).toContain(failed.error.text);
  expect(await page.textContent(`${item(failedId)} .leadmail-email__hint`)).toBe(`What to do: ${hint}`);
  await ww.shot('card-lead-en');

  await page.click(`${item(sentId)} .leadmail-email__toggle`);
  expect(await page.textContent(`${item(sentId)} .leadmail-run--done .leadmail-run__name`)).toBe(NOTE);
  const uas = await page.locator(`${item(sentId)} .leadmail-hit__ua`).allTextContents();
  expect(uas).toContain(XSS_UA);
  expect(await page.locator(`${item(sentId)} .leadmail-hits img`).count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(await page.locator(`${item(sentId)} .leadmail-hit--human`).count()).toBe(view.tracking.humanOpens);
  await ww.shot('card-lead-details');
});

it('opens compose from "New email" in a Kommo modal', async () => {
  await ww.boot({ area: 'lcard', entityId: ww.w.crm.leadId });
  await ww.page.click('.leadmail-card__new');
  const compose = await ww.page.waitForSelector('.modal .leadmail-compose');
  expect(await compose.getAttribute('data-entity-id')).toBe(String(ww.w.crm.leadId));
  await ww.shot('compose-placeholder');
  await ww.page.click('.leadmail-compose .leadmail-btn');
  expect(await ww.page.locator('.leadmail-compose').count()).toBe(0);
});

it.each([
  ['es', 'Enviado', 'Error', 'Nuevo correo'],
  ['pt', 'Enviado', 'Falhou', 'Novo e-mail'],
] as const)('renders in %s with every key present', async (lang, sent, failed, newEmail) => {
  await ww.boot({ area: 'lcard', entityId: ww.w.crm.leadId, lang });
  await ww.page.waitForSelector(`${item(sentId)} .leadmail-status--sent`);
  expect(await ww.page.textContent(`${item(sentId)} .leadmail-status`)).toBe(sent);
  expect(await ww.page.textContent(`${item(failedId)} .leadmail-status`)).toBe(failed);
  expect(await ww.page.textContent('.leadmail-card__new')).toBe(newEmail);
  await ww.page.click(`${item(sentId)} .leadmail-email__toggle`);
  // No raw key (card.xxx) anywhere in the panel.
  expect(await ww.page.textContent('.leadmail-panel')).not.toMatch(/\b(card|common|conn)\.[a-z_]+/);
  await ww.shot(`card-lead-${lang}`);
});

it('shows contact and company cards with their own history, and nothing on a card not saved yet', async () => {
  const w = ww.w;
  const fromContact = await sendEmail(w, w.user, { entityType: 'contacts', entityId: w.crm.secondContactId, mailboxId, subject: 'For Jane', html: '<p>Hi</p>', contactIds: [w.crm.secondContactId] });
  await waitForStatus(w, w.user, fromContact, 'sent');
  await ww.boot({ area: 'ccard', entityId: w.crm.secondContactId });
  await ww.page.waitForSelector(`.leadmail-card[data-entity-type="contacts"] ${item(fromContact)} .leadmail-status--sent`);
  expect(await ww.page.locator('.leadmail-email').count()).toBe(1);
  expect(await ww.page.textContent(`${item(fromContact)} .leadmail-email__to`)).toBe('To: jane@client.example');
  await ww.shot('card-contact');
  await ww.boot({ area: 'comcard', entityId: w.crm.companyId });
  expect(await (await ww.page.waitForSelector('.leadmail-card[data-entity-type="companies"] .leadmail-card__empty')).textContent()).toBe(
    'No emails yet. Send the first one with “New email”.',
  );
  await ww.shot('card-company');
  await ww.boot({ area: 'lcard', entityId: 0 });
  expect(await ww.page.locator('#card-widgets .leadmail-panel').count()).toBe(0);
});

it('reports a key missing from the loaded locale as a console error (what the es and pt checks rely on)', async () => {
  const en = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'widget', 'i18n', 'en.json'), 'utf8')) as { card: Record<string, unknown> };
  delete en.card.new_email;
  await ww.boot({ area: 'lcard', entityId: ww.w.crm.leadId, langs: en });
  expect(await (await ww.page.waitForSelector('.leadmail-card__new')).textContent()).toBe('card.new_email');
  // Each render of the button reports it again (before and after the history arrives).
  await ww.page.waitForSelector('.leadmail-email');
  await ww.flush();
  expect(new Set(ww.problems.splice(0))).toEqual(new Set(['console.error: leadmail: missing i18n key "card.new_email"']));
});

it('shows the connection in the widget settings', async () => {

  await ww.boot({ area: 'settings', userId: ww.w.crm.adminUserId });
  await ww.page.waitForSelector('.widget-settings__desc-space .leadmail-conn__backend[data-state="green"]');
  await ww.page.waitForSelector('.leadmail-conn__kommo[data-state="green"]');
  expect(await ww.page.textContent('.leadmail-conn')).toContain(`Account: acme (#${ww.w.admin.accountId})`);
  await ww.shot('settings-modal');
});

it('mounts the list action, the advanced settings page and the pipeline block (for the screens built on them)', async () => {
  await ww.boot({ area: 'llist', selected: [ww.w.crm.leadId] });
  await ww.page.click('#leadmail-list-action');
  expect(await (await ww.page.waitForSelector('.modal .leadmail-list-action h2')).textContent()).toBe('Send an email to 1 selected');
  await ww.boot({ area: 'advanced_settings', userId: ww.w.crm.adminUserId });
  await ww.page.waitForSelector('#work-area-leadmail .leadmail-admin .leadmail-conn__backend[data-state="green"]');
  await ww.shot('advanced-settings');
  await ww.boot({ area: 'digital_pipeline', userId: ww.w.crm.adminUserId });
  await ww.page.waitForSelector('.digital-pipeline__short-task_widget-style_leadmail .leadmail-pipeline');
  expect(await ww.page.getAttribute('input[name=action]', 'type')).toBe('hidden');
});

it('cancels a mail still waiting in the queue', async () => {
  const w = ww.w;
  // One mail an hour: the second waits in the queue, planned for later.
  const slow = await createMailbox(w, w.user, sink, { pacing: { messages: 1, seconds: 3600 } });
  const first = await sendEmail(w, w.user, { mailboxId: slow, subject: 'First', html: '<p>1</p>', contactIds: [w.crm.contactId] });
  await waitForStatus(w, w.user, first, 'sent');
  const queued = await sendEmail(w, w.user, { mailboxId: slow, subject: 'Later', html: '<p>2</p>', contactIds: [w.crm.contactId] });
  await ww.boot({ area: 'lcard', entityId: w.crm.leadId });
  await ww.page.waitForSelector(`${item(queued)} .leadmail-status--queued`);
  expect(await ww.page.textContent(item(queued))).toContain('Scheduled for');
  await ww.shot('card-lead-queued');
  await ww.page.click(`${item(queued)} .leadmail-email__cancel`);
  await ww.page.waitForSelector(`${item(queued)} .leadmail-status--cancelled`);
  expect(await ww.page.textContent('#notifications')).toContain('The email will not be sent');
  expect((await w.api(w.user).get(`/api/emails/${queued}`)).body.status).toBe('cancelled');
  expect(await ww.page.locator(`${item(queued)} .leadmail-email__cancel`).count()).toBe(0);

  // A mail sent from elsewhere while the card is open appears on refresh.
  const later = await sendEmail(w, w.user, { mailboxId, subject: 'From elsewhere', html: '<p>3</p>', contactIds: [w.crm.contactId] });
  await waitForStatus(w, w.user, later, 'sent');
  await ww.page.click('.leadmail-card__refresh');
  await ww.page.waitForSelector(`${item(later)} .leadmail-status--sent`);
});

/** A loopback port nothing listens on (Chromium refuses "unsafe" ports such as 9 before connecting). */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

it('shows the backend refusing the widget token, and a backend that cannot be reached, in red', async () => {
  const secret = ww.hostConfig.secret;
  try {
    await ww.reconfigure({ secret: 'not-the-client-secret' });
    await ww.boot({ area: 'settings' });
    await ww.page.waitForSelector('.leadmail-conn__backend[data-state="red"]');
    expect(await ww.page.textContent('.leadmail-conn__backend .leadmail-conn__value')).toBe('Refused: X-Auth-Token signature is invalid');
    await ww.shot('settings-refused');
    // The browser reports the 401 itself; nothing else went wrong.
    expect(ww.problems.splice(0)).toEqual([expect.stringContaining('401')]);

    await ww.reconfigure({ secret, backendUrl: `http://127.0.0.1:${await closedPort()}` });
    await ww.boot({ area: 'settings' });
    await ww.page.waitForSelector('.leadmail-conn__backend[data-state="red"]');
    expect(await ww.page.textContent('.leadmail-conn__backend .leadmail-conn__value')).toBe('Not reachable: The leadmail server cannot be reached');
    await ww.boot({ area: 'lcard', entityId: ww.w.crm.leadId });
    expect(await (await ww.page.waitForSelector('.leadmail-card .leadmail-alert--error')).textContent()).toContain('The leadmail server cannot be reached');
    expect(ww.problems.splice(0).filter((p) => !p.includes('ERR_CONNECTION_REFUSED'))).toEqual([]);
  } finally {
    await ww.reconfigure({ secret, backendUrl: ww.w.server.url });
  }
});
