/** Steps the triggers page tests share: open the page as an admin, fill the editor like a user, read what was saved. */
import type { WidgetWorld } from './harness.js';

export interface SavedTrigger {
  id: string;
  name: string;
  action: string;
  params: Record<string, unknown>;
  delaySeconds: number;
  active: boolean;
}

export async function openTriggersPage(ww: WidgetWorld, lang: 'en' | 'es' | 'pt' = 'en'): Promise<void> {
  await ww.boot({ area: 'advanced_settings', userId: ww.w.crm.adminUserId, lang });
  await ww.page.click('.leadmail-admin-tabs__tab[data-tab="triggers"]');
  // The editor opens once Kommo's lists are in.
  await ww.page.waitForSelector('.leadmail-trg__new:not([disabled])');
}

/** "New trigger" → name and action kind picked. */
export async function startNew(ww: WidgetWorld, name: string, actionLabel: string): Promise<void> {
  const page = ww.page;
  await page.click('.leadmail-trg__new');
  await page.waitForSelector('.leadmail-trg-editor');
  await page.fill('.leadmail-trg__name', name);
  await page.selectOption('.leadmail-trg__action', { label: actionLabel });
}

export const pick = (ww: WidgetWorld, sel: string, label: string) => ww.page.selectOption(sel, { label });

/** Save, see the page say so, and return the trigger as the API has it. */
export async function saveAndRead(ww: WidgetWorld, name: string): Promise<SavedTrigger> {
  const page = ww.page;
  await page.click('.leadmail-trg__save');
  await page.waitForSelector(`.leadmail-trg__saved:has-text("${name}")`);
  await page.waitForSelector(`.leadmail-trg-list__name:text-is("${name}")`);
  const res = await ww.w.api(ww.w.admin).get('/api/triggers');
  expect(res.status).toBe(200);
  const found = (res.body as SavedTrigger[]).filter((x) => x.name === name);
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** The text shown under the editor's input for `field` (e.g. "params.value"). */
export async function fieldError(ww: WidgetWorld, field: string): Promise<string> {
  const sel = `.leadmail-trg-editor .leadmail-field[data-field="${field}"] .leadmail-field__error`;
  await ww.page.waitForSelector(sel);
  return (await ww.page.textContent(sel))!;
}

/** "After" `amount` `unit` (its label) typed and picked in an amount-and-unit input (`what`: delay or deadline). */
export async function setAmount(ww: WidgetWorld, what: 'delay' | 'deadline', amount: string, unit: string): Promise<void> {
  if (what === 'delay') await pick(ww, '.leadmail-trg__delay-mode', 'After');
  await ww.page.fill(`.leadmail-trg__${what}-amount`, amount);
  await pick(ww, `.leadmail-trg__${what}-unit`, unit);
}
