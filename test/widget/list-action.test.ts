/**
 * The list action in real Chromium, inside the fake Kommo page, against the real backend, the
 * Kommo simulator and an SMTP sink: 50 leads created in the simulator and ticked in the fake list
 * → the form (template, mailbox, recipients, preview for the first lead) → Send → the progress
 * view polls until 100 % and the sink holds 50 mails; pause and resume mid-way on a paced mailbox;
 * a mailing held by the daily cap says so and is cancelled; a reminder to non-responders; errors
 * under the field the server named; es and pt with every key. Screenshots of each state.
 */
import { SUB } from '../support/world.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { createMailbox, createTemplate } from '../support/send-helpers.js';
import { eventually } from '../support/eventually.js';
import { checkAndCloseAfterTests, startWidgetWorld, type WidgetWorld } from './harness.js';

let ww: WidgetWorld;
let sink: SmtpSink;
let templateId: string;
let paced: string;
let fast: string;
let capped: string;
let leadIds: number[];

const w = () => ww.w;
const page = () => ww.page;

beforeAll(async () => {
  ww = await startWidgetWorld();
  sink = await startSmtpSink({ auth: { user: 'maria', pass: 'smtp-secret' } });
  // Three mails a second: slow enough to pause mid-way, with no sleep in the test.
  paced = await createMailbox(w(), w().user, sink, { pacing: { messages: 3, seconds: 1 } });
  fast = await createMailbox(w(), w().user, sink, { pacing: { messages: 100, seconds: 1 }, from: 'fast@acme.example' });
  capped = await createMailbox(w(), w().user, sink, { pacing: { messages: 100, seconds: 1 }, dailyCap: 2, from: 'capped@acme.example' });
  templateId = await createTemplate(w(), w().user, { name: 'Spring offer', subject: 'Offer for {{contact.first_name}}', html: '<p>Hello {{contact.name}}, about {{lead.name}}</p>' });
  leadIds = [];
  const leads = [];
  for (let i = 0; i < 50; i++) {
    const c = w().kommo.sim.addContact(SUB, { name: `Person ${i}`, first_name: `P${i}`, last_name: 'List', email: `list-${i}@client.example` });
    const l = w().kommo.sim.addLead(SUB, { name: `Deal ${i}`, responsible_user_id: w().crm.userId, pipeline_id: w().crm.pipelineId, contacts: [c.id] });
    leadIds.push(l.id);
    leads.push({ id: l.id, name: `Deal ${i}` });
  }
  // The fake list shows these 50 leads (the page reloads with the new list).
  await ww.reconfigure({ leads });
}, 90_000);

checkAndCloseAfterTests(() => ({ ww, sink }));

/** Ticks `ids` in the fake leads list and runs the list action, as a user in Kommo would. */
async function openListAction(ids: number[], lang: 'en' | 'es' | 'pt' = 'en', area: 'llist' | 'clist' = 'llist', countSelected?: number) {
  await ww.boot({ area, selected: ids, lang, countSelected });
  await page().click('#leadmail-list-action');
  await page().waitForSelector('.modal .leadmail-list__send');
}

async function fillForm(o: { mailboxId: string; template?: boolean }) {
  if (o.template !== false) await page().selectOption('.leadmail-list-form .leadmail-template-select', templateId);
  await page().selectOption('.leadmail-list__mailbox', o.mailboxId);
}

const mailing = () => page().locator('.leadmail-mailing');
const attr = async (name: string) => mailing().getAttribute(name);
const waitForMailing = (pred: string, timeout = 60_000) =>
  page().waitForFunction((p) => {
    const el = document.querySelector<HTMLElement>('.leadmail-mailing');
    if (!el) return false;
    const d = el.dataset;
    return new Function('d', `return ${p}`)(d) as boolean;
  }, pred, { timeout });

const api = () => w().api(w().user);
/** The fake leads list shows the first `n` of the 50 leads again (a test above narrows it). */
const listLeads = (n: number) => ww.reconfigure({ leads: leadIds.slice(0, n).map((id, i) => ({ id, name: `Deal ${i}` })) });
const sinkFor = async (mailingId: string) => {
  const r = await api().get(`/api/mailings/${mailingId}/recipients?limit=500`);
  const ids = new Set((r.body.items as { emailId: string | null }[]).map((x) => x.emailId).filter(Boolean));
  return sink.messages.filter((m) => ids.has(String(m.parsed.headers.get('x-leadmail-email-id'))));
};

it('sends to 50 selected leads: preview, progress to 100 % with pause and resume mid-way, 50 mails at the SMTP server, then a reminder', async () => {
  await openListAction(leadIds);
  expect(await page().textContent('.leadmail-list-form h2')).toBe('Send an email to 50 selected');
  await fillForm({ mailboxId: paced });
  await page().click('.leadmail-list__preview');
  // Rendered for the first selected lead, in a sandboxed frame (no script, no access to Kommo's page).
  expect(await (await page().waitForSelector('.leadmail-preview__subject')).textContent()).toBe('Subject: Offer for P0');
  expect(await page().getAttribute('.leadmail-preview__frame', 'sandbox')).toBe('');
  expect(await page().frameLocator('.leadmail-preview__frame').locator('body').textContent()).toContain('Hello Person 0, about Deal 0');
  await ww.shot('list-form-preview');

  await page().click('.leadmail-list__send');
  await waitForMailing('Number(d.sent) >= 3');
  const id = (await attr('data-mailing-id'))!;
  expect(await page().locator('.leadmail-mailing__eta--pace').count()).toBe(1);
  expect(await page().textContent('.leadmail-mailing__rate')).toMatch(/^[\d.]+ emails a minute$/);
  await ww.shot('list-progress-sending');

  await page().click('.leadmail-mailing__pause');
  await waitForMailing('d.status === "paused"');
  const paused = (await api().get(`/api/mailings/${id}`)).body;
  expect(paused.status).toBe('paused');
  expect(paused.counts.paused).toBeGreaterThan(0);
  expect((await sinkFor(id)).length).toBeLessThan(50);
  expect(await page().textContent('.leadmail-mailing__status')).toBe('Paused');
  expect(await page().locator('.leadmail-mailing__pause').count()).toBe(0);
  await ww.shot('list-progress-paused');

  await page().click('.leadmail-mailing__resume');
  await waitForMailing('d.status === "done" && d.percent === "100"');
  expect(await page().textContent('.leadmail-mailing__percent')).toBe('100 %');
  expect(await page().getAttribute('.leadmail-counts__item--sent', 'data-count')).toBe('50');
  const mails = await sinkFor(id);
  expect(mails).toHaveLength(50);
  expect(new Set(mails.flatMap((m) => m.envelope.rcptTo))).toEqual(new Set(leadIds.map((_, i) => `list-${i}@client.example`)));
  expect(mails.find((m) => m.envelope.rcptTo.includes('list-7@client.example'))!.parsed.subject).toBe('Offer for P7');
  await ww.shot('list-progress-done');

  // A reminder to those who did not open, decided now (nobody opened): it follows in the same view.
  await page().click('.leadmail-reminder__open');
  await page().waitForSelector('.leadmail-reminder__create:not([disabled])');
  expect(await page().inputValue('.leadmail-reminder__template')).toBe(templateId);
  await page().selectOption('.leadmail-reminder__condition', 'not_opened');
  await page().fill('.leadmail-reminder__at', await page().evaluate(() => {
    const d = new Date();
    const p = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
  }));
  await ww.shot('list-reminder-form');
  await page().click('.leadmail-reminder__create');
  await page().waitForSelector(`.leadmail-mailing[data-mailing-id]:not([data-mailing-id="${id}"])`);
  const reminderId = (await attr('data-mailing-id'))!;
  expect(await page().textContent('.leadmail-mailing h2')).toBe('Reminder to those who did not respond');
  const reminder = (await api().get(`/api/mailings/${reminderId}`)).body;
  expect(reminder.parentMailingId).toBe(id);
  expect(reminder.templateId).toBe(templateId);
  await ww.shot('list-reminder-progress');
  // Stop it from the same view (it would mail the 50 again).
  await page().click('.leadmail-mailing__cancel');
  await waitForMailing('d.status === "cancelled"');
  expect((await api().get(`/api/mailings/${reminderId}`)).body.status).toBe('cancelled');
}, 120_000);

it('says when the daily cap holds the rest, and cancels the mailing mid-way', async () => {
  const five = leadIds.slice(0, 5);
  await openListAction(five);
  await fillForm({ mailboxId: capped });
  await page().click('.leadmail-list__send');
  await waitForMailing('d.sent === "2"');
  const id = (await attr('data-mailing-id'))!;
  // Two a day: the other three wait for the rolling 24 h window (the last one for two of them), and the ETA says why.
  const eta = await (await page().waitForSelector('.leadmail-mailing__eta--cap')).textContent();
  expect(eta).toMatch(/^The mailbox’s daily limit of 2 emails holds the rest: the last email is planned for .+ \(in 2 days\)$/);
  expect(await page().getAttribute('.leadmail-counts__item--waiting', 'data-count')).toBe('3');
  await ww.shot('list-progress-daily-cap');

  await page().click('.leadmail-mailing__cancel');
  await waitForMailing('d.status === "cancelled"');
  const m = (await api().get(`/api/mailings/${id}`)).body;
  expect(m.status).toBe('cancelled');
  expect(m.counts).toMatchObject({ sent: 2, cancelled: 3, queued: 0 });
  expect(await page().getAttribute('.leadmail-counts__item--cancelled', 'data-count')).toBe('3');
  expect(await page().locator('.leadmail-mailing__cancel, .leadmail-mailing__pause, .leadmail-mailing__resume').count()).toBe(0);
  expect(await sinkFor(id)).toHaveLength(2);
  await ww.shot('list-progress-cancelled');
}, 60_000);

it('starts at a chosen time, and groups skips by reason', async () => {
  // A lead with no contact: skipped with its reason.
  const lonely = w().kommo.sim.addLead(SUB, { name: 'No contact', responsible_user_id: w().crm.userId, pipeline_id: w().crm.pipelineId, contacts: [] }).id;
  await ww.reconfigure({ leads: [{ id: leadIds[0]!, name: 'Deal 0' }, { id: lonely, name: 'No contact' }] });
  await openListAction([leadIds[0]!, lonely]);
  await fillForm({ mailboxId: fast });
  await page().check('.leadmail-list__start-at');
  const when = '2030-01-15T09:30';
  await page().fill('.leadmail-list__start-time', when);
  await ww.shot('list-form-start-at');
  await page().click('.leadmail-list__send');
  await waitForMailing('d.status === "queued"');
  const id = (await attr('data-mailing-id'))!;
  const m = (await api().get(`/api/mailings/${id}`)).body;
  expect(m.startAt).toBe(await page().evaluate((v) => new Date(v).toISOString(), when));
  const shown = await page().evaluate((v) => new Intl.DateTimeFormat('en', { dateStyle: 'short', timeStyle: 'short' }).format(new Date(v)), when);
  expect(await page().textContent('.leadmail-mailing__starts')).toBe(`Starts at ${shown}`);
  await page().waitForSelector('.leadmail-reasons__item--skipped');
  expect(await page().textContent('.leadmail-reasons__item--skipped .leadmail-reasons__count')).toBe('1');
  expect(await page().textContent('.leadmail-reasons__item--skipped .leadmail-reasons__text')).toBe(m.reasons[0].reason);
  await ww.shot('list-progress-scheduled');
  await page().click('.leadmail-mailing__cancel');
  await waitForMailing('d.status === "cancelled"');
}, 60_000);

it('sends from the contacts list: each contact’s own address, previewed for the first one', async () => {
  const contacts = [w().crm.contactId, w().crm.secondContactId];
  await openListAction(contacts, 'en', 'clist');
  expect(await page().getAttribute('.leadmail-list-form', 'data-entity-type')).toBe('contacts');
  expect(await page().locator('.leadmail-list__mailbox option[value="responsible"]').textContent()).toBe('Each contact’s responsible user’s mailbox');
  await fillForm({ mailboxId: fast });
  await page().click('.leadmail-list__preview');
  expect(await (await page().waitForSelector('.leadmail-preview__subject')).textContent()).toBe('Subject: Offer for John');
  await page().click('.leadmail-list__send');
  await waitForMailing('d.status === "done"');
  const id = (await attr('data-mailing-id'))!;
  expect(new Set((await sinkFor(id)).flatMap((m) => m.envelope.rcptTo))).toEqual(new Set(['john@client.example', 'jane@client.example']));
  await ww.shot('list-contacts-done');
}, 60_000);

it('shows the server’s complaint under the field it named', async () => {
  const before = (await api().get('/api/mailings')).body.total;
  await openListAction([leadIds[0]!]);
  await fillForm({ mailboxId: fast, template: false });
  await page().click('.leadmail-list__send');
  expect(await (await page().waitForSelector('.leadmail-field[data-field="templateId"] .leadmail-field__error')).textContent()).toBe('is required without a template');
  await page().selectOption('.leadmail-list-form .leadmail-template-select', templateId);
  await page().check('.leadmail-list__mode input[value="field"]');
  await page().waitForSelector('.leadmail-list__field option[value=""]:text("Choose a field")', { state: 'attached' });
  await page().click('.leadmail-list__send');
  expect(await (await page().waitForSelector('.leadmail-field[data-field="recipients"] .leadmail-field__error')).textContent()).toBe('is required with mode "field"');
  expect(await page().locator('.leadmail-field[data-field="templateId"] .leadmail-field__error').count()).toBe(0);
  await ww.shot('list-form-field-error');
  // Nothing was created by the refused requests.
  expect((await api().get('/api/mailings')).body.total).toBe(before);
  // Chromium logs each refused request itself; those two 400s are the point of this test, nothing else may be logged.
  await ww.flush();
  const refused = 'console.error: Failed to load resource: the server responded with a status of 400 (Bad Request)';
  expect(ww.problems.splice(0)).toEqual([refused, refused]);
});

it.each([
  ['es', 'Enviar un correo a 1 seleccionados', 'Terminado', 'Recordar a quienes no respondieron'],
  ['pt', 'Enviar um e-mail para 1 selecionados', 'Concluído', 'Lembrar quem não respondeu'],
] as const)('renders in %s with every key present', async (lang, title, done, remind) => {
  await openListAction([leadIds[0]!], lang);
  expect(await page().textContent('.leadmail-list-form h2')).toBe(title);
  await fillForm({ mailboxId: fast });
  await page().check('.leadmail-list__mode input[value="field"]');
  await page().check('.leadmail-list__start-at');
  await ww.shot(`list-form-${lang}`);
  await page().check('.leadmail-list__mode input[value="main"]');
  await page().check('.leadmail-list__start-now');
  await page().click('.leadmail-list__send');
  await waitForMailing('d.status === "done"');
  expect(await page().textContent('.leadmail-mailing__status')).toBe(done);
  expect(await page().textContent('.leadmail-reminder__open')).toBe(remind);
  await page().click('.leadmail-reminder__open');
  await page().waitForSelector('.leadmail-reminder__create:not([disabled])');
  await page().selectOption('.leadmail-reminder__condition', 'not_clicked_link');
  // No raw key (list.xxx, common.xxx) anywhere in the modal.
  expect(await page().textContent('.modal')).not.toMatch(/\b(list|common)\.[a-z_]+/);
  await ww.shot(`list-progress-${lang}`);
}, 60_000);

it('keeps polling after a failed poll: shows the error with "Try again", then the progress again', async () => {
  // One mail a minute: the mailing stays active for the whole test, so the view keeps polling.
  const slow = await createMailbox(w(), w().user, sink, { pacing: { messages: 1, seconds: 60 }, from: 'slow@acme.example' });
  // The network, not the widget, fails: GET /api/mailings/:id answers 503 while `down` (CORS
  // headers included, as a proxy in front of the backend would send them).
  await listLeads(3);
  let down = false;
  let polls = 0;
  const origin = new URL(ww.host.url).origin;
  await page().route(/\/api\/mailings\/[0-9a-f-]{36}$/, async (route) => {
    if (route.request().method() !== 'GET') return route.continue();
    polls++;
    if (!down) return route.continue();
    return route.fulfill({ status: 503, contentType: 'application/json', headers: { 'access-control-allow-origin': origin }, body: JSON.stringify({ error: { code: 'UNAVAILABLE', message: 'The service is briefly unavailable' } }) });
  });
  try {
    await openListAction(leadIds.slice(0, 3));
    await fillForm({ mailboxId: slow });
    await page().click('.leadmail-list__send');
    await page().waitForSelector('.leadmail-mailing[data-status]');
    const seen = polls;
    down = true;
    // The next poll fails: its words and "Try again" appear, and the progress stays on screen.
    expect(await (await page().waitForSelector('.leadmail-mailing__error')).textContent()).toContain('The service is briefly unavailable');
    expect(await page().textContent('.leadmail-mailing__retry')).toBe('Try again');
    expect(await page().locator('.leadmail-bar').count()).toBe(1);
    await ww.shot('list-progress-poll-error');
    // Still failing: the view retries by itself.
    const failed = polls;
    await eventually(() => expect(polls).toBeGreaterThan(failed), { timeoutMs: 10_000 });
    expect(failed).toBeGreaterThan(seen);
    // Back up: "Try again" brings the progress back without the error.
    down = false;
    await page().click('.leadmail-mailing__retry');
    await page().waitForSelector('.leadmail-mailing__error', { state: 'detached' });
    const after = polls;
    // And polling goes on as before.
    await eventually(() => expect(polls).toBeGreaterThan(after), { timeoutMs: 10_000 });
    await page().click('.leadmail-mailing__cancel');
    await waitForMailing('d.status === "cancelled"');
  } finally {
    await page().unroute(/\/api\/mailings\/[0-9a-f-]{36}$/);
  }
  // Chromium logs each 503 itself; nothing else may be logged.
  await ww.flush();
  const problems = ww.problems.splice(0);
  expect(problems.length).toBeGreaterThan(0);
  expect(problems.filter((p) => !p.includes('status of 503'))).toEqual([]);
}, 60_000);

it('counts what Kommo says is selected, and says when it handed over only a page of it', async () => {
  // Kommo's count_selected is 250 while the ids it passes are one page (here 3).
  await listLeads(3);
  await openListAction(leadIds.slice(0, 3), 'en', 'llist', 250);
  expect(await page().textContent('.leadmail-list-form h2')).toBe('Send an email to 250 selected');
  expect(await page().textContent('.leadmail-list__paged')).toBe(
    'Kommo passed 3 of the 250 selected (it hands over one page of a large selection): this email goes to those 3. Select fewer to reach the others.',
  );
  expect(await page().textContent('.leadmail-list__send')).toBe('Send to 3');
  await ww.shot('list-form-paged');
  // When they agree, nothing is said.
  await openListAction(leadIds.slice(0, 3));
  expect(await page().textContent('.leadmail-list-form h2')).toBe('Send an email to 3 selected');
  expect(await page().locator('.leadmail-list__paged').count()).toBe(0);
});
