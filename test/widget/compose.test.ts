/**
 * Compose in real Chromium, inside the fake Kommo page, against the real backend, SMTP sink and
 * Kommo simulator: a mail written and sent from a lead card arrives rendered with the lead's data;
 * the variable picker and the preview; an attachment dropped in arrives attached; a typed invalid
 * address is refused at its chip; a server 400 shows at its field; a template fills the form and
 * the form saves as a template; es and pt have every key. Screenshots of the modal.
 */
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { createMailbox, createTemplate } from '../support/send-helpers.js';
import { noteTrigger } from '../tracking/tracking-helpers.js';
import { imapUser } from '../support/imap-client.js';
import { checkAndCloseAfterTests, startWidgetWorld, type WidgetWorld } from './harness.js';

const NOTE = 'Offer mailed';
let ww: WidgetWorld;
let sink: SmtpSink;
let trigger: string;
let templateId: string;
let linkId: number;

beforeAll(async () => {
  ww = await startWidgetWorld();
  const w = ww.w;
  sink = await startSmtpSink({ auth: { user: 'maria', pass: 'smtp-secret' } });
  // One mailbox checked green (SMTP and IMAP), one red (the SMTP server refuses its password).
  const green = await createMailbox(w, w.user, sink, { imapUser: imapUser(3), pacing: { messages: 100, seconds: 1 } });
  const red = await createMailbox(w, w.user, sink, { smtpPass: 'wrong', from: 'old@acme.example' });
  expect((await w.api(w.user).post(`/api/mailboxes/${green}/check`)).body.status).toBe('green');
  expect((await w.api(w.user).post(`/api/mailboxes/${red}/check`)).body.status).toBe('red');
  trigger = await noteTrigger(w, NOTE);
  expect((await w.api(w.user).put('/api/me/signature').send({ html: '<p>Maria Sales, Acme</p>' })).status).toBe(200);
  const link = await w.api(w.admin).post('/api/trigger-links').send({ name: 'Book a call', redirectUrl: 'https://acme.example/book' });
  expect(link.status).toBe(201);
  linkId = link.body.id;
  templateId = await createTemplate(w, w.user, { name: 'Price list', subject: 'Prices for {{lead.name}}', html: '<p>Dear {{contact.first_name}}, our prices.</p>', triggers: { sent: [trigger] } });
  const att = await w.api(w.user).post(`/api/templates/${templateId}/attachments`).attach('files', Buffer.from('price,1\n'), 'prices.csv');
  expect(att.status).toBe(200);
}, 60_000);

checkAndCloseAfterTests(() => ({ ww, sink }));

const page = () => ww.page;
const modal = '.modal .leadmail-compose';

async function openCompose(lang: 'en' | 'es' | 'pt' = 'en'): Promise<void> {
  await ww.boot({ area: 'lcard', entityId: ww.w.crm.leadId, lang });
  // Toasts of earlier tests would cover the modal in the screenshots.
  await page().evaluate(() => document.querySelectorAll('#notifications > *').forEach((n) => n.remove()));
  await page().click('.leadmail-card__new');
  // The main contact is offered as the first recipient once everything is loaded.
  await page().waitForSelector(`${modal} .leadmail-recipients--to .leadmail-chip`);
}

/** What the visual editor holds (its document's body). */
const editorHtml = () => page().$eval(`${modal} .leadmail-editor__frame`, (f) => (f as HTMLIFrameElement).contentDocument!.body.innerHTML);

async function pickVariable(key: string): Promise<void> {
  await page().click(`${modal} .leadmail-variables .leadmail-dropdown__toggle`);
  await page().click(`${modal} .leadmail-variables__item[data-key="${key}"]`);
}

/** A drop of `files` on `selector`, as the browser fires it when files are dragged in from the desktop. */
async function dropFiles(selector: string, files: { name: string; type: string; text?: string; bytes?: number }[]): Promise<void> {
  await page().evaluate(
    ({ selector, files }) => {
      const dt = new DataTransfer();
      for (const f of files) dt.items.add(new File([f.text ?? new Uint8Array(f.bytes ?? 0)], f.name, { type: f.type }));
      const el = document.querySelector(selector)!;
      el.dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: dt }));
      el.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));
    },
    { selector, files },
  );
}

it('writes and sends from a lead card: the SMTP server gets the mail rendered with the lead’s data, and the card shows it', async () => {
  const w = ww.w;
  await openCompose();
  expect(await page().textContent(`${modal} .leadmail-recipients--to .leadmail-chip`)).toContain('John Smith');
  expect(await page().getAttribute(`${modal} .leadmail-from .leadmail-dropdown__toggle .leadmail-light`, 'data-light')).toBe('green');
  expect(await page().textContent(`${modal} .leadmail-from`)).toContain('<maria@acme.example>');
  await ww.shot('compose-empty');
  await page().click(`${modal} .leadmail-from .leadmail-dropdown__toggle`);
  const lights = await page().$$eval(`${modal} .leadmail-from__option`, (els) => els.map((e) => [e.textContent, e.querySelector('.leadmail-light')!.getAttribute('data-light')]));
  expect(lights.sort()).toEqual([
    ['Maria Sales <maria@acme.example>', 'green'],
    ['Maria Sales <old@acme.example>', 'red'],
  ]);
  await ww.shot('compose-from');
  await page().click(`${modal} .leadmail-from__option.leadmail-is-active`);

  await page().click(`${modal} .leadmail-recipients__offer[data-contact-id="${w.crm.secondContactId}"]`);
  await page().click(`${modal} .leadmail-compose__add-cc`);
  await page().fill(`${modal} .leadmail-recipients--cc .leadmail-chips__input`, 'boss@partner.example');
  await page().press(`${modal} .leadmail-recipients--cc .leadmail-chips__input`, 'Enter');
  await page().fill(`${modal} .leadmail-compose__subject`, 'Offer for ');
  await pickVariable('lead.name');
  expect(await page().inputValue(`${modal} .leadmail-compose__subject`)).toBe('Offer for {{lead.name}}');
  await page().click(`${modal} .leadmail-editor__frame`);
  await page().keyboard.type('Hello ');
  await pickVariable('contact.first_name');
  await page().keyboard.type(', here is the offer.');
  await page().click(`${modal} .leadmail-triggerlinks .leadmail-dropdown__toggle`);
  await page().click(`${modal} .leadmail-triggerlinks__item[data-link-id="${linkId}"]`);
  await page().click(`${modal} .leadmail-compose__triggers summary`);
  await page().selectOption(`${modal} .leadmail-points__add[data-point="sent"]`, trigger);
  expect(await page().textContent(`${modal} .leadmail-points__row--sent .leadmail-chip`)).toContain(NOTE);
  await ww.shot('compose-filled');

  await page().click(`${modal} .leadmail-compose__send`);
  await page().waitForSelector(modal, { state: 'detached' });
  const [mail] = await sink.waitForMessages(1, 15_000);
  expect(mail!.parsed.subject).toBe('Offer for Big deal');
  expect(mail!.parsed.html).toContain('Hello John, here is the offer.');
  expect(mail!.parsed.html).toMatch(/<a href="http[^"]+\/t\/c\/[^"]+"[^>]*>Book a call<\/a>/);
  expect(mail!.parsed.text).toContain('Hello John, here is the offer.');
  expect(mail!.envelope.rcptTo.sort()).toEqual(['boss@partner.example', 'jane@client.example', 'john@client.example']);
  // The card panel shows the new mail without a reload.
  await page().waitForSelector('.leadmail-email .leadmail-email__subject >> text=Offer for Big deal');
  const [sent] = (await w.api(w.user).get(`/api/emails?entityType=leads&entityId=${w.crm.leadId}`)).body as { triggerRuns: unknown[]; cc: string[] }[];
  expect(sent!.cc).toEqual(['boss@partner.example']);
  expect(await page().textContent('#notifications')).toContain('The email is on its way');
});

it('previews the body with the lead’s real data in a sandboxed frame, HTML and text', async () => {
  await openCompose();
  await page().fill(`${modal} .leadmail-compose__subject`, 'About {{lead.name}}');
  await page().click(`${modal} .leadmail-editor__frame`);
  await page().keyboard.type('Your deal: ');
  await pickVariable('lead.name');
  expect(await editorHtml()).toContain('Your deal: {{lead.name}}');
  await page().click(`${modal} .leadmail-compose__preview`);
  const frame = await page().waitForSelector(`${modal} iframe.leadmail-preview__frame`);
  expect(await frame.getAttribute('sandbox')).toBe('');
  expect(await frame.getAttribute('srcdoc')).toContain('Your deal: Big deal');
  // With the sender's signature, as it will be sent.
  expect(await frame.getAttribute('srcdoc')).toContain('<p>Maria Sales, Acme</p>');
  expect(await (await frame.contentFrame())!.textContent('body')).toContain('Your deal: Big deal');
  expect(await page().textContent(`${modal} .leadmail-preview__subject`)).toContain('About Big deal');
  await page().click(`${modal} .leadmail-preview__textpart summary`);
  expect(await page().textContent(`${modal} .leadmail-preview__text`)).toMatch(/Your deal: Big deal[\s\S]*Maria Sales, Acme/);
  await ww.shot('compose-preview');
  // Back to editing keeps what was written.
  await page().click(`${modal} .leadmail-preview__back`);
  expect(await editorHtml()).toContain('Your deal: {{lead.name}}');
});

it('attaches a file dropped on the form and sends it; refuses what would pass 100 MB', async () => {
  const before = sink.messages.length;
  await openCompose();
  await page().fill(`${modal} .leadmail-compose__subject`, 'Your report');
  await page().click(`${modal} .leadmail-editor__frame`);
  await page().keyboard.type('Attached.');
  await dropFiles(`${modal} .leadmail-attachments`, [{ name: 'report.txt', type: 'text/plain', text: 'quarterly numbers' }]);
  expect(await page().textContent(`${modal} .leadmail-attachment[data-name="report.txt"]`)).toContain('report.txt');
  await dropFiles(`${modal} .leadmail-attachments`, [{ name: 'huge.bin', type: 'application/octet-stream', bytes: 101 * 1024 * 1024 }]);
  expect(await page().textContent(`${modal} [data-error-for="files"]`)).toBe('Not attached, the attachments would exceed 100 MB: huge.bin');
  expect(await page().locator(`${modal} .leadmail-attachment[data-name="huge.bin"]`).count()).toBe(0);
  // Every upload percentage the bar shows while the mail goes up (XHR upload progress events).
  await page().evaluate(() => {
    const seen: string[] = ((window as unknown as { __progress: string[] }).__progress = []);
    new MutationObserver(() => {
      const v = document.querySelector('.leadmail-progress')?.getAttribute('aria-valuenow');
      if (v && seen[seen.length - 1] !== v) seen.push(v);
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  await page().click(`${modal} .leadmail-compose__send`);
  await page().waitForSelector(modal, { state: 'detached' });
  const mails = await sink.waitForMessages(before + 1, 15_000);
  const mail = mails[before]!;
  expect(mail.parsed.subject).toBe('Your report');
  expect(mail.parsed.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([['report.txt', 'quarterly numbers']]);
  const progress = (await page().evaluate(() => (window as unknown as { __progress: string[] }).__progress)).map(Number);
  expect(progress[0]).toBe(0);
  expect(progress[progress.length - 1]).toBe(100);
  expect([...progress].sort((a, b) => a - b)).toEqual(progress);
});

/** A paste of an image file into the editor, as the browser fires it for a screenshot on the clipboard. */
async function pasteImage(name: string, bytes: number): Promise<void> {
  await page().evaluate(
    ({ name, bytes }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(bytes).fill(7)], name, { type: 'image/png' }));
      document.querySelector<HTMLIFrameElement>('.modal .leadmail-editor__frame')!.contentDocument!.body.dispatchEvent(new ClipboardEvent('paste', { bubbles: true, cancelable: true, clipboardData: dt }));
    },
    { name, bytes },
  );
}

it('inlines a pasted image up to 5 MB, refuses a larger one, and sends it with an attachment', async () => {
  const before = sink.messages.length;
  await openCompose();
  await page().fill(`${modal} .leadmail-compose__subject`, 'Floor plan');
  await page().click(`${modal} .leadmail-editor__frame`);
  await page().keyboard.type('See the plan: ');
  await pasteImage('huge.png', 5 * 1024 * 1024 + 1);
  expect(await page().textContent(`${modal} .leadmail-editor__error`)).toBe('huge.png is larger than 5 MB: images may be at most 5 MB.');
  await pasteImage('plan.png', 2 * 1024 * 1024);
  await page().frameLocator(`${modal} .leadmail-editor__frame`).locator('img[alt="plan.png"]').waitFor();
  await dropFiles(`${modal} .leadmail-attachments`, [{ name: 'notes.txt', type: 'text/plain', text: 'see plan' }]);
  await page().click(`${modal} .leadmail-compose__send`);
  await page().waitForSelector(modal, { state: 'detached' });
  const mail = (await sink.waitForMessages(before + 1, 15_000))[before]!;
  expect(mail.parsed.html).toMatch(/<img src="data:image\/png;base64,BwcH[^"]+" alt="plan.png"/);
  // The image travels as an inline part (cid:), the file as an attachment.
  expect(mail.parsed.attachments.map((a) => [a.contentDisposition, a.contentType, a.contentDisposition === 'inline' ? a.size : a.filename]).sort()).toEqual([
    ['attachment', 'text/plain', 'notes.txt'],
    ['inline', 'image/png', 2 * 1024 * 1024],
  ]);
});

it('marks a typed invalid address on its chip at once and does not send', async () => {
  const before = (await ww.w.api(ww.w.user).get(`/api/emails?entityType=leads&entityId=${ww.w.crm.leadId}`)).body.length;
  await openCompose();
  const input = `${modal} .leadmail-recipients--to .leadmail-chips__input`;
  await page().fill(input, 'john@@client');
  await page().press(input, 'Enter');
  const chip = page().locator(`${modal} .leadmail-recipients--to .leadmail-chip--invalid`);
  expect(await chip.textContent()).toContain('john@@client');
  expect(await page().textContent(`${modal} .leadmail-recipients__invalid`)).toBe('Not a valid email address: john@@client');
  await page().fill(`${modal} .leadmail-compose__subject`, 'Hi');
  await page().click(`${modal} .leadmail-compose__send`);
  expect(await page().textContent(`${modal} [data-error-for="to"]`)).toBe('Correct or remove the invalid addresses first.');
  expect((await ww.w.api(ww.w.user).get(`/api/emails?entityType=leads&entityId=${ww.w.crm.leadId}`)).body.length).toBe(before);
  // A valid typed address becomes a normal chip.
  await page().fill(input, 'ok@client.example,');
  expect(await page().locator(`${modal} .leadmail-recipients--to .leadmail-chip:not(.leadmail-chip--invalid)`).count()).toBe(2);
});

it('shows a server 400 at the field it names', async () => {
  await openCompose();
  await page().fill(`${modal} .leadmail-compose__subject`, 'Hello {{#if}}');
  await page().click(`${modal} .leadmail-editor__frame`);
  await page().keyboard.type('Body');
  await page().click(`${modal} .leadmail-compose__send`);
  const err = await page().waitForSelector(`${modal} [data-error-for="subject"]`);
  expect(await err.textContent()).toMatch(/^Template subject has an error/);
  expect(await page().getAttribute(`${modal} .leadmail-compose__subject`, 'class')).toContain('leadmail-input--invalid');
  expect(await page().locator(modal).count()).toBe(1);
  await ww.flush();
  // The browser itself logs the 400 response; nothing else went wrong.
  expect(ww.problems.splice(0)).toEqual([expect.stringContaining('400')]);
});

it('edits the HTML source, and inserts a link around the selected words', async () => {
  await openCompose();
  await page().click(`${modal} .leadmail-editor__frame`);
  await page().keyboard.type('Read the terms');
  await page().keyboard.down('Shift');
  for (let i = 0; i < 'the terms'.length; i++) await page().keyboard.press('ArrowLeft');
  await page().keyboard.up('Shift');
  await page().click(`${modal} .leadmail-editor__link`);
  await page().fill(`${modal} .leadmail-editor__link-url`, 'https://acme.example/terms');
  await page().click(`${modal} .leadmail-editor__link-ok`);
  expect(await editorHtml()).toBe('Read <a href="https://acme.example/terms">the terms</a>');
  await page().click(`${modal} .leadmail-editor__mode`);
  expect(await page().inputValue(`${modal} .leadmail-editor__source`)).toBe('Read <a href="https://acme.example/terms">the terms</a>');
  await page().fill(`${modal} .leadmail-editor__source`, '<h1>Terms</h1><p>Read them, {{contact.first_name}}.</p>');
  await page().click(`${modal} .leadmail-editor__mode`);
  expect(await editorHtml()).toBe('<h1>Terms</h1><p>Read them, {{contact.first_name}}.</p>');
  await page().click(`${modal} .leadmail-compose__preview`);
  const frame = await page().waitForSelector(`${modal} iframe.leadmail-preview__frame`);
  expect(await frame.getAttribute('srcdoc')).toContain('<h1>Terms</h1><p>Read them, John.</p>');
});

it('fills everything from a template, and saves the form as a new template', async () => {
  await openCompose();
  await page().selectOption(`${modal} .leadmail-templatebar__pick`, templateId);
  expect(await page().inputValue(`${modal} .leadmail-compose__subject`)).toBe('Prices for {{lead.name}}');
  expect(await editorHtml()).toBe('<p>Dear {{contact.first_name}}, our prices.</p>');
  expect(await page().textContent(`${modal} .leadmail-attachment--template`)).toContain('prices.csv');
  expect(await page().textContent(`${modal} .leadmail-points__row--sent .leadmail-chip`)).toContain(NOTE);

  await page().fill(`${modal} .leadmail-compose__subject`, 'Prices again for {{lead.name}}');
  await page().click(`${modal} .leadmail-templatebar__save`);
  await page().fill(`${modal} .leadmail-templatebar__name`, 'Prices v2');
  await page().click(`${modal} .leadmail-templatebar__confirm`);
  await page().waitForSelector(`${modal} .leadmail-templatebar__pick option >> text=Prices v2`, { state: 'attached' });
  const list = (await ww.w.api(ww.w.user).get('/api/templates')).body as { name: string; subject: string; html: string; triggers: { sent: string[] } }[];
  const saved = list.find((x) => x.name === 'Prices v2')!;
  expect(saved).toMatchObject({ subject: 'Prices again for {{lead.name}}', html: '<p>Dear {{contact.first_name}}, our prices.</p>', triggers: { sent: [trigger] } });
});

it('edits a template’s whole document without running its scripts or restyling Kommo, and sends it whole', async () => {
  const before = sink.messages.length;
  const hostile = await createTemplate(ww.w, ww.w.user, {
    name: 'Styled',
    subject: 'Styled for {{lead.name}}',
    html: '<html><head><style>p{color:#123456} body{background:#ff0000}</style></head><body><p>Styled {{lead.name}}</p><img src="data:image/png;base64,AAAA" onerror="parent.__xss=1"></body></html>',
  });
  await openCompose();
  await page().selectOption(`${modal} .leadmail-templatebar__pick`, hostile);
  await page().frameLocator(`${modal} .leadmail-editor__frame`).locator('p').waitFor();
  expect(await page().evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(await page().evaluate(() => getComputedStyle(document.body).backgroundColor)).not.toBe('rgb(255, 0, 0)');
  await page().frameLocator(`${modal} .leadmail-editor__frame`).locator('p').click();
  await page().keyboard.press('End');
  await page().keyboard.type(' today');
  await page().click(`${modal} .leadmail-compose__send`);
  await page().waitForSelector(modal, { state: 'detached' });
  const mail = (await sink.waitForMessages(before + 1, 15_000))[before]!;
  expect(mail.parsed.html).toContain('p{color:#123456}');
  expect(mail.parsed.html).toContain('<p>Styled Big deal today</p>');
  expect(mail.parsed.html).not.toContain('data-leadmail-editor');
  expect(mail.parsed.html).not.toContain('contenteditable');
  await ww.flush();
  // Chromium reports the blocked handler; nothing ran.
  const problems = ww.problems.splice(0);
  expect(problems.length).toBeGreaterThan(0);
  expect(problems.filter((p) => !/^console\.error: Blocked script execution in .* the document's frame is sandboxed and the 'allow-scripts' permission is not set\.$/.test(p))).toEqual([]);
  expect(await page().evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
});

it.each([
  ['es', 'Enviar', 'Vista previa'],
  ['pt', 'Enviar', 'Pré-visualizar'],
] as const)('renders in %s with every key present', async (lang, send, preview) => {
  await openCompose(lang);
  expect(await page().textContent(`${modal} .leadmail-compose__send`)).toBe(send);
  expect(await page().textContent(`${modal} .leadmail-compose__preview`)).toContain(preview);
  await page().click(`${modal} .leadmail-compose__add-cc`);
  await page().click(`${modal} .leadmail-compose__triggers summary`);
  await page().click(`${modal} .leadmail-variables .leadmail-dropdown__toggle`);
  expect(await page().textContent(modal)).not.toMatch(/\b(compose|common)\.[a-z_]+/);
  await ww.shot(`compose-${lang}`);
});
