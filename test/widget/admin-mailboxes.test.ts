/**
 * Advanced settings → mailboxes (issue 9), in real Chromium against the real backend, the SMTP
 * sink and Dovecot: an administrator adds a mailbox for a user through the page and sees it turn
 * green (SMTP + Dovecot IMAP with the same login); an edit with the password left empty keeps it;
 * an edit with a wrong password is red with the server's words and the hint; SMTP alone is grey;
 * a mailbox paused by a refused login says so, and its row's Check resumes it (the held mail leaves);
 * a bad field shows the server's error at that input; the provider's limits stand beside the pace
 * and daily limit; the administrator sets and stops the global mailbox and a user sees it; a user
 * sees only their own mailboxes and no administrator control; es and pt render with every key.
 */
import { SINK_FAILURES, type SmtpSink } from '../support/smtp-sink.js';
import { eventually } from '../support/eventually.js';
import { emailIdOf, sendEmail } from '../support/send-helpers.js';
import { IMAP_PASSWORD } from '../support/imap-client.js';
import { mailboxPayload } from '../support/mailbox-payload.js';
import { tallShot, type WidgetWorld } from './harness.js';
import { fillGeneric as fillGenericMailbox, withMailboxWorld } from './mailbox-form-helpers.js';

let ww: WidgetWorld;
let sink: SmtpSink;
let address: string;

withMailboxWorld((world) => ({ ww, sink, address } = world));

interface StoredMailbox {
  id: string;
  ownerUserId: number;
  displayName: string;
  fromAddress: string;
  isGlobal: boolean;
  pacing: { messages: number; seconds: number };
  dailyCap: number | null;
  smtp: { hasPassword: boolean };
  imap: { enabled: boolean };
  check: { status: string; smtp: { serverText: string; hint: string } } | null;
}

const input = (name: string) => `.leadmail-mb-editor [name="${name}"]`;
const fieldError = (name: string) => `.leadmail-mb-editor .leadmail-setup__field[data-field="${name}"] .leadmail-setup__field-error`;
const row = (id: string) => `.leadmail-mb-row[data-mailbox-id="${id}"]`;

async function allMailboxes(): Promise<StoredMailbox[]> {
  const res = await ww.w.api(ww.w.admin).get('/api/mailboxes?all=true');
  expect(res.status).toBe(200);
  return res.body as StoredMailbox[];
}

async function removeAll(): Promise<void> {
  const w = ww.w;
  await w.api(w.admin).put('/api/account/global-mailbox').send({ mailboxId: null });
  for (const m of await allMailboxes()) expect((await w.api(w.admin).delete(`/api/mailboxes/${m.id}`)).status).toBeLessThan(300);
}

async function openPage(userId: number, lang: 'en' | 'es' | 'pt' = 'en'): Promise<void> {
  await ww.boot({ area: 'advanced_settings', userId, lang });
  await ww.page.waitForSelector('.leadmail-admin-page[data-page="mailboxes"] .leadmail-mb__add');
}

const fullShot = (name: string) => tallShot(ww, name, 1400);

const fillGeneric = (opts: { displayName?: string; password: string; imap: boolean }) => fillGenericMailbox(ww, input, { sink, address }, opts);

it('adds a mailbox for a user and sees it green; an empty password on edit keeps it; a wrong one is red with the server’s words and the hint', async () => {
  const page = ww.page;
  const w = ww.w;
  await removeAll();
  await openPage(w.crm.adminUserId);
  expect(await page.textContent('.leadmail-mb__empty')).toBe('No mailbox is connected in this account yet.');
  await page.click('.leadmail-mb__add');

  // A provider fills its servers, pace and daily limit, with its published limit beside them.
  await page.selectOption(input('preset'), 'gmail');
  expect(await page.inputValue(input('smtpHost'))).toBe('smtp.gmail.com');
  expect(await page.inputValue(input('paceMessages'))).toBe('1');
  expect(await page.inputValue(input('paceSeconds'))).toBe('2');
  expect(await page.inputValue(input('dailyCap'))).toBe('450');
  expect(await page.textContent('.leadmail-mb-pace__published')).toBe('Gmail allows about 500 emails a day.');
  expect(await page.textContent('.leadmail-mb-pace__recommended')).toBe('Recommended: 1 per 2 s, 450 a day. Use these values');
  expect(await page.locator('.leadmail-mb-pace__warn').count()).toBe(0);
  await page.fill(input('dailyCap'), '800');
  expect(await page.textContent('.leadmail-mb-pace__warn')).toContain('Faster than recommended for Gmail');
  await page.fill(input('name'), 'Maria Sales');
  await fullShot('admin-mailboxes-limits');
  await page.click('.leadmail-mb-pace__use');
  expect(await page.inputValue(input('dailyCap'))).toBe('450');
  expect(await page.locator('.leadmail-mb-pace__warn').count()).toBe(0);

  // For Maria (named from Kommo's users), a hosting mailbox on the sink and Dovecot.
  expect(await page.$$eval(`${input('owner')} option`, (els) => els.map((e) => e.textContent))).toEqual(['Admin', 'Maria Sales']);
  await page.selectOption(input('owner'), String(w.crm.userId));
  await fillGeneric({ displayName: 'Maria at Acme', password: IMAP_PASSWORD, imap: true });
  expect(await page.textContent('.leadmail-mb-pace__published')).toContain('Hosting mailboxes usually allow');
  await page.fill(input('paceMessages'), '3');
  await page.fill(input('paceSeconds'), '10');
  await page.fill(input('dailyCap'), '');
  await page.click('.leadmail-mb-editor__save');
  await page.waitForSelector('.leadmail-mb-editor', { state: 'detached' });

  const [created] = await allMailboxes();
  expect(created).toMatchObject({ ownerUserId: w.crm.userId, displayName: 'Maria at Acme', fromAddress: address, pacing: { messages: 3, seconds: 10 }, dailyCap: null, imap: { enabled: true } });
  expect(created!.check?.status).toBe('green');
  const r = row(created!.id);
  await page.waitForSelector(`${r}[data-status="green"]`);
  expect(await page.textContent(`${r} .leadmail-setup-check__status`)).toBe('Connected: sending and the Sent folder work');
  expect(await page.textContent(`.leadmail-mb-group[data-owner="${w.crm.userId}"] .leadmail-mb-group__head`)).toBe('Maria Sales');
  expect(await page.textContent(`${r} .leadmail-mb-row__pace`)).toBe('3 per 10 sno daily limit');
  expect(await page.textContent('#notifications')).toContain('Mailbox “Maria at Acme” saved and checked');
  await fullShot('admin-mailboxes-green');

  // Edit with the password left empty: the stored one is kept, and it is still green.
  await page.click(`${r} .leadmail-mb-row__edit`);
  expect(await page.inputValue(input('password'))).toBe('');
  expect(await page.getAttribute(input('password'), 'placeholder')).toBe('Leave empty to keep the saved password');
  expect(await page.inputValue(input('paceSeconds'))).toBe('10');
  await page.fill(input('displayName'), 'Maria (sales)');
  await page.click('.leadmail-mb-editor__save');
  await page.waitForSelector('.leadmail-mb-editor', { state: 'detached' });
  const [kept] = await allMailboxes();
  expect(kept).toMatchObject({ id: created!.id, displayName: 'Maria (sales)', smtp: { hasPassword: true } });
  expect(kept!.check?.status).toBe('green');
  await page.waitForSelector(`${r}[data-status="green"] >> text=Maria (sales)`);

  // A wrong password: saved, checked, red — the sink's 535 and the hint, and the form stays.
  await page.click(`${r} .leadmail-mb-row__edit`);
  await page.fill(input('password'), 'wrong-password');
  await page.click('.leadmail-mb-editor__save');
  await page.waitForSelector('.leadmail-mb-editor .leadmail-setup-check[data-status="red"]');
  const [red] = await allMailboxes();
  expect(red!.check?.status).toBe('red');
  expect(red!.check!.smtp.serverText).toMatch(/535/);
  expect(await page.textContent('.leadmail-mb-editor .leadmail-setup-check__server')).toBe(`Sending (SMTP): ${red!.check!.smtp.serverText}`);
  expect(await page.textContent('.leadmail-mb-editor .leadmail-setup-check__hint')).toBe(`What to do: ${red!.check!.smtp.hint}`);
  expect(await page.textContent('.leadmail-mb-editor .leadmail-setup-check__status')).toBe('Not connected: emails cannot be sent with these settings');
  // The list behind it shows the same.
  await page.waitForSelector(`${r}[data-status="red"]`);
  expect(await page.textContent(`${r} .leadmail-setup-check__server`)).toBe(`Sending (SMTP): ${red!.check!.smtp.serverText}`);
  await fullShot('admin-mailboxes-red');

  // Corrected, it is green again (and Dovecot sees a good login after the bad one).
  await page.fill(input('password'), IMAP_PASSWORD);
  await page.click('.leadmail-mb-editor__save');
  await page.waitForSelector('.leadmail-mb-editor', { state: 'detached' });
  await page.waitForSelector(`${r}[data-status="green"]`);
});

it('is grey with SMTP alone; the row’s Check runs the check again and resumes a paused mailbox', async () => {
  const page = ww.page;
  await removeAll();
  await openPage(ww.w.crm.adminUserId);
  await page.click('.leadmail-mb__add');
  await fillGeneric({ displayName: 'SMTP only', password: IMAP_PASSWORD, imap: false });
  await page.click('.leadmail-mb-editor__save');
  await page.waitForSelector('.leadmail-mb-editor', { state: 'detached' });
  const [m] = await allMailboxes();
  expect(m).toMatchObject({ ownerUserId: ww.w.crm.adminUserId, displayName: 'SMTP only', imap: { enabled: false } });
  expect(m!.check?.status).toBe('grey');
  const r = row(m!.id);
  await page.waitForSelector(`${r}[data-status="grey"]`);
  expect(await page.textContent(`${r} .leadmail-setup-check__status`)).toBe('Connected: sending works (no Sent folder copy)');
  expect(await page.textContent(`${r} .leadmail-mb-row__server`)).toBe(`SMTP ${sink.host}:${sink.port}IMAP off (no Sent copy)`);

  // The sink now refuses the login: "Check" turns the row red with the server's words.
  sink.failNext(1, { code: 535, message: '5.7.8 Username and Password not accepted', stage: 'auth' });
  await page.click(`${r} .leadmail-mb-row__check`);
  await page.waitForSelector(`${r}[data-status="red"]`);
  expect(await page.textContent(`${r} .leadmail-setup-check__server`)).toContain('5.7.8 Username and Password not accepted');
  expect((await allMailboxes())[0]!.check?.status).toBe('red');
  await page.click(`${r} .leadmail-mb-row__check`);
  await page.waitForSelector(`${r}[data-status="grey"]`);
  await fullShot('admin-mailboxes-grey');

  // Sending hits a refused login: the queue pauses, and the row says why.
  const w = ww.w;
  sink.failNext(1, SINK_FAILURES.authFailed);
  const emailId = await sendEmail(w, w.admin, { mailboxId: m!.id, subject: 'Held back', html: '<p>Hello</p>', contactIds: [w.crm.contactId] });
  const paused = await eventually(async () => {
    const [x] = (await allMailboxes()) as (StoredMailbox & { paused: boolean; pausedReason: string })[];
    expect(x!.paused).toBe(true);
    return x!;
  });
  await openPage(w.crm.adminUserId);
  expect(await (await page.waitForSelector(`${r} .leadmail-mb-row__paused`)).textContent()).toBe(`Sending paused: ${paused.pausedReason}`);
  await fullShot('admin-mailboxes-paused');
  // A passing check resumes it: the held mail leaves.
  const before = sink.messages.length;
  await page.click(`${r} .leadmail-mb-row__check`);
  await page.waitForSelector(`${r}[data-status="grey"]:not(:has(.leadmail-mb-row__paused))`);
  const [msg] = (await sink.waitForMessages(before + 1)).slice(before).filter((x) => emailIdOf(x) === emailId);
  expect(msg!.parsed.subject).toBe('Held back');
});

it('shows the server’s error at the input it names', async () => {
  const page = ww.page;
  await removeAll();
  await openPage(ww.w.crm.adminUserId);
  await page.click('.leadmail-mb__add');
  await fillGeneric({ displayName: 'Bad fields', password: IMAP_PASSWORD, imap: false });

  await page.fill(input('address'), 'maria-at-acme');
  const refused = await ww.w.api(ww.w.admin).post('/api/mailboxes').send({ ...mailboxPayload(sink), fromAddress: 'maria-at-acme' });
  expect(refused.body.error.details.issues[0].path).toBe('body.fromAddress');
  await page.click('.leadmail-mb-editor__save');
  expect(await (await page.waitForSelector(fieldError('address'))).textContent()).toBe(refused.body.error.details.issues[0].message);
  expect(await page.locator('.leadmail-setup__field-error').count()).toBe(1);
  await fullShot('admin-mailboxes-field-error');
  // Typing in that input clears its error.
  await page.fill(input('address'), address);
  expect(await page.locator(fieldError('address')).count()).toBe(0);

  // The pace's seconds, typed as 0: the server's words under that input.
  await page.fill(input('paceSeconds'), '0');
  await page.click('.leadmail-mb-editor__save');
  const seconds = await (await page.waitForSelector(fieldError('paceSeconds'))).textContent();
  expect(seconds).toMatch(/>=1|at least 1|too small/i);
  expect(await allMailboxes()).toEqual([]);
  await ww.flush();
  // The browser reports each 400 itself; nothing else went wrong.
  expect(ww.problems.splice(0)).toEqual([expect.stringContaining('status of 400'), expect.stringContaining('status of 400')]);
});

it('lets an administrator set and stop the global mailbox, which every user sees', async () => {
  const page = ww.page;
  const w = ww.w;
  await removeAll();
  const adminBox = await w.api(w.admin).post('/api/mailboxes').send({ ...mailboxPayload(sink), displayName: 'Company mailbox', fromAddress: 'office@acme.example' });
  expect(adminBox.status).toBe(201);
  const mariaBox = await w.api(w.user).post('/api/mailboxes').send({ ...mailboxPayload(sink), displayName: 'Maria’s own', fromAddress: 'maria@acme.example' });
  expect(mariaBox.status).toBe(201);
  // A user Kommo does not name to the widget (removed since): shown by id.
  const orphan = await w.api(w.admin).post('/api/mailboxes').send({ ...mailboxPayload(sink), displayName: 'Left the company', ownerUserId: w.crm.otherUserId });
  expect(orphan.status).toBe(201);

  await openPage(w.crm.adminUserId);
  await page.waitForSelector(row(adminBox.body.id));
  // Grouped by user, the caller first.
  expect(await page.$$eval('.leadmail-mb-group__head', (els) => els.map((e) => e.textContent))).toEqual(['Admin', 'Maria Sales', `User #${w.crm.otherUserId}`]);
  expect(await page.locator('.leadmail-mb-global').count()).toBe(0);
  await page.click(`${row(adminBox.body.id)} .leadmail-mb-row__global`);
  await page.waitForSelector('.leadmail-mb-global');
  expect(await page.textContent('.leadmail-mb-global__title')).toBe('Your administrator chose this mailbox for all mail');
  expect(await page.textContent('.leadmail-mb-global__which')).toBe('Company mailbox <office@acme.example> (mailbox of Admin)');
  expect(await page.textContent(`${row(adminBox.body.id)} .leadmail-mb-badge--global`)).toBe('For all mail');
  expect((await allMailboxes()).find((m) => m.isGlobal)?.id).toBe(adminBox.body.id);
  await fullShot('admin-mailboxes-global');

  // Maria sees it too (it is not hers: in the banner only), and no control over it.
  await openPage(w.crm.userId);
  await page.waitForSelector('.leadmail-mb-global');
  expect(await page.textContent('.leadmail-mb-global__title')).toBe('Your administrator chose this mailbox for all mail');
  expect(await page.textContent('.leadmail-mb-global__which')).toBe('Company mailbox <office@acme.example> (mailbox of Admin)');
  expect(await page.locator('.leadmail-mb-global__stop, .leadmail-mb-row__global').count()).toBe(0);
  expect(await page.$$eval('.leadmail-mb-row', (els) => els.map((e) => (e as HTMLElement).dataset.mailboxId))).toEqual([mariaBox.body.id]);
  await fullShot('admin-mailboxes-user');

  // The administrator stops it: gone from the page and from the account.
  await openPage(w.crm.adminUserId);
  await page.click('.leadmail-mb-global__stop');
  await page.waitForSelector('.leadmail-mb-global', { state: 'detached' });
  expect((await allMailboxes()).some((m) => m.isGlobal)).toBe(false);
  expect(await page.locator('.leadmail-mb-badge--global').count()).toBe(0);
  await openPage(w.crm.userId);
  expect(await page.locator('.leadmail-mb-global').count()).toBe(0);
});

it('shows a user only their own mailboxes, without administrator controls, and lets them remove one', async () => {
  const page = ww.page;
  const w = ww.w;
  await removeAll();
  const adminBox = await w.api(w.admin).post('/api/mailboxes').send({ ...mailboxPayload(sink), displayName: 'Company mailbox' });
  const mariaBox = await w.api(w.user).post('/api/mailboxes').send({ ...mailboxPayload(sink), displayName: 'Maria’s own' });
  expect([adminBox.status, mariaBox.status]).toEqual([201, 201]);

  await openPage(w.crm.userId);
  await page.waitForSelector(row(mariaBox.body.id));
  expect(await page.locator(row(adminBox.body.id)).count()).toBe(0);
  expect(await page.locator('.leadmail-mb-group__head, .leadmail-mb-row__global').count()).toBe(0);
  expect(await page.textContent('.leadmail-mb__intro')).toBe('Your mailboxes. Emails leave from them at their pace, up to their daily limit.');
  // A user's own mailbox: no owner to choose.
  await page.click('.leadmail-mb__add');
  expect(await page.locator(input('owner')).count()).toBe(0);
  await page.click('.leadmail-mb-editor__cancel');

  // Remove asks first; then the mailbox is gone from the page and the account.
  await page.click(`${row(mariaBox.body.id)} .leadmail-mb-row__remove`);
  expect(await page.textContent(`${row(mariaBox.body.id)} .leadmail-mb-row__question`)).toBe(
    'Remove this mailbox? Its queued emails are cancelled; sent ones stay in the history.',
  );
  await page.click(`${row(mariaBox.body.id)} .leadmail-mb-row__remove-yes`);
  await page.waitForSelector('.leadmail-mb__empty');
  expect(await page.textContent('.leadmail-mb__empty')).toBe('You have no mailbox yet. Add the one you use to send emails from Kommo.');
  expect((await allMailboxes()).map((m) => m.id)).toEqual([adminBox.body.id]);
});

it.each([
  ['es', 'Añadir un buzón', 'Su administrador eligió este buzón para todo el correo'],
  ['pt', 'Adicionar uma caixa de correio', 'Seu administrador escolheu esta caixa de correio para todos os e-mails'],
] as const)('renders the page in %s with every key present', async (lang, add, banner) => {
  const page = ww.page;
  const w = ww.w;
  await removeAll();
  const box = await w.api(w.admin).post('/api/mailboxes').send({ ...mailboxPayload(sink), displayName: 'Company mailbox', dailyCap: 100 });
  expect(box.status).toBe(201);
  expect((await w.api(w.admin).post(`/api/mailboxes/${box.body.id}/check`)).status).toBe(200);
  await w.api(w.admin).post('/api/mailboxes').send({ ...mailboxPayload(sink), displayName: 'Unchecked' });
  expect((await w.api(w.admin).put('/api/account/global-mailbox').send({ mailboxId: box.body.id })).status).toBeLessThan(300);

  await openPage(w.crm.adminUserId, lang);
  await page.waitForSelector(row(box.body.id));
  expect(await page.textContent('.leadmail-mb__add')).toBe(add);
  expect(await page.textContent('.leadmail-mb-global__title')).toBe(banner);
  // Every part of the editor, with a provider's limits and the warning.
  await page.click('.leadmail-mb__add');
  await page.selectOption(input('preset'), 'microsoft365');
  await page.fill(input('paceMessages'), '100');
  await page.waitForSelector('.leadmail-mb-pace__warn');
  await page.click(`${row(box.body.id)} .leadmail-mb-row__remove`);
  await page.waitForSelector(`${row(box.body.id)} .leadmail-mb-row__question`);
  await fullShot(`admin-mailboxes-${lang}`);
  // And a user's view.
  await openPage(w.crm.userId, lang);
  await page.waitForSelector('.leadmail-mb__empty');
});
