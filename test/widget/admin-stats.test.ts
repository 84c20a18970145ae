/**
 * Advanced settings → statistics in real Chromium against the real backend, over the known set of
 * mails of test/stats/stats-fixture.ts (sent, one failed, human and machine opens and clicks, a
 * mailing): the page draws a Chart.js chart on a canvas per chart, the numbers tables beside them
 * show the right counts, changing the period, the bucket or a filter changes them, a user sees
 * only their own mails, a bad period is shown at its field, the charts go with the page, and es
 * and pt render it with every key.
 */
import type { StatsSeries } from '../../shared/schemas/stats.js';
import { eventually } from '../support/eventually.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { seedStats, ZERO, type StatsFixture } from '../stats/stats-fixture.js';
import { checkAndCloseAfterTests, startWidgetWorld, tallShot, type WidgetWorld } from './harness.js';

let ww: WidgetWorld;
let sink: SmtpSink;
let fx: StatsFixture;

beforeAll(async () => {
  ww = await startWidgetWorld();
  sink = await startSmtpSink();
  fx = await seedStats(ww.w, sink);
}, 120_000);

checkAndCloseAfterTests(() => ({ ww, sink }));

type Counts = typeof ZERO;

async function openStats(userId: number, lang?: 'es' | 'pt'): Promise<void> {
  await ww.boot({ area: 'advanced_settings', userId, ...(lang ? { lang } : {}) });
  await ww.page.click('.leadmail-admin-tabs__tab[data-tab="stats"]');
  await ww.page.waitForSelector('.leadmail-stats[data-state="ready"]');
}

async function period(from: string, to: string): Promise<void> {
  if (!(await ww.page.$('.leadmail-stats input[name="from"]'))) await ww.page.click('.leadmail-stats-presets__btn[data-preset="custom"]');
  await ww.page.fill('.leadmail-stats input[name="from"]', from);
  await ww.page.fill('.leadmail-stats input[name="to"]', to);
}

/** A table's rows as the user reads them: the first cell, then each series' number. */
async function table(name: string): Promise<Record<string, { label: string } & Counts>> {
  return ww.page.$$eval<Record<string, { label: string } & Counts>>(`.leadmail-stats-table[data-table="${name}"] tbody tr, .leadmail-stats-table[data-table="${name}"] tfoot tr`, (trs) =>
    Object.fromEntries(
      trs.map((tr) => {
        const row: Record<string, unknown> = { label: tr.querySelector('th')!.textContent };
        for (const td of tr.querySelectorAll('td')) row[(td as HTMLElement).dataset.series!] = Number(td.textContent);
        return [(tr as HTMLElement).dataset.row!, row as { label: string } & Counts];
      }),
    ),
  );
}

async function totals(): Promise<Counts> {
  return ww.page.$$eval('.leadmail-stats-total', (els) =>
    Object.fromEntries(els.map((e) => [(e as HTMLElement).dataset.series!, Number(e.querySelector('.leadmail-stats-total__n')!.textContent)])),
  ) as Promise<Counts>;
}

/** Every chart's canvas, and whether Chart.js owns it (it marks a canvas it draws on with `$chartjs`). */
const charts = () =>
  ww.page.$$eval('.leadmail-stats canvas', (cs) => cs.map((c) => ({ chart: (c.closest('[data-chart]') as HTMLElement).dataset.chart, live: '$chartjs' in c, width: (c as HTMLCanvasElement).width })));

/** The whole page, not just the first screen: the viewport grows to the page's height for the shot. */
const shot = (name: string) => tallShot(ww, name);

const noLabel = <T extends { label: string }>(r: T | undefined) => {
  if (!r) return r;
  const { label: _label, ...rest } = r;
  return rest;
};

it('draws the charts of a period with the right numbers beside them', async () => {
  await openStats(ww.w.crm.adminUserId);
  await period('2026-11-20', '2026-11-21');
  await eventually(async () => expect(await totals()).toEqual({ sent: 3, failed: 1, humanOpens: 2, machineOpens: 2, humanClicks: 1, machineClicks: 1 }));
  expect(await charts()).toEqual(
    ['sends', 'engagement', 'template', 'mailbox', 'mailing'].map((chart) => ({ chart, live: true, width: expect.any(Number) })),
  );
  expect((await charts()).every((c) => c.width > 100)).toBe(true);

  const time = await table('time');
  expect(Object.keys(time)).toEqual(['2026-11-20', '2026-11-21', 'total']);
  expect(time['2026-11-20']).toEqual({ label: 'Nov 20', sent: 1, failed: 0, humanOpens: 1, machineOpens: 1, humanClicks: 1, machineClicks: 1 });
  expect(noLabel(time['2026-11-21'])).toEqual({ sent: 2, failed: 1, humanOpens: 1, machineOpens: 1, humanClicks: 0, machineClicks: 0 });
  expect(noLabel(time.total)).toEqual({ sent: 3, failed: 1, humanOpens: 2, machineOpens: 2, humanClicks: 1, machineClicks: 1 });

  const templates = await table('template');
  expect(templates[fx.templateId]).toEqual({ label: 'Offer', sent: 2, failed: 1, humanOpens: 2, machineOpens: 1, humanClicks: 1, machineClicks: 1 });
  expect(templates.none).toEqual({ label: 'No template', ...ZERO, sent: 1, machineOpens: 1 });
  const mailboxes = await table('mailbox');
  expect(noLabel(mailboxes[fx.userMailbox])).toMatchObject({ sent: 2, failed: 1 });
  expect(noLabel(mailboxes[fx.adminMailbox])).toMatchObject({ sent: 1, failed: 0, machineOpens: 1 });
  const mailings = await table('mailing');
  expect(Object.keys(mailings)).toEqual([fx.mailingId]);
  expect(mailings[fx.mailingId]!.label).toMatch(/^Spring sale · /);

  // The page shows what the backend counts.
  const api = (await ww.w.api(ww.w.admin).get('/api/stats/series').query({ since: '2026-11-20T00:00:00Z', until: '2026-11-22T00:00:00Z', tz: 'UTC' })).body as StatsSeries;
  expect(await totals()).toEqual(api.totals);
  await shot('admin-stats-days');
});

it('changes the numbers with the period, the bucket and the filters', async () => {
  await openStats(ww.w.crm.adminUserId);
  // One day: drawn per hour on its own.
  await period('2026-11-20', '2026-11-20');
  await eventually(async () => {
    const time = await table('time');
    expect(Object.keys(time)).toEqual(['2026-11-20T10:00', '2026-11-20T11:00', 'total']);
    expect(noLabel(time['2026-11-20T10:00'])).toEqual({ ...ZERO, sent: 1, machineOpens: 1, machineClicks: 1 });
    expect(time['2026-11-20T11:00']).toEqual({ label: 'Nov 20, 11:00', ...ZERO, humanOpens: 1, humanClicks: 1 });
  });
  expect(await ww.page.getAttribute('.leadmail-stats-section[data-section="time"]', 'data-bucket')).toBe('hour');
  expect(await ww.page.textContent('.leadmail-stats-section[data-section="mailing"] .leadmail-stats-empty')).toBe('Nothing was sent, opened or clicked in this period.');
  await shot('admin-stats-hours');

  // Two days, per hour on request.
  await period('2026-11-20', '2026-11-21');
  await ww.page.selectOption('.leadmail-stats select[name="bucket"]', 'hour');
  await eventually(async () => expect(Object.keys(await table('time'))).toEqual(['2026-11-20T10:00', '2026-11-20T11:00', '2026-11-21T09:00', '2026-11-21T12:00', 'total']));

  // Filters: the template, then the mailing instead, then a mailbox.
  await ww.page.selectOption('.leadmail-stats select[name="bucket"]', '');
  await ww.page.selectOption('.leadmail-stats select[name="templateId"]', fx.templateId);
  await eventually(async () => expect(await totals()).toEqual({ sent: 2, failed: 1, humanOpens: 2, machineOpens: 1, humanClicks: 1, machineClicks: 1 }));
  expect(Object.keys(await table('template'))).toEqual([fx.templateId]);
  await shot('admin-stats-filtered');
  await ww.page.selectOption('.leadmail-stats select[name="templateId"]', '');
  await ww.page.selectOption('.leadmail-stats select[name="mailingId"]', fx.mailingId);
  await eventually(async () => expect(await totals()).toEqual({ ...ZERO, sent: 1, machineOpens: 1 }));
  await ww.page.selectOption('.leadmail-stats select[name="mailingId"]', '');
  await ww.page.selectOption('.leadmail-stats select[name="mailboxId"]', fx.userMailbox);
  await eventually(async () => expect(await totals()).toEqual({ sent: 2, failed: 1, humanOpens: 2, machineOpens: 1, humanClicks: 1, machineClicks: 1 }));
});

it('shows a user only their own mails', async () => {
  await openStats(ww.w.crm.userId);
  await period('2026-11-20', '2026-11-21');
  await eventually(async () => expect(await totals()).toEqual({ sent: 2, failed: 1, humanOpens: 2, machineOpens: 1, humanClicks: 1, machineClicks: 1 }));
  expect(Object.keys(await table('mailbox'))).toEqual([fx.userMailbox]);
  expect(await ww.page.$('.leadmail-stats-table[data-table="mailing"]')).toBeNull();
  expect(await ww.page.$$eval('.leadmail-stats select[name="mailingId"] option', (os) => os.length)).toBe(1);
});

it('shows the server’s complaint at the date it names, and the charts go with the page', async () => {
  await openStats(ww.w.crm.adminUserId);
  await period('2026-11-22', '2026-11-20');
  const text = await ww.page.waitForSelector('.leadmail-stats .leadmail-field[data-field="to"] .leadmail-field__error');
  expect(await text.textContent()).toBe('must be after since');
  expect(await ww.page.$('.leadmail-stats__stale')).not.toBeNull();
  // The browser logs each refused request (the series and three breakdowns, answered in any
  // order after the first one shows its error): those four are the point of this test.
  const refused = 'console.error: Failed to load resource: the server responded with a status of 400 (Bad Request)';
  await eventually(async () => {
    await ww.flush();
    expect(ww.problems.filter((p) => p === refused)).toHaveLength(4);
  });
  expect(ww.problems.splice(0)).toEqual(Array(4).fill(refused));
  await shot('admin-stats-error');
  await period('2026-11-20', '2026-11-21');
  await eventually(async () => expect((await totals()).sent).toBe(3));
  expect(await ww.page.$('.leadmail-field__error')).toBeNull();
  expect(await ww.page.$('.leadmail-stats__stale')).toBeNull();

  const canvas = await ww.page.$('.leadmail-stats canvas');
  expect(await canvas!.evaluate((c) => '$chartjs' in c)).toBe(true);
  await ww.page.click('.leadmail-admin-tabs__tab[data-tab="history"]');
  await ww.page.waitForSelector('.leadmail-admin-page[data-page="history"]');
  // Chart.destroy() releases the canvas: its mark is gone (and its resize observer with it).
  expect(await canvas!.evaluate((c) => '$chartjs' in c)).toBe(false);
});

it.each(['es', 'pt'] as const)('renders the page in %s with every key', async (lang) => {
  await openStats(ww.w.crm.adminUserId, lang);
  await period('2026-11-20', '2026-11-21');
  await eventually(async () => expect((await totals()).sent).toBe(3));
  expect(await ww.page.textContent('.leadmail-stats-section[data-section="template"] .leadmail-stats-section__title')).toBe(lang === 'es' ? 'Por plantilla' : 'Por modelo');
  expect((await table('template')).none!.label).toBe(lang === 'es' ? 'Sin plantilla' : 'Sem modelo');
  await shot(`admin-stats-${lang}`);
});
