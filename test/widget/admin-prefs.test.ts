/**
 * Advanced settings → Signature and limits in real Chromium against the real backend and SMTP sink
 * (issue 9): a user writes a signature in the rich-text editor, sees it previewed, saves it, and
 * the next mail they send carries it; a user sees no account limits and the server refuses them
 * anyway; an administrator changes the same-template limit, and 0 or 5000 show the server's words
 * at the field; es and pt have every key.
 */
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { createMailbox, sendEmail } from '../support/send-helpers.js';
import { checkAndCloseAfterTests, startWidgetWorld, type WidgetWorld } from './harness.js';

let ww: WidgetWorld;
let sink: SmtpSink;
let mailboxId: string;

beforeAll(async () => {
  ww = await startWidgetWorld();
  sink = await startSmtpSink({ auth: { user: 'maria', pass: 'smtp-secret' } });
  mailboxId = await createMailbox(ww.w, ww.w.user, sink, { pacing: { messages: 100, seconds: 1 } });
}, 60_000);

checkAndCloseAfterTests(() => ({ ww, sink }));

const page = () => ww.page;
const REFUSED = 'console.error: Failed to load resource: the server responded with a status of 400 (Bad Request)';

/** The browser logs every refused request; the ones a test provokes on purpose are taken out. */
async function expectRefused(n: number): Promise<void> {
  await ww.flush();
  expect(ww.problems.splice(0)).toEqual(Array(n).fill(REFUSED));
}

async function openPage(userId: number, lang: 'en' | 'es' | 'pt' = 'en'): Promise<void> {
  await ww.boot({ area: 'advanced_settings', userId, lang });
  await page().click('.leadmail-admin-tabs__tab[data-tab="prefs"]');
  await page().waitForSelector('.leadmail-prefs-signature .leadmail-editor__frame');
}

const editorHtml = () => page().$eval('.leadmail-prefs-signature .leadmail-editor__frame', (f) => (f as HTMLIFrameElement).contentDocument!.body.innerHTML);
const limitsError = () => page().textContent('.leadmail-prefs-limits .leadmail-field[data-field="sameTemplatePerDay"] .leadmail-field__error');

async function storedLimit(): Promise<number> {
  const res = await ww.w.api(ww.w.admin).get('/api/account/settings');
  expect(res.status).toBe(200);
  return res.body.sameTemplatePerDay;
}

it('a user writes and saves a signature in the editor, and the next mail they send carries it; they see no limits', async () => {
  const w = ww.w;
  await openPage(w.crm.userId);
  expect(await page().$('.leadmail-prefs-limits')).toBeNull();
  expect(await page().textContent('.leadmail-prefs-signature__none')).toContain('No signature');

  await page().click('.leadmail-prefs-signature .leadmail-editor__frame');
  await page().keyboard.type('Maria Sales');
  await page().keyboard.press('Enter');
  await page().click('.leadmail-prefs-signature .leadmail-editor__bold');
  await page().keyboard.type('Acme Corp');
  expect(await editorHtml()).toMatch(/Maria Sales.*<b>Acme Corp<\/b>/s);
  expect(await page().textContent('.leadmail-prefs-signature__state')).toBe('Unsaved changes');
  const preview = await page().waitForSelector('iframe.leadmail-prefs-signature__frame');
  // Sandboxed without scripts: the preview is the user's HTML and nothing of it runs.
  expect(await preview.getAttribute('sandbox')).toBe('');
  expect(await preview.getAttribute('srcdoc')).toMatch(/<div class="leadmail-signature">.*Maria Sales.*<b>Acme Corp<\/b>/s);

  await page().click('.leadmail-prefs-signature__save');
  await page().waitForSelector('.leadmail-prefs-signature__state[data-state="saved"]');
  expect(await page().textContent('.leadmail-prefs-signature__state')).toBe('Saved');
  const stored = (await w.api(w.user).get('/api/me/signature')).body.html as string;
  expect(stored).toMatch(/Maria Sales.*<b>Acme Corp<\/b>/s);
  await ww.shot('admin-prefs-signature');

  await sendEmail(w, w.user, { mailboxId, to: ['john@client.example'], subject: 'After the signature', html: '<p>Hello John</p>' });
  const [mail] = await sink.waitForMessages(1, 15_000);
  expect(mail!.parsed.html).toContain(`<div class="leadmail-signature">${stored}</div>`);
  expect(mail!.parsed.text).toMatch(/Hello John[\s\S]*Maria Sales[\s\S]*Acme Corp/);

  // Reopened, the editor holds the saved signature; the limits stay out of reach for a user.
  await openPage(w.crm.userId);
  expect(await editorHtml()).toBe(stored);
  expect(await page().textContent('.leadmail-prefs-signature__state')).toBe('Saved');
  const refused = await w.api(w.user).put('/api/account/settings').send({ sameTemplatePerDay: 10 });
  expect(refused.status).toBe(403);
  expect(await storedLimit()).toBe(3);
});

it('an administrator changes the same-template limit; 0 and 5000 show the server’s words at the field', async () => {
  await openPage(ww.w.crm.adminUserId);
  await page().waitForSelector('.leadmail-prefs-limits__input');
  expect(await page().inputValue('.leadmail-prefs-limits__input')).toBe('3');

  for (const [typed, words] of [
    ['0', 'must be at least 1'],
    ['5000', 'must be at most 1000'],
  ] as const) {
    await page().fill('.leadmail-prefs-limits__input', typed);
    await page().click('.leadmail-prefs-limits__save');
    await page().waitForSelector('.leadmail-prefs-limits .leadmail-field__error');
    expect(await limitsError()).toBe(words);
    expect(await page().getAttribute('.leadmail-prefs-limits__input', 'class')).toContain('leadmail-input--invalid');
    if (typed === '0') await ww.shot('admin-prefs-limits-error');
    await expectRefused(1);
    expect(await storedLimit()).toBe(3);
  }

  await page().fill('.leadmail-prefs-limits__input', '7');
  await page().click('.leadmail-prefs-limits__save');
  await page().waitForSelector('.leadmail-prefs-limits__state[data-state="saved"]');
  expect(await page().$('.leadmail-prefs-limits .leadmail-field__error')).toBeNull();
  expect(await storedLimit()).toBe(7);
  await ww.shot('admin-prefs-admin');
});

it.each(['es', 'pt'] as const)('renders the page in %s with every key', async (lang) => {
  await openPage(ww.w.crm.adminUserId, lang);
  await page().waitForSelector('.leadmail-prefs-limits__input');
  expect(await page().textContent('.leadmail-prefs-signature .leadmail-h2')).toBe(lang === 'es' ? 'Su firma' : 'A sua assinatura');
  await page().click('.leadmail-prefs-signature .leadmail-editor__frame');
  await page().keyboard.type('Equipo');
  await page().fill('.leadmail-prefs-limits__input', '0');
  await page().click('.leadmail-prefs-limits__save');
  await page().waitForSelector('.leadmail-prefs-limits .leadmail-field__error');
  await ww.shot(`admin-prefs-${lang}`);
  await expectRefused(1);
});
