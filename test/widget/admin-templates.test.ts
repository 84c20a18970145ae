/**
 * Advanced settings → templates in real Chromium against the real backend and the Kommo
 * simulator: an admin and a user create templates through the page (a file through the file
 * input, a link attachment, trigger points with triggers made over the API, owner, public,
 * signature, repeat limit), save, reopen and find everything kept, in the page and in the
 * backend; the preview renders a simulator lead; the dry run's timeline shows its steps in
 * order; save-time errors sit at the field the server named; search filters on the server; a
 * user cannot change the owner; delete asks first; es and pt have every key.
 */
import type { Page, Request } from 'playwright-core';
import { createTemplate } from '../support/send-helpers.js';
import { checkAndCloseAfterTests, startWidgetWorld, type WidgetWorld } from './harness.js';

let ww: WidgetWorld;
let noteTrigger: string;
let taskTrigger: string;
let tagTrigger: string;
let renewalLead: number;
let linkId: number;

beforeAll(async () => {
  ww = await startWidgetWorld();
  const w = ww.w;
  const made = async (body: Record<string, unknown>) => {
    const res = await w.api(w.admin).post('/api/triggers').send(body);
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  noteTrigger = await made({ name: 'Note: offer mailed', action: 'add_note', params: { text: 'Offer mailed: {subject}' } });
  taskTrigger = await made({
    name: 'Call back',
    action: 'set_task',
    params: { taskTypeId: 1, deadline: { kind: 'relative', amount: 1, unit: 'days' }, responsible: 'entity', text: 'Call {{lead.name}}' },
  });
  tagTrigger = await made({ name: 'Tag cold', action: 'change_tags', delaySeconds: 1800, params: { add: ['cold'] } });
  const link = await w.api(w.admin).post('/api/trigger-links').send({ name: 'Book a call', redirectUrl: 'https://acme.example/book' });
  expect(link.status).toBe(201);
  linkId = link.body.id;
  // A lead only the simulator knows (the page that plays Kommo has no such card): the preview must come from Kommo.
  renewalLead = w.kommo.sim.addLead(w.admin.subdomain, { name: 'Renewal 2027 for Globex', pipeline_id: w.crm.pipelineId, responsible_user_id: w.crm.userId }).id;
  for (const name of ['Welcome aboard', 'Price list', 'Invoice reminder']) await createTemplate(w, w.user, { name, subject: `${name} for {{lead.name}}`, html: `<p>${name}</p>` });
}, 60_000);

checkAndCloseAfterTests(() => ({ ww }));

const page = (): Page => ww.page;
const ed = '.leadmail-tpl-editor';

async function openTemplates(userId: number, lang: 'en' | 'es' | 'pt' = 'en'): Promise<void> {
  await ww.boot({ area: 'advanced_settings', userId, lang });
  await page().click('.leadmail-admin-tabs__tab[data-tab="templates"]');
  await page().waitForSelector('.leadmail-tpl-list__table, .leadmail-tpl-list__empty');
  await page().evaluate(() => document.querySelectorAll('#notifications > *').forEach((n) => n.remove()));
}

const listNames = () => page().$$eval('.leadmail-tpl-list__open', (els) => els.map((e) => e.textContent));

async function openTemplate(name: string): Promise<void> {
  await page().click(`.leadmail-tpl-list__open >> text="${name}"`);
  await page().waitForSelector(`${ed}[data-id] .leadmail-tpl__name`);
}

/** A screenshot of the page scrolled to `selector`, without the toasts of earlier steps. */
async function shotAt(name: string, selector: string): Promise<void> {
  await page().evaluate((sel) => {
    document.querySelectorAll('#notifications > *').forEach((n) => n.remove());
    document.querySelector(sel)!.scrollIntoView({ block: 'start' });
    // The page that plays Kommo has a fixed top bar.
    window.scrollBy(0, -70);
  }, selector);
  await ww.shot(name);
}

/** The preview/dry-run bar's picker: type part of the name, click the lead in the list. */
async function pickLead(typed: string, name: string): Promise<void> {
  await page().fill(`${ed} .leadmail-picker__input`, typed);
  await page().click(`${ed} .leadmail-picker__item:has(.leadmail-picker__name:text-is("${name}"))`);
  expect(await page().inputValue(`${ed} .leadmail-picker__input`)).toBe(name);
}

async function pickVariable(key: string): Promise<void> {
  await page().click(`${ed} .leadmail-variables .leadmail-dropdown__toggle`);
  await page().click(`${ed} .leadmail-variables__item[data-key="${key}"]`);
}

async function save(): Promise<void> {
  await page().click(`${ed} .leadmail-tpl-editor__save`);
}

async function savedId(): Promise<string> {
  const el = await page().waitForSelector(`${ed}:not([data-id="new"])`);
  return (await el.getAttribute('data-id'))!;
}

/** Writes a template through the page: name, subject with a variable, a body, a file by the file input, trigger points. */
async function writeTemplate(name: string, file: { name: string; text: string }): Promise<void> {
  await page().click('.leadmail-tpl-list__new');
  await page().waitForSelector(`${ed}[data-id="new"]`);
  await page().fill(`${ed} .leadmail-tpl__name`, name);
  await page().fill(`${ed} .leadmail-tpl__subject`, 'Offer for ');
  await pickVariable('lead.name');
  await page().click(`${ed} .leadmail-editor__frame`);
  await page().keyboard.type('Dear customer, the offer for ');
  await pickVariable('lead.name');
  await page().keyboard.type(' is attached.');
  await page().setInputFiles(`${ed} .leadmail-tpl-files__input`, { name: file.name, mimeType: 'text/plain', buffer: Buffer.from(file.text) });
  await page().waitForSelector(`${ed} .leadmail-tpl-file[data-name="${file.name}"]`);
  await page().selectOption(`${ed} .leadmail-points__add[data-point="sent"]`, noteTrigger);
  await page().fill(`${ed} .leadmail-points__amount`, '2');
  await page().selectOption(`${ed} .leadmail-points__unit`, 'hours');
  await page().selectOption(`${ed} .leadmail-points__add[data-point="notOpened"]`, taskTrigger);
  await page().selectOption(`${ed} .leadmail-points__add[data-point="notOpened"]`, tagTrigger);
}

let adminTemplate: string;

it('an admin creates a template with a file, a link, trigger points, owner and flags; reopened, everything is kept', async () => {
  const w = ww.w;
  await openTemplates(w.crm.adminUserId);
  await ww.shot('admin-templates-list');
  await writeTemplate('Annual offer', { name: 'terms.txt', text: 'Terms and conditions\n' });
  expect(await page().textContent(`${ed} .leadmail-tpl-files__total`)).toBe('21 B of 50 MB');
  await page().click(`${ed} .leadmail-triggerlinks .leadmail-dropdown__toggle`);
  await page().click(`${ed} .leadmail-triggerlinks__item[data-link-id="${linkId}"]`);
  await page().click(`${ed} .leadmail-tpl-links__add`);
  await page().fill(`${ed} .leadmail-tpl-links__url`, 'https://files.acme.example/prices.pdf');
  await page().fill(`${ed} .leadmail-tpl-links__filename`, 'prices.pdf');
  await page().selectOption(`${ed} .leadmail-tpl__owner`, String(w.crm.userId));
  await page().check(`${ed} .leadmail-tpl__public`);
  await page().check(`${ed} .leadmail-tpl__nosig`);
  await page().fill(`${ed} .leadmail-tpl__repeat`, '3');
  await shotAt('admin-templates-editor', ed);
  await save();
  adminTemplate = await savedId();
  await page().waitForSelector('#notifications >> text=Template “Annual offer” saved');

  // What the backend stored.
  const stored = (await w.api(w.admin).get(`/api/templates/${adminTemplate}`)).body;
  expect(stored).toMatchObject({
    name: 'Annual offer',
    subject: 'Offer for {{lead.name}}',
    ownerUserId: w.crm.userId,
    isPublic: true,
    disableSignature: true,
    repeatLimit: 3,
    linkAttachments: [{ url: 'https://files.acme.example/prices.pdf', filename: 'prices.pdf' }],
    triggers: { sent: [noteTrigger], opened: [], notOpened: { afterSeconds: 7200, triggerIds: [taskTrigger, tagTrigger] }, failed: [] },
  });
  expect(stored.html).toContain('Dear customer, the offer for {{lead.name}} is attached.');
  expect(stored.html).toMatch(/<a href="\{\{triggerlink \d+\}\}"[^>]*>Book a call<\/a>/);
  expect(stored.attachments).toEqual([expect.objectContaining({ filename: 'terms.txt', size: 21 })]);

  // Back to the list and in again: the page shows what was stored.
  await page().click(`${ed} .leadmail-tpl-editor__back`);
  const row = `.leadmail-tpl-list__row[data-id="${adminTemplate}"]`;
  await page().waitForSelector(row);
  expect(await page().textContent(`${row} .leadmail-tpl-list__owner`)).toBe('Maria Sales');
  expect(await page().getAttribute(`${row} .leadmail-tpl-list__public`, 'data-public')).toBe('true');
  await openTemplate('Annual offer');
  expect(await page().inputValue(`${ed} .leadmail-tpl__subject`)).toBe('Offer for {{lead.name}}');
  const body = await page().$eval(`${ed} .leadmail-editor__frame`, (f) => (f as HTMLIFrameElement).contentDocument!.body.innerHTML);
  expect(body).toContain('Dear customer, the offer for {{lead.name}} is attached.');
  expect(await page().textContent(`${ed} .leadmail-tpl-file[data-name="terms.txt"] .leadmail-tpl-file__size`)).toBe('21 B');
  expect(await page().inputValue(`${ed} .leadmail-tpl-links__url`)).toBe('https://files.acme.example/prices.pdf');
  expect(await page().inputValue(`${ed} .leadmail-tpl__owner`)).toBe(String(w.crm.userId));
  expect(await page().isChecked(`${ed} .leadmail-tpl__public`)).toBe(true);
  expect(await page().isChecked(`${ed} .leadmail-tpl__nosig`)).toBe(true);
  expect(await page().inputValue(`${ed} .leadmail-tpl__repeat`)).toBe('3');
  expect(await page().$$eval(`${ed} .leadmail-points__row--sent .leadmail-chip`, (els) => els.map((e) => e.firstChild?.textContent))).toEqual(['Note: offer mailed']);
  expect(await page().$$eval(`${ed} .leadmail-points__row--notOpened .leadmail-chip`, (els) => els.map((e) => e.firstChild?.textContent))).toEqual(['Call back', 'Tag cold']);
  expect(await page().inputValue(`${ed} .leadmail-points__amount`)).toBe('2');
  expect(await page().inputValue(`${ed} .leadmail-points__unit`)).toBe('hours');
});

it('previews the template for a lead with its real Kommo data', async () => {
  await pickLead('renewal 20', 'Renewal 2027 for Globex');
  expect(await page().textContent(`${ed} .leadmail-picker__picked-id`)).toBe(`#${renewalLead}`);
  await page().click(`${ed} .leadmail-tpl-check__preview`);
  await page().waitForSelector(`${ed} .leadmail-preview__subject b`);
  expect(await page().textContent(`${ed} .leadmail-preview__subject b`)).toBe('Offer for Renewal 2027 for Globex');
  expect(await page().getAttribute(`${ed} iframe.leadmail-preview__frame`, 'srcdoc')).toContain('the offer for Renewal 2027 for Globex is attached.');
  await shotAt('admin-templates-preview', `${ed} .leadmail-tpl-check`);
});

it('draws the dry run as a timeline: the sent note at once, then the not-opened task and the delayed tag', async () => {
  await page().click(`${ed} .leadmail-preview__back`);
  await page().selectOption(`${ed} .leadmail-tpl-check__kind`, 'never_opened');
  await page().click(`${ed} .leadmail-tpl-check__run`);
  await page().waitForSelector(`${ed} .leadmail-tpl-step`);
  const steps = await page().$$eval(`${ed} .leadmail-tpl-step`, (els) =>
    els.map((e) => ({
      kind: (e as HTMLElement).dataset.kind,
      point: (e as HTMLElement).dataset.point,
      time: e.querySelector('.leadmail-tpl-step__time')!.textContent,
      title: e.querySelector('.leadmail-tpl-step__title')!.textContent,
      calls: [...e.querySelectorAll('.leadmail-tpl-call__req')].map((c) => c.textContent),
    })),
  );
  expect(steps).toEqual([
    { kind: 'send', point: '', time: '+0', title: 'Mail 1: “Annual offer” is sent', calls: [] },
    { kind: 'point', point: 'sent', time: '+0', title: 'Mail 1 sent', calls: [] },
    { kind: 'trigger', point: 'sent', time: '+0', title: 'Trigger “Note: offer mailed”: adds a note', calls: ['POST /leads/notes'] },
    { kind: 'point', point: 'not_opened', time: '+2 h', title: 'Mail 1 not opened in time', calls: [] },
    { kind: 'trigger', point: 'not_opened', time: '+2 h', title: 'Trigger “Call back”: creates a task', calls: ['POST /tasks'] },
    { kind: 'trigger', point: 'not_opened', time: '+2 h 30 min', title: 'Trigger “Tag cold”: changes tags', calls: ['PATCH /leads'] },
  ]);
  // Opened after 30 minutes: the not-opened timer stops at the open.
  await page().selectOption(`${ed} .leadmail-tpl-check__kind`, 'opened');
  await page().fill(`${ed} .leadmail-tpl-check__minutes`, '30');
  await page().click(`${ed} .leadmail-tpl-check__run`);
  await page().waitForSelector(`${ed} .leadmail-tpl-step[data-kind="timer_cancelled"]`);
  const opened = await page().$$eval(`${ed} .leadmail-tpl-step`, (els) => els.map((e) => `${e.querySelector('.leadmail-tpl-step__time')!.textContent} ${e.querySelector('.leadmail-tpl-step__title')!.textContent}`));
  expect(opened).toEqual([
    '+0 Mail 1: “Annual offer” is sent',
    '+0 Mail 1 sent',
    '+0 Trigger “Note: offer mailed”: adds a note',
    '+30 min Mail 1: the not-opened timer stops (it was opened)',
    '+30 min Mail 1 opened',
  ]);
  await page().selectOption(`${ed} .leadmail-tpl-check__kind`, 'never_opened');
  await page().click(`${ed} .leadmail-tpl-check__run`);
  await page().waitForSelector(`${ed} .leadmail-tpl-step[data-kind="point"][data-point="not_opened"]`);
  await page().click(`${ed} .leadmail-tpl-step[data-kind="trigger"] summary`);
  await page().waitForSelector(`${ed} .leadmail-tpl-call__body`);
  await shotAt('admin-templates-dry-run', `${ed} .leadmail-tpl-check__dry`);
});

it('shows a save-time error at the field the server named: bad Handlebars at the body, a private link at the links', async () => {
  const w = ww.w;
  await page().click(`${ed} .leadmail-editor__mode`);
  await page().fill(`${ed} .leadmail-editor__source`, '<p>{{#if lead.name}}never closed</p>');
  await save();
  const error = await page().waitForSelector(`${ed} [data-error-for="html"]`);
  expect(await error.textContent()).toMatch(/html/i);
  expect(await page().$$eval(`${ed} .leadmail-tpl-body.leadmail-field--error`, (els) => els.length)).toBe(1);
  expect(await page().$$eval(`${ed} .leadmail-form-error`, (els) => els.length)).toBe(0);
  await shotAt('admin-templates-error', `${ed} .leadmail-tpl-body`);
  // Nothing was stored.
  expect((await w.api(w.admin).get(`/api/templates/${adminTemplate}`)).body.html).toContain('is attached.');

  await page().fill(`${ed} .leadmail-editor__source`, '<p>Fixed</p>');
  await page().fill(`${ed} .leadmail-tpl-links__url`, 'http://127.0.0.1/prices.pdf');
  await save();
  await page().waitForSelector(`${ed} [data-error-for="linkAttachments"]`);
  expect(await page().$$eval(`${ed} [data-error-for="html"]`, (els) => els.length)).toBe(0);
  expect(await page().textContent(`${ed} [data-error-for="linkAttachments"]`)).toContain('127.0.0.1');
  // The browser logs each refused save; those two are expected.
  await ww.flush();
  const refused = 'console.error: Failed to load resource: the server responded with a status of 400 (Bad Request)';
  expect(ww.problems.splice(0)).toEqual([refused, refused]);
  await page().fill(`${ed} .leadmail-tpl-links__url`, 'https://files.acme.example/prices.pdf');
  await save();
  await page().waitForSelector(`${ed} [data-error-for="linkAttachments"]`, { state: 'detached' });
  await eventuallyStored(adminTemplate, (t) => t.html === '<p>Fixed</p>');
});

async function eventuallyStored(id: string, ok: (t: { html: string }) => boolean): Promise<void> {
  const w = ww.w;
  await page().waitForSelector('#notifications >> text=saved');
  expect(ok((await w.api(w.admin).get(`/api/templates/${id}`)).body)).toBe(true);
}

it('searches the list on the server by name or subject', async () => {
  await page().click(`${ed} .leadmail-tpl-editor__back`);
  await page().waitForSelector('.leadmail-tpl-list__table');
  expect(await listNames()).toEqual(['Annual offer', 'Invoice reminder', 'Price list', 'Welcome aboard']);
  const asked: string[] = [];
  const listen = (r: Request) => void (r.url().includes('/api/template-list') && asked.push(new URL(r.url()).searchParams.get('q') ?? ''));
  page().on('request', listen);
  await page().fill('.leadmail-tpl-list__search', 'PRICE');
  await page().waitForFunction(() => document.querySelectorAll('.leadmail-tpl-list__open').length === 1);
  expect(await listNames()).toEqual(['Price list']);
  page().off('request', listen);
  expect(asked).toEqual(['PRICE']);
  await shotAt('admin-templates-search', '.leadmail-admin');
  await page().fill('.leadmail-tpl-list__search', 'for renewal-nothing');
  await page().waitForSelector('.leadmail-tpl-list__empty');
  expect(await page().textContent('.leadmail-tpl-list__empty')).toBe('No template matches “for renewal-nothing”.');
  await page().fill('.leadmail-tpl-list__search', '');
  await page().waitForFunction(() => document.querySelectorAll('.leadmail-tpl-list__open').length === 4);
});

it('a user creates a template with a file through the page, sees the owner but cannot change it, and cannot edit an admin’s public one', async () => {
  const w = ww.w;
  await createTemplate(w, w.admin, { name: 'Company news', subject: 'News', html: '<p>News</p>', isPublic: true });
  await openTemplates(w.crm.userId);
  expect(await listNames()).toEqual(['Annual offer', 'Company news', 'Invoice reminder', 'Price list', 'Welcome aboard']);
  expect(await page().textContent('.leadmail-tpl-list__row:has-text("Company news") .leadmail-tpl-list__ro')).toContain('read only');

  await writeTemplate('Maria follow-up', { name: 'brochure.txt', text: 'Our brochure' });
  expect(await page().$$eval(`${ed} .leadmail-tpl__owner`, (els) => els.length)).toBe(0);
  expect(await page().textContent(`${ed} .leadmail-tpl__owner-text`)).toBe('Maria Sales');
  expect(await page().$$eval(`${ed} .leadmail-tpl__repeat`, (els) => els.length)).toBe(0);
  await save();
  const id = await savedId();
  const stored = (await w.api(w.user).get(`/api/templates/${id}`)).body;
  expect(stored).toMatchObject({ name: 'Maria follow-up', ownerUserId: w.crm.userId, isPublic: false, repeatLimit: null });
  expect(stored.attachments).toEqual([expect.objectContaining({ filename: 'brochure.txt', size: 12 })]);
  expect(stored.triggers.notOpened).toEqual({ afterSeconds: 7200, triggerIds: [taskTrigger, tagTrigger] });
  // Reopened from the list: the file and the trigger points are there.
  await page().click(`${ed} .leadmail-tpl-editor__back`);
  await openTemplate('Maria follow-up');
  await page().waitForSelector(`${ed} .leadmail-tpl-file[data-name="brochure.txt"]`);
  expect(await page().$$eval(`${ed} .leadmail-points__row--notOpened .leadmail-chip`, (els) => els.length)).toBe(2);
  // A saved template's files are uploaded and removed at once (POST/DELETE …/attachments).
  await page().setInputFiles(`${ed} .leadmail-tpl-files__input`, { name: 'prices.csv', mimeType: 'text/csv', buffer: Buffer.from('item,price\n') });
  await page().waitForSelector(`${ed} .leadmail-tpl-file[data-name="prices.csv"]`);
  expect((await w.api(w.user).get(`/api/templates/${id}`)).body.attachments.map((a: { filename: string }) => a.filename).sort()).toEqual(['brochure.txt', 'prices.csv']);
  await page().click(`${ed} .leadmail-tpl-file[data-name="brochure.txt"] .leadmail-chip__remove`);
  await page().waitForSelector(`${ed} .leadmail-tpl-file[data-name="brochure.txt"]`, { state: 'detached' });
  expect((await w.api(w.user).get(`/api/templates/${id}`)).body.attachments.map((a: { filename: string }) => a.filename)).toEqual(['prices.csv']);
  expect(await page().textContent(`${ed} .leadmail-tpl-files__total`)).toBe('11 B of 50 MB');
  // A file dropped on the body goes to the files; one that would pass 50 MB is refused before upload.
  await page().evaluate(() => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(50 * 1024 * 1024)], 'video.mp4', { type: 'video/mp4' }));
    document.querySelector<HTMLIFrameElement>('.leadmail-tpl-editor .leadmail-editor__frame')!.contentDocument!.body.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));
  });
  expect(await page().textContent(`${ed} [data-error-for="files"]`)).toBe("Not attached: video.mp4. A template's files may total at most 50 MB.");
  expect((await w.api(w.user).get(`/api/templates/${id}`)).body.attachments).toHaveLength(1);
  await shotAt('admin-templates-user', ed);
  // The server refuses the owner change the page does not offer.
  const refused = await w.api(w.user).put(`/api/templates/${id}`).send({ name: 'Maria follow-up', subject: 's', html: '<p>x</p>', ownerUserId: w.crm.adminUserId });
  expect(refused.status).toBe(403);

  await page().click(`${ed} .leadmail-tpl-editor__back`);
  await openTemplate('Company news');
  expect(await page().textContent(`${ed} .leadmail-tpl-editor__ro`)).toContain('belongs to another user');
  expect(await page().$$eval(`${ed} .leadmail-tpl-editor__save, ${ed} .leadmail-tpl-editor__delete`, (els) => els.length)).toBe(0);
  expect(await page().isDisabled(`${ed} .leadmail-tpl__name`)).toBe(true);
});

it('asks before leaving unsaved edits, and deletes a template only after confirmation', async () => {
  const w = ww.w;
  await page().click(`${ed} .leadmail-tpl-editor__back`);
  await openTemplate('Maria follow-up');
  const id = (await page().getAttribute(ed, 'data-id'))!;
  // Edits not saved: leaving asks first.
  await page().fill(`${ed} .leadmail-tpl__name`, 'Maria follow-up, edited');
  await page().click(`${ed} .leadmail-tpl-editor__back`);
  expect(await page().textContent(`${ed} .leadmail-tpl-leave`)).toContain('Leave without saving your changes?');
  await page().click(`${ed} .leadmail-tpl-leave__no`);
  expect(await page().inputValue(`${ed} .leadmail-tpl__name`)).toBe('Maria follow-up, edited');
  await page().click(`${ed} .leadmail-tpl-editor__delete`);
  expect(await page().textContent(`${ed} .leadmail-tpl-confirm`)).toContain('Delete “Maria follow-up” for good?');
  await shotAt('admin-templates-delete', ed);
  await page().click(`${ed} .leadmail-tpl-confirm__no`);
  expect((await w.api(w.user).get(`/api/templates/${id}`)).status).toBe(200);
  await page().click(`${ed} .leadmail-tpl-editor__delete`);
  await page().click(`${ed} .leadmail-tpl-confirm__yes`);
  await page().waitForSelector('.leadmail-tpl-list__table');
  expect(await listNames()).not.toContain('Maria follow-up');
  expect((await w.api(w.user).get(`/api/templates/${id}`)).status).toBe(404);
});

it.each(['es', 'pt'] as const)('renders the list, the editor and the dry run in %s with every key', async (lang) => {
  const w = ww.w;
  await openTemplates(w.crm.adminUserId, lang);
  expect(await page().getAttribute('.leadmail-tpl-list__search', 'placeholder')).toBe(lang === 'es' ? 'Buscar por nombre o asunto' : 'Pesquisar por nome ou assunto');
  await openTemplate('Annual offer');
  await pickLead('Globex', 'Renewal 2027 for Globex');
  await page().selectOption(`${ed} .leadmail-tpl-check__kind`, 'never_opened');
  await page().click(`${ed} .leadmail-tpl-check__run`);
  await page().waitForSelector(`${ed} .leadmail-tpl-step`);
  expect(await page().textContent(`${ed} .leadmail-tpl-step[data-kind="trigger"] .leadmail-tpl-step__title`)).toBe(
    lang === 'es' ? 'Disparador «Note: offer mailed»: añade una nota' : 'Gatilho “Note: offer mailed”: adiciona uma nota',
  );
  await page().click(`${ed} .leadmail-tpl-editor__delete`);
  await page().click(`${ed} .leadmail-tpl-confirm__no`);
  await page().click(`${ed} .leadmail-tpl-editor__back`);
  await page().click('.leadmail-tpl-list__new');
  await page().waitForSelector(`${ed}[data-id="new"] .leadmail-tpl-check__hint`);
  await page().click(`${ed} .leadmail-tpl-check__preview`);
  await page().waitForSelector(`${ed} [data-error-for="entityId"]`);
  await pickLead(String(renewalLead), 'Renewal 2027 for Globex');
  await page().fill(`${ed} .leadmail-tpl__subject`, 'Hola');
  await page().click(`${ed} .leadmail-tpl-check__preview`);
  await page().waitForSelector(`${ed} .leadmail-preview__subject b`);
  await shotAt(`admin-templates-${lang}`, `${ed} .leadmail-tpl-check`);
});
