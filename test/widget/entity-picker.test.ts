/**
 * The entity picker (ui/entity-picker.tsx) in real Chromium against the real backend and the Kommo
 * simulator, where the templates page uses it ("Try it on a CRM record"): a user finds a lead by
 * part of its name and previews with it, a contact by its id (with its email), moves through the
 * list with ↑/↓ and picks with Enter, is told when nothing matches, finds only what Kommo's rights
 * show; Spanish and Portuguese have every key.
 */
import type { Page } from 'playwright-core';
import { checkAndCloseAfterTests, startWidgetWorld, type WidgetWorld } from './harness.js';

let ww: WidgetWorld;
let acmeLead: number;
let zetas: number[];

beforeAll(async () => {
  ww = await startWidgetWorld();
  const { w } = ww;
  const sub = w.admin.subdomain;
  acmeLead = w.kommo.sim.addLead(sub, { name: 'Acme renewal', price: 1200, pipeline_id: w.crm.pipelineId, responsible_user_id: w.crm.otherUserId }).id;
  zetas = [1, 2, 3].map((i) => w.kommo.sim.addLead(sub, { name: `Zeta ${i}`, pipeline_id: w.crm.pipelineId, responsible_user_id: w.crm.userId }).id);
}, 60_000);

checkAndCloseAfterTests(() => ({ ww }));

const page = (): Page => ww.page;
const ed = '.leadmail-tpl-editor';
const input = `${ed} .leadmail-picker__input`;
const items = `${ed} .leadmail-picker__item`;

/** A new template's editor, whose preview bar holds the picker. */
async function openPicker(userId: number, lang: 'en' | 'es' | 'pt' = 'en'): Promise<void> {
  await ww.boot({ area: 'advanced_settings', userId, lang });
  await page().click('.leadmail-admin-tabs__tab[data-tab="templates"]');
  await page().click('.leadmail-tpl-list__new');
  await page().waitForSelector(input);
}

const names = () => page().$$eval(`${items} .leadmail-picker__name`, (els) => els.map((e) => e.textContent));

async function shotOfPicker(name: string): Promise<void> {
  await page().evaluate(() => {
    document.querySelectorAll('#notifications > *').forEach((n) => n.remove());
    document.querySelector('.leadmail-tpl-check')!.scrollIntoView({ block: 'start' });
    window.scrollBy(0, -70);
  });
  await ww.shot(name);
}

it('finds a lead by part of its name as the user types, shows its stage and price, and previews with it', async () => {
  const { w } = ww;
  await openPicker(w.crm.adminUserId);
  await page().fill(`${ed} .leadmail-tpl__subject`, 'Offer for {{lead.name}}');
  await page().fill(input, 'acme ren');
  await page().waitForSelector(items);
  expect(await names()).toEqual(['Acme renewal']);
  expect(await page().textContent(`${items} .leadmail-picker__meta`)).toBe('Sales · Incoming leads · sale 1,200');
  expect(await page().textContent(`${items} .leadmail-picker__id`)).toBe(`#${acmeLead}`);
  expect(w.kommo.sim.requestsFor(w.admin.subdomain, { method: 'GET', path: '/api/v4/leads' }).at(-1)?.query).toMatchObject({ query: 'acme ren' });
  await shotOfPicker('entity-picker-results');
  await page().click(`${items}[data-id="${acmeLead}"]`);
  expect(await page().inputValue(input)).toBe('Acme renewal');
  expect(await page().isVisible(`${ed} .leadmail-picker__menu`)).toBe(false);
  await page().click(`${ed} .leadmail-tpl-check__preview`);
  await page().waitForSelector(`${ed} .leadmail-preview__subject b`);
  expect(await page().textContent(`${ed} .leadmail-preview__subject b`)).toBe('Offer for Acme renewal');
});

it('finds a contact by its id and shows its email', async () => {
  const { w } = ww;
  await openPicker(w.crm.adminUserId);
  await page().selectOption(`${ed} .leadmail-tpl-check__type`, 'contacts');
  expect(await page().getAttribute(input, 'placeholder')).toBe('Find a contact by name, email or ID');
  await page().fill(input, String(w.crm.contactId));
  await page().waitForSelector(`${items}[data-id="${w.crm.contactId}"]`);
  expect(await page().textContent(`${items}[data-id="${w.crm.contactId}"] .leadmail-picker__name`)).toBe('John Smith');
  expect(await page().textContent(`${items}[data-id="${w.crm.contactId}"] .leadmail-picker__meta`)).toBe('john@client.example');
  await page().click(`${items}[data-id="${w.crm.contactId}"]`);
  expect(await page().textContent(`${ed} .leadmail-picker__picked-id`)).toBe(`#${w.crm.contactId}`);
  // Another type starts afresh: the contact is no longer the choice.
  await page().selectOption(`${ed} .leadmail-tpl-check__type`, 'leads');
  expect(await page().inputValue(input)).toBe('');
  await page().click(`${ed} .leadmail-tpl-check__preview`);
  await page().waitForSelector(`${ed} [data-error-for="entityId"]`);
});

it('moves through the list with the arrow keys and picks with Enter', async () => {
  await page().fill(input, 'zeta');
  await page().waitForSelector(`${items}:nth-child(3)`);
  expect(await names()).toEqual(['Zeta 1', 'Zeta 2', 'Zeta 3']);
  const active = () => page().getAttribute(`${items}[aria-selected="true"]`, 'data-id');
  expect(await active()).toBe(String(zetas[0]));
  await page().press(input, 'ArrowDown');
  await page().press(input, 'ArrowDown');
  expect(await active()).toBe(String(zetas[2]));
  await page().press(input, 'ArrowUp');
  expect(await active()).toBe(String(zetas[1]));
  await page().press(input, 'ArrowDown');
  await page().press(input, 'ArrowDown');
  expect(await active()).toBe(String(zetas[0])); // wraps around
  await page().press(input, 'ArrowDown');
  await page().press(input, 'Enter');
  expect(await page().inputValue(input)).toBe('Zeta 2');
  expect(await page().textContent(`${ed} .leadmail-picker__picked-id`)).toBe(`#${zetas[1]}`);
  expect(await page().isVisible(`${ed} .leadmail-picker__menu`)).toBe(false);
  // The error about a missing choice is gone once a record is picked.
  expect(await page().$(`${ed} [data-error-for="entityId"]`)).toBeNull();
});

it('says so when nothing matches', async () => {
  await page().fill(input, 'no such record');
  await page().waitForSelector(`${ed} .leadmail-picker__state--empty`);
  expect(await page().textContent(`${ed} .leadmail-picker__state--empty`)).toBe('Nothing found for “no such record”');
  expect(await page().$(items)).toBeNull();
  await shotOfPicker('entity-picker-nothing');
});

it('finds only the leads Kommo lets the user see', async () => {
  const { w } = ww;
  const own = w.kommo.sim.addUser(w.admin.subdomain, { name: 'Olga Own', email: 'olga@acme.example', view: { leads: 'M' } });
  const hers = w.kommo.sim.addLead(w.admin.subdomain, { name: 'Acme renewal for Olga', pipeline_id: w.crm.pipelineId, responsible_user_id: own.id }).id;
  // The page that plays Kommo signs widget tokens only for the users it knows.
  await ww.reconfigure({ users: [...ww.hostConfig.users, { id: own.id, name: 'Olga Own', isAdmin: false }] });
  await openPicker(own.id);
  await page().fill(input, 'acme renewal');
  await page().waitForSelector(items);
  expect(await page().$$eval(items, (els) => els.map((e) => Number(e.getAttribute('data-id'))))).toEqual([hers]);
});

it.each([
  ['es', 'Buscar un lead por nombre o ID', 'No se encontró nada para «nada»', 'Sales · Incoming leads · venta 1200'],
  ['pt', 'Buscar um lead por nome ou ID', 'Nada encontrado para “nada”', 'Sales · Incoming leads · venda 1.200'],
] as const)('speaks %s with every key', async (lang, placeholder, nothing, meta) => {
  await openPicker(ww.w.crm.adminUserId, lang);
  expect(await page().getAttribute(input, 'placeholder')).toBe(placeholder);
  await page().fill(input, 'nada');
  await page().waitForSelector(`${ed} .leadmail-picker__state--empty`);
  expect(await page().textContent(`${ed} .leadmail-picker__state--empty`)).toBe(nothing);
  await page().fill(input, 'acme renewal');
  await page().waitForSelector(`${items}[data-id="${acmeLead}"]`);
  expect(await page().textContent(`${items}[data-id="${acmeLead}"] .leadmail-picker__meta`)).toBe(meta);
  await page().selectOption(`${ed} .leadmail-tpl-check__type`, 'companies');
  expect(await page().getAttribute(input, 'placeholder')).toBe(lang === 'es' ? 'Buscar una empresa por nombre o ID' : 'Buscar uma empresa por nome ou ID');
  await page().fill(input, 'globex');
  await page().waitForSelector(items);
  await shotOfPicker(`entity-picker-${lang}`);
});
