/**
 * Advanced settings → mailings and queue, in real Chromium against the real backend, the Kommo
 * simulator and an SMTP sink: a mailing to 30 leads on a paced mailbox is listed with its
 * progress, rate and ETA; the list stops polling when the page is left; paused from the list (the
 * API says paused and the sink stops receiving), resumed, and followed to the end in its detail,
 * which shows the recipients, the one the sink refused grouped by its reason, the stats, the CSV
 * (a real download) and a reminder created from it; a cancel from the list; a user sees only
 * their own mailings, an administrator everyone's; the list pages; es and pt with every key.
 */
import fs from 'node:fs';
import { SUB } from '../support/world.js';
import { startSmtpSink, SINK_FAILURES, type SmtpSink } from '../support/smtp-sink.js';
import { createMailbox, createTemplate } from '../support/send-helpers.js';
import { eventually } from '../support/eventually.js';
import type { TokenClaims } from '../support/widget-token.js';
import { checkAndCloseAfterTests, startWidgetWorld, type WidgetWorld } from './harness.js';

let ww: WidgetWorld;
let sink: SmtpSink;
let templateId: string;
let paced: string;
let fast: string;
let adminBox: string;
let leadIds: number[];
/** The 30-lead mailing of the first test, which later tests look at again. */
let big: string;

const N = 30;
const REFUSED = 'refused@client.example';
const w = () => ww.w;
const page = () => ww.page;
const api = (who: TokenClaims = w().user) => w().api(who);

beforeAll(async () => {
  ww = await startWidgetWorld();
  sink = await startSmtpSink({ auth: { user: 'maria', pass: 'smtp-secret' } });
  // The receiving server refuses one address for good: that mail fails with the server's words.
  sink.refuseRecipient(REFUSED, SINK_FAILURES.unknownUser);
  // Three mails a second: the mailing stays active long enough to pause it, with no sleep in the test.
  paced = await createMailbox(w(), w().user, sink, { pacing: { messages: 3, seconds: 1 } });
  fast = await createMailbox(w(), w().user, sink, { pacing: { messages: 100, seconds: 1 }, from: 'fast@acme.example' });
  adminBox = await createMailbox(w(), w().admin, sink, { pacing: { messages: 100, seconds: 1 }, from: 'boss@acme.example' });
  templateId = await createTemplate(w(), w().user, { name: 'Spring offer', subject: 'Offer for {{contact.first_name}}', html: '<p>Hello {{contact.name}}</p>' });
  leadIds = [];
  for (let i = 0; i < N; i++) {
    const email = i === 7 ? REFUSED : `q-${i}@client.example`;
    const c = w().kommo.sim.addContact(SUB, { name: `Person ${i}`, first_name: `P${i}`, last_name: 'Queue', email });
    leadIds.push(w().kommo.sim.addLead(SUB, { name: `Deal ${i}`, responsible_user_id: w().crm.userId, pipeline_id: w().crm.pipelineId, contacts: [c.id] }).id);
  }
}, 90_000);

checkAndCloseAfterTests(() => ({ ww, sink }));

async function createMailing(body: Record<string, unknown>, who: TokenClaims = w().user): Promise<string> {
  const res = await api(who).post('/api/mailings').send({ entityType: 'leads', templateId, ...body });
  expect(res.status).toBe(202);
  return res.body.id as string;
}

/** Advanced settings as `userId`, on the mailings tab, once the list has loaded. */
async function openPage(userId = w().crm.userId, lang: 'en' | 'es' | 'pt' = 'en') {
  await ww.boot({ area: 'advanced_settings', userId, lang });
  await page().click('.leadmail-admin-tabs__tab[data-tab="mailings"]');
  await page().waitForSelector('.leadmail-admin-mailings__row, .leadmail-admin-mailings__empty');
}

const row = (id: string) => `.leadmail-admin-mailings__row[data-mailing-id="${id}"]`;
/** Waits until the row's data attributes (status, sent, percent) satisfy `pred` (a JS expression over `d`). */
const waitForRow = (id: string, pred: string, timeout = 30_000) =>
  page().waitForFunction(
    ([sel, p]) => {
      const el = document.querySelector<HTMLElement>(sel!);
      return !!el && (new Function('d', `return ${p}`)(el.dataset) as boolean);
    },
    [row(id), pred],
    { timeout },
  );
const waitForDetail = (pred: string, timeout = 60_000) =>
  page().waitForFunction(
    (p) => {
      const el = document.querySelector<HTMLElement>('.leadmail-admin-mailings--detail .leadmail-mailing[data-status]');
      return !!el && (new Function('d', `return ${p}`)(el.dataset) as boolean);
    },
    pred,
    { timeout },
  );

/** The mails of one mailing the sink received. */
const sinkFor = async (mailingId: string) => {
  const r = await api().get(`/api/mailings/${mailingId}/recipients?limit=500`);
  const ids = new Set((r.body.items as { emailId: string | null }[]).map((x) => x.emailId).filter(Boolean));
  return sink.messages.filter((m) => ids.has(String(m.parsed.headers.get('x-leadmail-email-id'))));
};

/** "2026-11-30T10:05" for a datetime-local input: now, in the browser's time zone. */
const nowLocal = () =>
  page().evaluate(() => {
    const d = new Date();
    const p = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
  });

it('says when there is no mailing yet', async () => {
  await openPage();
  expect(await page().textContent('.leadmail-admin-mailings__empty')).toBe('No mailings yet. Tick leads or contacts in a Kommo list and choose leadmail to send one.');
  expect(await page().locator('.leadmail-admin-mailings__row, .leadmail-pager').count()).toBe(0);
  await ww.shot('admin-mailings-empty');
});

it('lists a running mailing with progress, rate and ETA, stops polling when left, pauses and resumes it from the list', async () => {
  big = await createMailing({ ids: leadIds, mailboxId: paced });
  await openPage();
  await waitForRow(big, 'Number(d.sent) >= 3 && d.status === "sending"');
  const r = page().locator(row(big));
  expect(await r.locator('.leadmail-admin-mailings__name').textContent()).toBe('Spring offer');
  expect(await r.locator('.leadmail-admin-mailings__sub').textContent()).toBe('Leads selected: 30');
  expect(await r.locator('.leadmail-admin-mailings__status').textContent()).toBe('Sending');
  expect(await r.locator('.leadmail-admin-mailings__counts').textContent()).toMatch(/^\d+ % · \d+ of 30 sent/);
  await eventually(async () => expect(await r.locator('.leadmail-admin-mailings__rate').textContent()).toMatch(/^[\d.]+ \/ min$/), { timeoutMs: 5000 });
  expect(await r.locator('.leadmail-admin-mailings__eta').textContent()).toMatch(/^in \d+ seconds?$/);
  expect(await page().textContent('.leadmail-admin-mailings__scope')).toBe('Your mailings, newest first');
  // Below the list, the single mails waiting in the queue (history/QueuedMails.tsx; none here).
  await page().waitForSelector('.leadmail-admin-mailings__singles .leadmail-queued__empty');
  expect(await page().textContent('.leadmail-admin-mailings__singles .leadmail-queued__title')).toBe("Waiting to be sent");
  await ww.shot('admin-mailings-list-sending');

  // Another tab: the row no longer polls (three more mails leave meanwhile, over a second of polls).
  let polls = 0;
  const count = (req: { url(): string }) => {
    if (req.url().includes('/api/mailings')) polls++;
  };
  await page().click('.leadmail-admin-tabs__tab[data-tab="history"]');
  await page().waitForSelector('.leadmail-admin-page[data-page="history"]');
  page().on('request', count);
  const before = (await sinkFor(big)).length;
  await eventually(async () => expect((await sinkFor(big)).length).toBeGreaterThanOrEqual(before + 3), { timeoutMs: 10_000, intervalMs: 100 });
  page().off('request', count);
  expect(polls).toBe(0);

  await page().click('.leadmail-admin-tabs__tab[data-tab="mailings"]');
  await page().click(`${row(big)} .leadmail-admin-mailings__pause`);
  await waitForRow(big, 'd.status === "paused"');
  expect(await page().textContent(`${row(big)} .leadmail-admin-mailings__status`)).toBe('Paused');
  expect(await page().locator(`${row(big)} .leadmail-admin-mailings__pause`).count()).toBe(0);
  const paused = await eventually(async () => {
    const m = (await api().get(`/api/mailings/${big}`)).body;
    expect(m.status).toBe('paused');
    expect(m.counts.sending).toBe(0);
    return m;
  });
  expect(paused.counts.paused).toBeGreaterThan(0);
  const atPause = (await sinkFor(big)).length;
  expect(atPause).toBeLessThan(N);
  await ww.shot('admin-mailings-list-paused');

  // While paused, the detail lists who still waits; the sink has received nothing more meanwhile.
  await page().click(`${row(big)} .leadmail-admin-mailings__open`);
  await waitForDetail('d.status === "paused"');
  await page().selectOption('.leadmail-admin-mailings__filter', 'paused');
  await page().waitForSelector('.leadmail-admin-mailings__recipient[data-status="paused"]');
  expect(await page().locator('.leadmail-admin-mailings__recipient').count()).toBe(paused.counts.paused);
  expect(await page().locator('.leadmail-admin-mailings__filter option[value="paused"]').textContent()).toBe(`Paused (${paused.counts.paused})`);
  await page().locator('.leadmail-admin-mailings__recipients').scrollIntoViewIfNeeded();
  await ww.shot('admin-mailings-detail-paused');
  expect((await sinkFor(big)).length).toBe(atPause);
  expect((await api().get(`/api/mailings/${big}`)).body.counts.sent).toBe(paused.counts.sent);

  // Back to the list, resumed there; followed to the end in its detail, whose stats and recipients catch up.
  await page().click('.leadmail-admin-mailings__back');
  await page().click(`${row(big)} .leadmail-admin-mailings__resume`);
  await waitForRow(big, 'd.status !== "paused"');
  await page().click(`${row(big)} .leadmail-admin-mailings__open`);
  await waitForDetail('d.status === "done" && d.percent === "100"', 60_000);
  await page().waitForSelector('.leadmail-admin-mailings__total--sent[data-count="29"]');
  await page().waitForFunction(() => document.querySelectorAll('.leadmail-admin-mailings__recipient[data-status="sent"]').length === 29);
  expect((await api().get(`/api/mailings/${big}`)).body.counts).toMatchObject({ sent: N - 1, failed: 1, paused: 0, queued: 0 });
  expect(await sinkFor(big)).toHaveLength(N - 1);
}, 120_000);

it('shows a finished mailing’s recipients, its failure grouped by reason, its stats, the CSV, and a reminder made from it', async () => {
  const m = (await api().get(`/api/mailings/${big}`)).body;
  const failure = m.reasons.find((x: { status: string }) => x.status === 'failed');
  expect(failure).toMatchObject({ count: 1 });
  expect(failure.reason).toMatch(/User unknown/);

  await openPage();
  await page().click(`${row(big)} .leadmail-admin-mailings__name`);
  await waitForDetail('d.status === "done"');
  expect(await page().textContent('.leadmail-mailing__status')).toBe('Finished');
  expect(await page().textContent('.leadmail-reasons__item--failed .leadmail-reasons__count')).toBe('1');
  expect(await page().textContent('.leadmail-reasons__item--failed .leadmail-reasons__text')).toBe(failure.reason);
  await page().waitForSelector('.leadmail-admin-mailings__total--sent[data-count="29"]');
  expect(await page().getAttribute('.leadmail-admin-mailings__total--failed', 'data-count')).toBe('1');
  await page().waitForSelector('.leadmail-admin-mailings__recipient');
  expect(await page().locator('.leadmail-admin-mailings__recipient').count()).toBe(N);
  expect(await page().locator('.leadmail-admin-mailings__recipient[data-status="sent"]').count()).toBe(N - 1);
  await ww.shot('admin-mailings-detail');

  await page().selectOption('.leadmail-admin-mailings__filter', 'failed');
  await page().waitForFunction(() => document.querySelectorAll('.leadmail-admin-mailings__recipient').length === 1);
  const failed = page().locator('.leadmail-admin-mailings__recipient');
  expect(await failed.getAttribute('data-email')).toBe(REFUSED);
  expect(await failed.locator('.leadmail-admin-mailings__reason').textContent()).toMatch(/User unknown/);
  expect(await failed.locator('.leadmail-admin-mailings__entity').textContent()).toBe(`Lead #${leadIds[7]}`);
  expect(await failed.locator('.leadmail-admin-mailings__entity').getAttribute('href')).toBe(`/leads/detail/${leadIds[7]}`);
  await page().locator('.leadmail-admin-mailings__recipients').scrollIntoViewIfNeeded();
  await ww.shot('admin-mailings-detail-failed');

  // The CSV: a real download of every recipient, the same rows the API gives.
  const [download] = await Promise.all([page().waitForEvent('download'), page().click('.leadmail-admin-mailings__csv')]);
  expect(download.suggestedFilename()).toBe(`mailing-${big}.csv`);
  const text = fs.readFileSync((await download.path())!, 'utf8');
  expect(text.startsWith('\ufeff')).toBe(true);
  const lines = text.slice(1).split('\r\n').filter(Boolean);
  expect(lines[0]).toBe('entity_type,entity_id,contact_id,email,status,reason,email_id,sent_at');
  expect(lines).toHaveLength(N + 1);
  expect(text.slice(1)).toBe((await api().get(`/api/mailings/${big}/recipients.csv`)).text);
  const refusedLine = lines.find((l) => l.includes(REFUSED))!;
  expect(refusedLine.split(',').slice(0, 5)).toEqual(['leads', String(leadIds[7]), expect.any(String), REFUSED, 'failed']);
  expect(new Set(lines.slice(1).map((l) => l.split(',')[1]))).toEqual(new Set(leadIds.map(String)));

  // "Remind those who did not respond": created from the page, then followed in the same detail.
  await page().click('.leadmail-reminder__open');
  await page().waitForSelector('.leadmail-reminder__create:not([disabled])');
  await page().selectOption('.leadmail-reminder__condition', 'not_opened');
  await page().fill('.leadmail-reminder__at', await nowLocal());
  await ww.shot('admin-mailings-reminder-form');
  await page().click('.leadmail-reminder__create');
  await page().waitForSelector(`.leadmail-admin-mailings--detail:not([data-mailing-id="${big}"]) .leadmail-mailing[data-status]`);
  const reminderId = (await page().getAttribute('.leadmail-admin-mailings--detail', 'data-mailing-id'))!;
  const reminder = (await api().get(`/api/mailings/${reminderId}`)).body;
  expect(reminder).toMatchObject({ parentMailingId: big, templateId });
  expect(await page().textContent('.leadmail-mailing h2')).toBe('Reminder to those who did not respond');
  // Stop it (it would mail the 29 again); the list then shows it as a cancelled reminder.
  await page().click('.leadmail-mailing__cancel');
  await waitForDetail('d.status === "cancelled"');
  expect((await api().get(`/api/mailings/${reminderId}`)).body.status).toBe('cancelled');
  await page().click('.leadmail-admin-mailings__back');
  await page().waitForSelector(row(reminderId));
  expect(await page().textContent(`${row(reminderId)} .leadmail-admin-mailings__name`)).toBe('Reminder: Spring offer');
  expect(await page().getAttribute(row(reminderId), 'data-status')).toBe('cancelled');
}, 90_000);

it('cancels a mailing waiting for its start time from the list', async () => {
  const id = await createMailing({ ids: leadIds.slice(0, 5), mailboxId: fast, startAt: '2030-01-15T09:30:00Z' });
  await eventually(async () => expect((await api().get(`/api/mailings/${id}`)).body.status).toBe('queued'), { timeoutMs: 15_000 });
  await openPage();
  await waitForRow(id, 'd.status === "queued"');
  expect(await page().textContent(`${row(id)} .leadmail-admin-mailings__status`)).toBe('Waiting to start');
  await page().click(`${row(id)} .leadmail-admin-mailings__cancel`);
  await waitForRow(id, 'd.status === "cancelled"');
  const m = (await api().get(`/api/mailings/${id}`)).body;
  expect(m.status).toBe('cancelled');
  expect(m.counts).toMatchObject({ cancelled: 5, sent: 0 });
  expect(await page().locator(`${row(id)} :is(.leadmail-admin-mailings__cancel, .leadmail-admin-mailings__pause, .leadmail-admin-mailings__resume)`).count()).toBe(0);
  expect(await sinkFor(id)).toHaveLength(0);
  await ww.shot('admin-mailings-cancelled');
}, 60_000);

it('shows a user only their own mailings and an administrator every mailing of the account', async () => {
  const adminMailing = await createMailing({ ids: [leadIds[0]!], mailboxId: adminBox, templateId: undefined, subject: 'From the boss', html: '<p>Hi</p>' }, w().admin);
  await eventually(async () => expect((await api(w().admin).get(`/api/mailings/${adminMailing}`)).body.status).toBe('done'), { timeoutMs: 15_000 });
  const ids = async () => page().$$eval('.leadmail-admin-mailings__row', (els) => els.map((e) => (e as HTMLElement).dataset.mailingId));

  await openPage(w().crm.userId);
  const own = (await api().get('/api/mailings?limit=100')).body.items.map((x: { id: string }) => x.id);
  expect(await ids()).toEqual(own);
  expect(own).not.toContain(adminMailing);

  await openPage(w().crm.adminUserId);
  await page().waitForSelector(row(adminMailing));
  expect(await page().textContent('.leadmail-admin-mailings__scope')).toBe('Every mailing of the account, newest first');
  expect(new Set(await ids())).toEqual(new Set([adminMailing, ...own]));
  expect(await page().textContent(`${row(adminMailing)} .leadmail-admin-mailings__name`)).toBe('Without a template');
  await ww.shot('admin-mailings-admin');
}, 60_000);

it('pages a long list of mailings', async () => {
  const total = (await api().get('/api/mailings')).body.total as number;
  for (let i = total; i < 23; i++) await createMailing({ ids: [leadIds[i % N]!], mailboxId: fast, startAt: '2030-01-15T09:30:00Z' });
  await openPage();
  expect(await page().locator('.leadmail-admin-mailings__row').count()).toBe(20);
  expect(await page().textContent('.leadmail-pager__range')).toBe('1–20 of 23');
  await page().click('.leadmail-pager__next');
  await page().waitForSelector('.leadmail-pager__range:text("21–23 of 23")');
  expect(await page().locator('.leadmail-admin-mailings__row').count()).toBe(3);
  // The oldest mailing is last: the 30-lead one.
  expect(await page().locator('.leadmail-admin-mailings__row').last().getAttribute('data-mailing-id')).toBe(big);
  // A detail and back keeps the page.
  await page().click(`${row(big)} .leadmail-admin-mailings__open`);
  await waitForDetail('d.status === "done"');
  await page().click('.leadmail-admin-mailings__back');
  await page().waitForSelector(row(big));
  expect(await page().textContent('.leadmail-pager__range')).toBe('21–23 of 23');
  // Stop the scheduled ones so nothing waits past the test.
  for (const x of (await api().get('/api/mailings?limit=100')).body.items as { id: string; status: string }[]) {
    if (['resolving', 'queued'].includes(x.status)) await api().post(`/api/mailings/${x.id}/cancel`).expect(200);
  }
}, 90_000);

it.each([
  ['es', 'Envíos masivos y cola', 'Terminado', 'Exportar CSV'],
  ['pt', 'Envios em massa e fila', 'Concluído', 'Exportar CSV'],
] as const)('renders the list and a detail in %s with every key', async (lang, title, done, csv) => {
  await openPage(w().crm.userId, lang);
  expect(await page().textContent('.leadmail-admin-mailings__list h2')).toBe(title);
  await ww.shot(`admin-mailings-${lang}`);
  // The 30-lead mailing is on the second page by now (the paging test above).
  await page().click('.leadmail-pager__next');
  await page().click(`${row(big)} .leadmail-admin-mailings__open`);
  await waitForDetail('d.status === "done"');
  await page().waitForSelector('.leadmail-admin-mailings__recipient');
  await page().waitForSelector('.leadmail-admin-mailings__totals');
  expect(await page().textContent('.leadmail-mailing__status')).toBe(done);
  expect(await page().textContent('.leadmail-admin-mailings__csv')).toBe(csv);
  await page().click('.leadmail-reminder__open');
  await page().waitForSelector('.leadmail-reminder__create:not([disabled])');
  expect(await page().textContent('.leadmail-admin-page')).not.toMatch(/\b(admin_mailings|list|common)\.[a-z_]+/);
  await ww.shot(`admin-mailings-detail-${lang}`);
}, 60_000);
