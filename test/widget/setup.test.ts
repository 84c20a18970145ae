/**
 * Mailbox quick set-up and "Resend" in the card panel, in real Chromium against the real backend,
 * the SMTP sink and Dovecot: a user with no mailbox gets the set-up form instead of "New email";
 * a bad field shows the server's error at that input; a wrong password is red with the server's
 * words and the hint; corrected, it turns green (SMTP + Dovecot IMAP with the same login) and the
 * panel offers "New email"; SMTP alone is grey; a server's reply stays text; a failed mail resent
 * from the panel arrives at the sink; es and pt render with every key.
 */
import { SINK_FAILURES, type SmtpSink } from '../support/smtp-sink.js';
import { IMAP_PASSWORD } from '../support/imap-client.js';
import { emailIdOf, sendEmail, waitForStatus } from '../support/send-helpers.js';
import { eventually } from '../support/eventually.js';
import { mailboxPayload } from '../support/mailbox-payload.js';
import { tallShot, type WidgetWorld } from './harness.js';
import { fillGeneric as fillGenericMailbox, withMailboxWorld } from './mailbox-form-helpers.js';

let ww: WidgetWorld;
let sink: SmtpSink;
let address: string;

withMailboxWorld((world) => ({ ww, sink, address } = world));

const field = (name: string) => `.leadmail-setup__field[data-field="${name}"]`;
const input = (name: string) => `.leadmail-setup [name="${name}"]`;

/** Maria's mailboxes, removed so the card shows the set-up again. */
async function removeMailboxes(): Promise<void> {
  const w = ww.w;
  for (const m of (await w.api(w.user).get('/api/mailboxes')).body as { id: string }[]) {
    expect((await w.api(w.user).delete(`/api/mailboxes/${m.id}`)).status).toBeLessThan(300);
  }
}

async function openSetup(lang: 'en' | 'es' | 'pt' = 'en'): Promise<void> {
  await ww.boot({ area: 'lcard', entityId: ww.w.crm.leadId, lang });
  await ww.page.waitForSelector('.leadmail-setup [name="preset"]');
  expect(await ww.page.locator('.leadmail-card__new').count()).toBe(0);
}

/** A mail from `mailboxId` that the sink refused for good: the panel offers to resend it. */
async function failedMail(mailboxId: string): Promise<string> {
  const w = ww.w;
  sink.failNext(1, SINK_FAILURES.spam);
  const id = await sendEmail(w, w.user, { mailboxId, subject: 'Offer to resend', html: '<p>Hello</p>', contactIds: [w.crm.contactId] });
  await waitForStatus(w, w.user, id, 'failed');
  return id;
}

const fillGeneric = (opts: { displayName?: string; password: string; imap: boolean }) => fillGenericMailbox(ww, input, { sink, address }, opts);

const fullShot = (name: string) => tallShot(ww, name, 1500);

async function storedCheck(): Promise<{ id: string; check: { status: string; smtp: { serverText: string; hint: string } } }> {
  const list = (await ww.w.api(ww.w.user).get('/api/mailboxes')).body;
  expect(list).toHaveLength(1);
  return list[0];
}

it('sets a mailbox up from the card: field error, red with the server’s words after a wrong password, then green', async () => {
  const page = ww.page;
  await openSetup();
  // A provider fills its servers and says what password it needs.
  await page.selectOption(input('preset'), 'gmail');
  await page.click('.leadmail-setup__servers-toggle');
  expect(await page.inputValue(input('smtpHost'))).toBe('smtp.gmail.com');
  expect(await page.inputValue(input('smtpPort'))).toBe('465');
  expect(await page.inputValue(input('imapHost'))).toBe('imap.gmail.com');
  expect(await page.textContent('.leadmail-setup__note')).toContain('app password');
  await fullShot('setup-gmail');
  await page.selectOption(input('preset'), 'yandex');
  expect(await page.inputValue(input('smtpHost'))).toBe('smtp.yandex.com');
  expect(await page.textContent('.leadmail-setup__note')).toContain('app password');

  // The server names the address: its words appear under that input.
  await fillGeneric({ password: 'wrong-password', imap: false });
  await page.fill(input('address'), 'maria-at-acme');
  const refused = await ww.w.api(ww.w.user).post('/api/mailboxes').send({ displayName: 'x', fromAddress: 'maria-at-acme', smtp: { host: 'h.example', port: 25, security: 'none', auth: false } });
  expect(refused.body.error.details.issues[0].path).toBe('body.fromAddress');
  await page.click('.leadmail-setup__save');
  expect(await (await page.waitForSelector(`${field('address')} .leadmail-setup__field-error`)).textContent()).toBe(refused.body.error.details.issues[0].message);
  expect(await page.locator(`${field('password')} .leadmail-setup__field-error`).count()).toBe(0);
  await fullShot('setup-field-error');
  await ww.flush();
  // The browser reports the 400 itself; nothing else went wrong.
  expect(ww.problems.splice(0)).toEqual([expect.stringContaining('status of 400')]);

  // Wrong password: saved, checked, red — the sink's 535 and the hint, and still the form.
  await page.fill(input('address'), address);
  expect(await page.locator(`${field('address')} .leadmail-setup__field-error`).count()).toBe(0);
  await page.click('.leadmail-setup__save');
  await page.waitForSelector('.leadmail-setup .leadmail-setup-check[data-status="red"]');
  const red = await storedCheck();
  expect(red.check.status).toBe('red');
  expect(red.check.smtp.serverText).toMatch(/535/);
  expect(await page.textContent('.leadmail-setup-check__server')).toBe(`Sending (SMTP): ${red.check.smtp.serverText}`);
  expect(await page.textContent('.leadmail-setup-check__hint')).toBe(`What to do: ${red.check.smtp.hint}`);
  expect(await page.textContent('.leadmail-setup-check__status')).toBe('Not connected: emails cannot be sent with these settings');
  expect(await page.locator('.leadmail-card__new').count()).toBe(0);
  await fullShot('setup-red');

  // Corrected, with IMAP on the same login: the same mailbox is updated, checked green, and the
  // panel becomes the normal one.
  await fillGeneric({ password: IMAP_PASSWORD, imap: true });
  await page.click('.leadmail-setup__save');
  await page.waitForSelector('.leadmail-card__new');
  expect(await page.locator('.leadmail-setup').count()).toBe(0);
  expect(await page.getAttribute('.leadmail-setup-check', 'data-status')).toBe('green');
  expect(await page.textContent('.leadmail-setup-check__status')).toBe('Connected: sending and the Sent folder work');
  const green = await storedCheck();
  expect(green.id).toBe(red.id);
  expect(green.check.status).toBe('green');
  await ww.shot('setup-green');

  // Set up for good: the next card opens with "New email".
  await ww.boot({ area: 'lcard', entityId: ww.w.crm.leadId });
  await ww.page.waitForSelector('.leadmail-card__new');
  expect(await page.locator('.leadmail-setup').count()).toBe(0);
});

it('is grey with SMTP alone', async () => {
  await removeMailboxes();
  await openSetup();
  await fillGeneric({ password: IMAP_PASSWORD, imap: false });
  await ww.page.click('.leadmail-setup__save');
  await ww.page.waitForSelector('.leadmail-card__new');
  expect(await ww.page.getAttribute('.leadmail-setup-check', 'data-status')).toBe('grey');
  expect(await ww.page.textContent('.leadmail-setup-check__status')).toBe('Connected: sending works (no Sent folder copy)');
  expect((await storedCheck()).check.status).toBe('grey');
  await ww.shot('setup-grey');
});

it('shows the server’s reply as text, never as HTML', async () => {
  await removeMailboxes();
  await openSetup();
  await fillGeneric({ password: IMAP_PASSWORD, imap: false });
  const reply = '5.7.8 <img src=x onerror="window.__xss=1"><b>Denied</b>';
  sink.failNext(1, { code: 535, message: reply, stage: 'auth' });
  await ww.page.click('.leadmail-setup__save');
  await ww.page.waitForSelector('.leadmail-setup-check[data-status="red"]');
  const text = await ww.page.textContent('.leadmail-setup-check__server');
  expect(text).toContain('<img src=x onerror="window.__xss=1"><b>Denied</b>');
  expect(await ww.page.locator('.leadmail-setup-check img, .leadmail-setup-check b').count()).toBe(0);
  expect(await ww.page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
});

it('resends a failed mail from the panel, and it arrives', async () => {
  const w = ww.w;
  const page = ww.page;
  // Maria sets her mailbox up from the card; its first mail is refused by the server.
  await removeMailboxes();
  await openSetup();
  await fillGeneric({ password: IMAP_PASSWORD, imap: false });
  await page.click('.leadmail-setup__save');
  await page.waitForSelector('.leadmail-card__new');
  const { id: mailboxId } = await storedCheck();
  const failedId = await failedMail(mailboxId);
  await ww.boot({ area: 'lcard', entityId: w.crm.leadId });
  const item = `.leadmail-email[data-email-id="${failedId}"]`;
  await page.click(`${item} .leadmail-email__resend`);
  expect(await page.textContent(`${item} .leadmail-resend__question`)).toBe('Send this email again as a new email to the same recipients?');
  await ww.shot('resend-confirm');
  const before = sink.messages.length;
  await page.click(`${item} .leadmail-resend__yes`);

  const resentId = await eventually(async () => {
    const old = (await w.api(w.user).get(`/api/emails/${failedId}`)).body;
    const ev = old.events.find((e: { type: string }) => e.type === 'resent');
    expect(ev).toBeDefined();
    return ev.data.emailId as string;
  });
  // The list refreshed by itself: the new mail is there, and it reached the sink.
  await page.waitForSelector(`.leadmail-email[data-email-id="${resentId}"]`);
  const [msg] = (await sink.waitForMessages(before + 1)).slice(before).filter((m) => emailIdOf(m) === resentId);
  expect(msg!.parsed.subject).toBe('Offer to resend');
  expect(await page.textContent('#notifications')).toContain('The email was sent again as a new email');
  expect(await page.locator(`${item} .leadmail-resend`).count()).toBe(0);
  await page.waitForSelector(`.leadmail-email[data-email-id="${resentId}"] .leadmail-status--sent`);
  await fullShot('resend-done');

  // Resent once: the old mail says so instead of offering it again (the server would refuse).
  expect(await page.textContent(`${item} .leadmail-email__resent`)).toBe('Sent again as a new email');
  expect(await page.locator(`${item} .leadmail-email__resend`).count()).toBe(0);

  // An unknown outcome: the question says the recipients may get it twice.
  await w.server.services.db.query("UPDATE emails SET status = 'unknown' WHERE id = $1", [resentId]);
  await page.click('.leadmail-card__refresh');
  const unknown = `.leadmail-email[data-email-id="${resentId}"]`;
  await page.click(`${unknown} .leadmail-email__resend`);
  expect(await page.textContent(`${unknown} .leadmail-resend__question`)).toBe(
    'It is not known whether this email was delivered: the server stopped while sending it. Resending may give the recipients a second copy. Send it again as a new email?',
  );
  await fullShot('resend-unknown');

  // The server refuses (its mailbox is gone): its words appear at the mail, the question stays.
  await removeMailboxes();
  await page.click(`${unknown} .leadmail-resend__yes`);
  const refusal = await (await page.waitForSelector(`${unknown} .leadmail-resend__error`)).textContent();
  expect(refusal).toMatch(/^mailboxId: the mailbox this email was sent from is deleted/);
  expect(await page.locator(`${unknown} .leadmail-resend__question`).count()).toBe(1);
  await ww.flush();
  // The browser reports the 409 itself; nothing else went wrong.
  expect(ww.problems.splice(0)).toEqual([expect.stringContaining('status of 409')]);
});

it('offers "New email", not the set-up, when the account forces a global mailbox', async () => {
  const w = ww.w;
  await removeMailboxes();
  const global = await w.api(w.admin).post('/api/mailboxes').send(mailboxPayload(sink, { smtpUser: address, smtpPass: IMAP_PASSWORD }));
  expect(global.status).toBe(201);
  expect((await w.api(w.admin).put('/api/account/global-mailbox').send({ mailboxId: global.body.id })).status).toBeLessThan(300);
  try {
    await ww.boot({ area: 'lcard', entityId: w.crm.leadId });
    await ww.page.waitForSelector('.leadmail-card__new');
    expect(await ww.page.locator('.leadmail-setup').count()).toBe(0);
  } finally {
    await w.api(w.admin).put('/api/account/global-mailbox').send({ mailboxId: null });
  }
  // Without it, Maria has nothing to send from again.
  await openSetup();
});

it.each([
  ['es', 'Conecte su buzón', 'Reenviar'],
  ['pt', 'Conecte sua caixa de correio', 'Reenviar'],
] as const)('renders the set-up and resend in %s with every key present', async (lang, title, resend) => {
  // A failed mail of the lead (from a mailbox since removed) to offer "Resend".
  await removeMailboxes();
  const mailbox = await ww.w.api(ww.w.user).post('/api/mailboxes').send(mailboxPayload(sink, { smtpUser: address, smtpPass: IMAP_PASSWORD }));
  expect(mailbox.status).toBe(201);
  await failedMail(mailbox.body.id);
  await removeMailboxes();
  await openSetup(lang);
  const page = ww.page;
  expect(await page.textContent('.leadmail-setup__title')).toBe(title);
  await page.selectOption(input('preset'), 'microsoft365');
  await page.click('.leadmail-setup__servers-toggle');
  await page.setChecked(input('sameCredentials'), false);
  // Every failed or unknown mail of the lead offers "Resend"; open one question of each kind.
  const buttons = page.locator('.leadmail-email__resend');
  expect(await buttons.first().textContent()).toBe(resend);
  const n = await buttons.count();
  for (let i = 0; i < n; i++) await buttons.first().click();
  expect(await page.locator('.leadmail-resend__question').count()).toBe(n);
  expect(await page.textContent('.leadmail-panel')).not.toMatch(/\b(setup|resend|card|common)\.[a-z_]+/);
  await fullShot(`setup-${lang}`);
});

it('points at the set-up, not at the hidden "New email", while the history is empty', async () => {
  await removeMailboxes();
  // Jane's card: no email was ever sent from it.
  await ww.boot({ area: 'ccard', entityId: ww.w.crm.secondContactId });
  await ww.page.waitForSelector('.leadmail-setup [name="preset"]');
  expect(await ww.page.locator('.leadmail-card__new').count()).toBe(0);
  expect(await (await ww.page.waitForSelector('.leadmail-card__empty')).textContent()).toBe('No emails yet. Connect your mailbox above to send the first one.');
  // Once a mailbox is set up, "New email" is there and the text points at it.
  await fillGeneric({ password: IMAP_PASSWORD, imap: false });
  await ww.page.click('.leadmail-setup__save');
  await ww.page.waitForSelector('.leadmail-card__new');
  expect(await ww.page.textContent('.leadmail-card__empty')).toBe('No emails yet. Send the first one with “New email”.');
});
