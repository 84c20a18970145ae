/**
 * Advanced settings → Trigger links in real Chromium against the real backend, SMTP sink and Kommo
 * simulator (issue 9; seed 004 "Trigger links"): an administrator creates a link by clicking,
 * copies its variable, pastes it into a mail's body in compose; the mail arrives, a person's click
 * on the tracked link fires the link's triggers in Kommo and lands on the configured page, and a
 * second click fires nothing (execute once). A bad URL shows the server's words at its field; the
 * link is edited and deleted; the copy falls back to the selected field; es and pt have every key.
 */
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { createMailbox, emailIdOf, waitForStatus } from '../support/send-helpers.js';
import { eventually } from '../support/eventually.js';
import { clickPaths, executions, hit, leadNotes, noteTrigger, sentAgo, settledTracking, UA } from '../tracking/tracking-helpers.js';
import { checkAndCloseAfterTests, startWidgetWorld, type WidgetWorld } from './harness.js';

const FAMILIAR = 'Familiar with the offer';
const CLICKED = 'Offer link clicked';
const OFFER_URL = 'https://acme.example/offer.pdf';

let ww: WidgetWorld;
let sink: SmtpSink;
let familiar: string;
let clicked: string;

beforeAll(async () => {
  ww = await startWidgetWorld();
  const w = ww.w;
  sink = await startSmtpSink({ auth: { user: 'maria', pass: 'smtp-secret' } });
  await createMailbox(w, w.user, sink, { pacing: { messages: 100, seconds: 1 } });
  familiar = await noteTrigger(w, FAMILIAR);
  clicked = await noteTrigger(w, CLICKED);
  // Kommo pages are https, where the clipboard API is granted to the page; here the test grants it.
  await ww.page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ww.host.url });
}, 60_000);

checkAndCloseAfterTests(() => ({ ww, sink }));

const page = () => ww.page;
const editor = '.leadmail-tlinks-editor';

interface StoredLink {
  id: number;
  name: string;
  executeOnce: boolean;
  redirectUrl: string | null;
  triggerIds: string[];
  variable: string;
}

async function storedLinks(): Promise<StoredLink[]> {
  const res = await ww.w.api(ww.w.admin).get('/api/trigger-links');
  expect(res.status).toBe(200);
  return res.body;
}

async function openPage(lang: 'en' | 'es' | 'pt' = 'en'): Promise<void> {
  await ww.boot({ area: 'advanced_settings', userId: ww.w.crm.adminUserId, lang });
  await page().click('.leadmail-admin-tabs__tab[data-tab="tlinks"]');
  await page().waitForSelector('.leadmail-tlinks :is(.leadmail-tlinks-table, .leadmail-tlinks__empty)');
  await page().evaluate(() => document.querySelectorAll('#notifications > *').forEach((n) => n.remove()));
}

const REFUSED = 'console.error: Failed to load resource: the server responded with a status of 400 (Bad Request)';

/** The browser logs every refused request; the ones a test provokes on purpose are taken out. */
async function expectRefused(n: number): Promise<void> {
  await ww.flush();
  expect(ww.problems.splice(0)).toEqual(Array(n).fill(REFUSED));
}

const fieldError = (name: string) => page().textContent(`${editor} .leadmail-field[data-field="${name}"] .leadmail-field__error`);

it('creates a link by clicking, copies its variable into a mail, and a click on it fires the triggers once and lands on the page', async () => {
  const w = ww.w;
  await openPage();
  expect(await page().textContent('.leadmail-tlinks__empty')).toContain('No trigger links yet');
  await ww.shot('admin-tlinks-empty');

  await page().click('.leadmail-tlinks__new');
  await page().fill(`${editor} .leadmail-tlinks-editor__name`, 'Link to the offer');
  await page().check(`${editor} .leadmail-tlinks-editor__once`);
  await page().fill(`${editor} .leadmail-tlinks-editor__url`, OFFER_URL);
  await page().selectOption(`${editor} .leadmail-tlinks-triggers__add`, familiar);
  await page().selectOption(`${editor} .leadmail-tlinks-triggers__add`, clicked);
  expect(await page().$$eval(`${editor} .leadmail-tlinks-triggers__chip`, (els) => els.map((e) => e.textContent))).toEqual([`${FAMILIAR}×`, `${CLICKED}×`]);
  await ww.shot('admin-tlinks-editor');
  await page().click(`${editor} .leadmail-tlinks-editor__save`);

  // Saved: the list has the row and the editor stays open on the link, with its variable.
  const row = await page().waitForSelector('.leadmail-tlinks-row');
  const [link] = await storedLinks();
  expect(link).toMatchObject({ name: 'Link to the offer', executeOnce: true, redirectUrl: OFFER_URL, triggerIds: [familiar, clicked] });
  expect(link!.variable).toBe(`{{triggerlink ${link!.id}}}`);
  expect(await row.textContent()).toContain(`Link to the offer`);
  expect(await page().textContent('.leadmail-tlinks-row__target')).toBe(OFFER_URL);
  expect(await page().textContent('.leadmail-tlinks-row__triggers')).toBe(`${FAMILIAR}, ${CLICKED}`);
  await page().waitForSelector(`${editor}[data-link-id="${link!.id}"]`);
  expect(await page().inputValue(`${editor} .leadmail-tlinks-copy__field`)).toBe(link!.variable);

  await page().click(`${editor} .leadmail-tlinks-copy__btn`);
  expect(await page().textContent(`${editor} .leadmail-tlinks-copy__notice--copied`)).toBe('Copied: paste it into a link of your template');
  expect(await page().evaluate(() => navigator.clipboard.readText())).toBe(link!.variable);
  await ww.shot('admin-tlinks-copied');

  // A user pastes it into the href of a link in compose's HTML mode.
  await ww.boot({ area: 'lcard', entityId: w.crm.leadId });
  await page().click('.leadmail-card__new');
  const modal = '.modal .leadmail-compose';
  await page().waitForSelector(`${modal} .leadmail-recipients--to .leadmail-chip`);
  await page().fill(`${modal} .leadmail-compose__subject`, 'Your offer');
  await page().click(`${modal} .leadmail-editor__mode`);
  await page().click(`${modal} .leadmail-editor__source`);
  await page().keyboard.type('<p>Our offer: <a href="');
  await page().keyboard.press('Control+V');
  await page().keyboard.type('">Read the offer</a></p>');
  expect(await page().inputValue(`${modal} .leadmail-editor__source`)).toContain(`<a href="${link!.variable}">Read the offer</a>`);
  await page().click(`${modal} .leadmail-compose__send`);
  await page().waitForSelector(modal, { state: 'detached' });
  const [mail] = await sink.waitForMessages(1, 15_000);
  const emailId = emailIdOf(mail!);
  const paths = clickPaths(mail!.parsed.html as string).filter((p) => p.linkId === link!.id);
  expect(paths).toHaveLength(1);
  expect(mail!.parsed.html).toMatch(/<a href="http[^"]+\/t\/c\/[^"]+">Read the offer<\/a>/);

  // A person reads it ten minutes later (not a scanner at delivery) and clicks.
  await waitForStatus(w, w.user, emailId, 'sent');
  await sentAgo(w, emailId, 10 * 60_000);
  const first = await hit(w, paths[0]!.path, UA.safari);
  expect(first.status).toBe(302);
  expect(first.headers.location).toBe(OFFER_URL);
  await settledTracking(w, emailId);
  await eventually(() => expect([leadNotes(w, FAMILIAR), leadNotes(w, CLICKED)]).toEqual([1, 1]), { timeoutMs: 10_000 });

  // Execute once: a second click lands on the page again but fires nothing.
  const second = await hit(w, paths[0]!.path, UA.safari);
  expect(second.status).toBe(302);
  expect(second.headers.location).toBe(OFFER_URL);
  const tracking = await settledTracking(w, emailId);
  expect(tracking.hits.filter((h) => h.linkId === link!.id).map((h) => h.outcome).sort()).toEqual(['already_fired', 'fired']);
  expect((await executions(w, familiar)).length).toBe(1);
  expect((await executions(w, clicked)).length).toBe(1);
  expect([leadNotes(w, FAMILIAR), leadNotes(w, CLICKED)]).toEqual([1, 1]);
}, 60_000);

it('shows the server’s words at the redirect URL, then edits the link to the thank-you page and deletes it', async () => {
  const created = await ww.w.api(ww.w.admin).post('/api/trigger-links').send({ name: 'Offer to edit', executeOnce: true, redirectUrl: OFFER_URL, triggerIds: [familiar, clicked] });
  expect(created.status).toBe(201);
  const link = created.body as StoredLink;
  const row = `.leadmail-tlinks-row[data-link-id="${link.id}"]`;
  const stored = async () => (await storedLinks()).find((l) => l.id === link.id);
  await openPage();
  await page().click(`${row} .leadmail-tlinks-row__edit`);
  await page().fill(`${editor} .leadmail-tlinks-editor__url`, 'ftp://files.acme.example/offer.pdf');
  await page().click(`${editor} .leadmail-tlinks-editor__save`);
  await page().waitForSelector(`${editor} .leadmail-field[data-field="redirectUrl"] .leadmail-field__error`);
  expect(await fieldError('redirectUrl')).toBe('must be an http or https URL');
  expect(await page().getAttribute(`${editor} .leadmail-tlinks-editor__url`, 'class')).toContain('leadmail-input--invalid');
  await ww.shot('admin-tlinks-error');
  expect((await stored())!.redirectUrl).toBe(OFFER_URL);
  await expectRefused(1);

  // An unnamed link is refused at its name.
  await page().fill(`${editor} .leadmail-tlinks-editor__name`, '  ');
  await page().click(`${editor} .leadmail-tlinks-editor__save`);
  await page().waitForSelector(`${editor} .leadmail-field[data-field="name"] .leadmail-field__error`);
  expect(await fieldError('name')).toBe('is required');
  expect(await page().$(`${editor} .leadmail-field[data-field="redirectUrl"] .leadmail-field__error`)).toBeNull();
  await expectRefused(1);

  await page().fill(`${editor} .leadmail-tlinks-editor__name`, 'Call me back');
  await page().check(`${editor} .leadmail-tlinks-editor__to-thanks`);
  await page().uncheck(`${editor} .leadmail-tlinks-editor__once`);
  await page().click(`${editor} .leadmail-tlinks-triggers__chip[data-trigger-id="${familiar}"] .leadmail-chip__remove`);
  await page().click(`${editor} .leadmail-tlinks-editor__save`);
  await page().waitForSelector(`${row} .leadmail-tlinks-row__name >> text=Call me back`);
  expect(await stored()).toMatchObject({ name: 'Call me back', executeOnce: false, redirectUrl: null, triggerIds: [clicked] });
  expect(await page().textContent(`${row} .leadmail-tlinks-row__target`)).toBe('“Thank you!” page');
  expect(await page().textContent(`${row} .leadmail-tlinks-row__once`)).toBe('On every click');

  await page().click(`${editor} .leadmail-tlinks-editor__delete`);
  expect(await page().textContent(`${editor} .leadmail-tlinks-editor__confirm`)).toContain('Delete this link?');
  await page().click(`${editor} .leadmail-tlinks-editor__delete-yes`);
  await page().waitForSelector(row, { state: 'detached' });
  expect(await page().$(editor)).toBeNull();
  expect((await ww.w.api(ww.w.admin).get(`/api/trigger-links/${link.id}`)).status).toBe(404);
});

it('copies through the selected field when the clipboard API refuses, and asks for Ctrl+C when that fails too', async () => {
  const res = await ww.w.api(ww.w.admin).post('/api/trigger-links').send({ name: 'Fallback', triggerIds: [clicked] });
  expect(res.status).toBe(201);
  await openPage();
  await page().evaluate(() => {
    navigator.clipboard.writeText = () => Promise.reject(new DOMException('Write permission denied.', 'NotAllowedError'));
  });
  const row = `.leadmail-tlinks-row[data-link-id="${res.body.id}"]`;
  await page().click(`${row} .leadmail-tlinks-copy__btn`);
  await page().waitForSelector(`${row} .leadmail-tlinks-copy__notice--copied`);
  await ww.shot('admin-tlinks-list');
  // The field holding the variable is selected, and what it copied is on the clipboard.
  const selected = await page().evaluate(() => {
    const el = document.activeElement as HTMLInputElement;
    return { cls: el.className, text: el.value.slice(el.selectionStart ?? 0, el.selectionEnd ?? 0) };
  });
  expect(selected).toEqual({ cls: expect.stringContaining('leadmail-tlinks-copy__field'), text: res.body.variable });
  expect(await page().evaluate(() => navigator.clipboard.readText())).toBe(res.body.variable);

  // Where even that is refused, the text stays selected and the user is told to press Ctrl+C.
  await page().evaluate(() => {
    document.execCommand = () => false;
  });
  await page().click(`${row} .leadmail-tlinks-copy__btn`);
  expect(await page().textContent(`${row} .leadmail-tlinks-copy__notice--manual`)).toBe('Press Ctrl+C (⌘C on a Mac) to copy the selected text');
  expect(await page().evaluate(() => (document.activeElement as HTMLInputElement).selectionEnd)).toBe(res.body.variable.length);
});

it.each(['es', 'pt'] as const)('renders the page and the editor in %s with every key', async (lang) => {
  expect((await ww.w.api(ww.w.admin).post('/api/trigger-links').send({ name: `Oferta (${lang})`, executeOnce: true, redirectUrl: OFFER_URL, triggerIds: [familiar] })).status).toBe(201);
  await openPage(lang);
  expect(await page().textContent('.leadmail-tlinks .leadmail-h2')).toBe(lang === 'es' ? 'Enlaces disparadores' : 'Links de gatilho');
  await page().click('.leadmail-tlinks-row .leadmail-tlinks-row__edit');
  await page().waitForSelector(`${editor} .leadmail-tlinks-copy__field`);
  await page().click('.leadmail-tlinks__new');
  await page().click(`${editor} .leadmail-tlinks-editor__save`);
  await page().waitForSelector(`${editor} .leadmail-field[data-field="name"] .leadmail-field__error`);
  await ww.shot(`admin-tlinks-${lang}`);
  await expectRefused(1);
});
