/**
 * The advanced settings page's frame (issue 9), in real Chromium against the real backend: an
 * administrator gets every tab, a user only the tabs that are theirs (no triggers, no trigger
 * links), switching tabs shows that page, and es and pt render the frame with every key.
 * Each page's own flows are tested in test/widget/admin-<page>.test.ts.
 */
import { checkAndCloseAfterTests, startWidgetWorld, type WidgetWorld } from './harness.js';

let ww: WidgetWorld;

beforeAll(async () => {
  ww = await startWidgetWorld();
}, 60_000);

checkAndCloseAfterTests(() => ({ ww }));

const tabs = () => ww.page.$$eval('.leadmail-admin-tabs__tab', (els) => els.map((e) => (e as HTMLElement).dataset.tab));

it('shows an administrator every tab and switches between the pages', async () => {
  await ww.boot({ area: 'advanced_settings', userId: ww.w.crm.adminUserId });
  await ww.page.waitForSelector('#work-area-leadmail .leadmail-admin-tabs');
  expect(await tabs()).toEqual(['mailboxes', 'templates', 'triggers', 'tlinks', 'mailings', 'history', 'stats', 'prefs']);
  expect(await ww.page.getAttribute('.leadmail-admin-page', 'data-page')).toBe('mailboxes');
  expect(await ww.page.textContent('.leadmail-admin-tabs__who')).toBe('Administrator');
  await ww.page.click('.leadmail-admin-tabs__tab[data-tab="triggers"]');
  await ww.page.waitForSelector('.leadmail-admin-page[data-page="triggers"]');
  expect(await ww.page.getAttribute('.leadmail-admin-tabs__tab[data-tab="triggers"]', 'aria-selected')).toBe('true');
  await ww.shot('admin-shell');
});

it('hides the administrator-only tabs from a user', async () => {
  await ww.boot({ area: 'advanced_settings', userId: ww.w.crm.userId });
  await ww.page.waitForSelector('#work-area-leadmail .leadmail-admin-tabs');
  expect(await tabs()).toEqual(['mailboxes', 'templates', 'mailings', 'history', 'stats', 'prefs']);
  expect(await ww.page.textContent('.leadmail-admin-tabs__who')).toBe('User');
});

it.each(['es', 'pt'] as const)('renders the frame in %s with every key', async (lang) => {
  await ww.boot({ area: 'advanced_settings', userId: ww.w.crm.adminUserId, lang });
  await ww.page.waitForSelector('#work-area-leadmail .leadmail-admin-tabs');
  const labels = await ww.page.$$eval('.leadmail-admin-tabs__tab', (els) => els.map((e) => e.textContent));
  expect(labels[0]).toBe(lang === 'es' ? 'Buzones' : 'Caixas de correio');
});
