/**
 * Advanced settings → Triggers in real Chromium against the real backend and the Kommo simulator:
 * an administrator saves a trigger of every action kind through the pickers (each checked through
 * the API), a mail sent with some of them as trigger points really moves and tags the simulator's
 * lead, a wrong value shows the server's words at its input, a trigger in use cannot be deleted
 * (the server's words on the row), an unused one can, the on/off switch saves; a user's POST is
 * refused; es and pt render every action's editor with no missing key.
 */
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { createMailbox, createTemplate, sendEmail, waitForStatus } from '../support/send-helpers.js';
import { eventually } from '../support/eventually.js';
import { ACCOUNT_ID, SUB } from '../support/world.js';
import { checkAndCloseAfterTests, startWidgetWorld, type WidgetWorld } from './harness.js';
import { fieldError, openTriggersPage, pick, saveAndRead, setAmount, startNew, type SavedTrigger } from './admin-triggers-helpers.js';

let ww: WidgetWorld;
let sink: SmtpSink;
let mailboxId: string;
let templateId: string;
let offers: { id: number; offerSent: number; familiar: number };
let taggedLead: number;
const saved: Record<string, SavedTrigger> = {};

beforeAll(async () => {
  ww = await startWidgetWorld();
  const w = ww.w;
  const sim = w.kommo.sim;
  const p = sim.addPipeline(SUB, { name: 'Offers', statuses: ['Incoming', 'Offer sent', 'Familiar with the offer'] });
  offers = { id: p.id, offerSent: p.statuses[1]!.id, familiar: p.statuses[2]!.id };
  taggedLead = sim.addLead(SUB, { name: 'Tagged deal', responsible_user_id: w.crm.userId, contacts: [{ id: w.crm.contactId, is_main: true }], tags: ['vip', 'cold'] }).id;
  sink = await startSmtpSink({ auth: { user: 'maria', pass: 'smtp-secret' } });
  mailboxId = await createMailbox(w, w.user, sink, { pacing: { messages: 100, seconds: 1 } });
  templateId = await createTemplate(w, w.admin, { name: 'Offer', subject: 'Our offer', html: '<p>Offer</p>', isPublic: true });
}, 60_000);

checkAndCloseAfterTests(() => ({ ww, sink }));

it('saves a trigger of each action kind through the pickers', async () => {
  const { page, w } = ww;
  await openTriggersPage(ww);
  await page.waitForSelector('.leadmail-trg-list__empty');
  await ww.shot('admin-triggers-empty');

  await startNew(ww, 'Call the client', 'Set task');
  await pick(ww, '.leadmail-trg__task-type', 'Meeting');
  await setAmount(ww, 'deadline', '2', 'hours');
  await pick(ww, '.leadmail-trg__task-responsible', 'Maria Sales');
  await page.fill('.leadmail-trg__task-text', 'Call about {subject}');
  await setAmount(ww, 'delay', '30', 'seconds');
  await ww.shot('admin-triggers-editor-task');
  saved.task = await saveAndRead(ww, 'Call the client');
  expect(saved.task).toMatchObject({
    action: 'set_task',
    params: { taskTypeId: 2, deadline: { kind: 'relative', amount: 2, unit: 'hours' }, responsible: w.crm.userId, text: 'Call about {subject}' },
    delaySeconds: 30,
    active: true,
  });

  await startNew(ww, 'Note on opening', 'Add note');
  await page.fill('.leadmail-trg__note-text', 'Opened: {subject}');
  await setAmount(ww, 'delay', '2', 'hours');
  await page.uncheck('.leadmail-trg__active');
  saved.note = await saveAndRead(ww, 'Note on opening');
  expect(saved.note).toMatchObject({ action: 'add_note', params: { text: 'Opened: {subject}' }, delaySeconds: 7200, active: false });

  await startNew(ww, 'Change stage to Offer sent', 'Change lead stage');
  await pick(ww, '.leadmail-trg__status-pipeline', 'Offers');
  await pick(ww, '.leadmail-trg__status-status', 'Offer sent');
  saved.status = await saveAndRead(ww, 'Change stage to Offer sent');
  expect(saved.status).toMatchObject({ action: 'change_status', params: { pipelineId: offers.id, statusId: offers.offerSent }, delaySeconds: 0 });

  await startNew(ww, 'Budget to 42', 'Change field');
  await pick(ww, '.leadmail-trg__field-entity', 'Lead');
  await pick(ww, '.leadmail-trg__field-id', 'Budget (number)');
  await page.fill('.leadmail-trg__value', '42');
  saved.field = await saveAndRead(ww, 'Budget to 42');
  expect(saved.field).toMatchObject({ action: 'change_field', params: { entity: 'leads', fieldId: w.crm.budgetFieldId, value: '42' } });

  await startNew(ww, 'Resend email', 'Send email');
  await pick(ww, '.leadmail-trg__email-template', 'Offer');
  await pick(ww, '.leadmail-trg__email-mailbox', 'Sales mailbox <maria@acme.example>');
  saved.email = await saveAndRead(ww, 'Resend email');
  expect(saved.email).toMatchObject({ action: 'send_email', params: { templateId, mailbox: mailboxId } });

  await startNew(ww, 'New lead on click', 'Create lead');
  await page.fill('.leadmail-trg__lead-name', 'Interested: {{contact.name}}');
  await pick(ww, '.leadmail-trg__lead-pipeline', 'Offers');
  await pick(ww, '.leadmail-trg__lead-status', 'Familiar with the offer');
  await pick(ww, '.leadmail-trg__lead-responsible', 'Pedro Sales');
  saved.lead = await saveAndRead(ww, 'New lead on click');
  expect(saved.lead).toMatchObject({
    action: 'create_lead',
    params: { name: 'Interested: {{contact.name}}', pipelineId: offers.id, statusId: offers.familiar, responsible: w.crm.otherUserId },
  });

  await startNew(ww, 'Mark as emailed', 'Change tags');
  // The account's lead tags are offered while typing; new names are fine too.
  expect(await page.$$eval('#leadmail-trg-tags-remove option', (os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(['vip', 'cold']);
  await page.fill('.leadmail-trg__tags-add .leadmail-trg__tag-input', 'emailed');
  await page.press('.leadmail-trg__tags-add .leadmail-trg__tag-input', 'Enter');
  await page.fill('.leadmail-trg__tags-add .leadmail-trg__tag-input', 'offer,');
  await page.fill('.leadmail-trg__tags-remove .leadmail-trg__tag-input', 'cold');
  await page.press('.leadmail-trg__tags-remove .leadmail-trg__tag-input', 'Enter');
  expect(await page.$$eval('.leadmail-trg__tags-add .leadmail-trg__tag', (els) => els.map((e) => e.firstChild!.textContent))).toEqual(['emailed', 'offer']);
  await ww.shot('admin-triggers-editor-tags');
  saved.tags = await saveAndRead(ww, 'Mark as emailed');
  expect(saved.tags).toMatchObject({ action: 'change_tags', params: { add: ['emailed', 'offer'], remove: ['cold'] } });

  // The list says what each one does in the pickers' words.
  const rows = await page.$$eval('.leadmail-trg-list__row', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 4).map((td) => td.textContent)));
  expect(rows).toEqual(
    expect.arrayContaining([
      ['Change stage to Offer sent', 'Change lead stage', 'Offers → Offer sent', 'at once'],
      ['Note on opening', 'Add note', 'Opened: {subject}', 'after 2 hours'],
      ['Call the client', 'Set task', 'Call about {subject} · Maria Sales', 'after 30 seconds'],
      ['Resend email', 'Send email', 'Offer', 'at once'],
      ['Mark as emailed', 'Change tags', '+emailed, +offer, −cold', 'at once'],
    ]),
  );
  await ww.shot('admin-triggers-list');

  // Reopened, the editor shows what was saved, and saving it unchanged changes nothing.
  await page.click(`.leadmail-trg-list__row[data-trigger-id="${saved.status.id}"] .leadmail-trg-list__edit`);
  await page.waitForSelector('.leadmail-trg-editor');
  expect(await page.$eval('.leadmail-trg__status-status', (s) => (s as HTMLSelectElement).selectedOptions[0]!.textContent)).toBe('Offer sent');
  await page.click('.leadmail-trg__cancel');
  for (const before of Object.values(saved)) {
    await page.click(`.leadmail-trg-list__row[data-trigger-id="${before.id}"] .leadmail-trg-list__edit`);
    await page.waitForSelector(`.leadmail-trg-editor[data-trigger-id="${before.id}"]`);
    const after = await saveAndRead(ww, before.name);
    expect({ ...after, updatedAt: undefined }).toEqual({ ...before, updatedAt: undefined });
  }
}, 60_000);

it('an executed trigger does in Kommo what its pickers said: the lead moves stage and gets its tags', async () => {
  const w = ww.w;
  const id = await sendEmail(w, w.user, { entityId: taggedLead, mailboxId, subject: 'Offer', html: '<p>x</p>', contactIds: [w.crm.contactId], triggers: { sent: [saved.status!.id, saved.tags!.id, saved.field!.id] } });
  await waitForStatus(w, w.user, id, 'sent');
  const lead = () => w.kommo.sim.state.account(SUB).leads.get(taggedLead)!;
  await eventually(() => {
    expect(lead()).toMatchObject({ pipeline_id: offers.id, status_id: offers.offerSent });
    expect(w.kommo.sim.tagNames(SUB, 'leads', taggedLead).sort()).toEqual(['emailed', 'offer', 'vip']);
    expect(lead().custom_fields_values.find((v) => v.field_id === w.crm.budgetFieldId)?.values).toEqual([{ value: 42 }]);
  }, { timeoutMs: 15_000 });
});

it('shows the server’s words at the input it names', async () => {
  const { page, w } = ww;
  await openTriggersPage(ww);
  await startNew(ww, 'Budget wrong', 'Change field');
  await pick(ww, '.leadmail-trg__field-id', 'Budget (number)');
  await page.fill('.leadmail-trg__value', '12 euros');
  await page.click('.leadmail-trg__save');
  const shown = await fieldError(ww, 'params.value');
  const api = await w.api(w.admin).post('/api/triggers').send({ name: 'x', action: 'change_field', params: { entity: 'leads', fieldId: w.crm.budgetFieldId, value: '12 euros' } });
  expect(api.status).toBe(400);
  expect(`params.value: ${shown}`).toBe(api.body.error.message);
  expect(shown).toMatch(/"12 euros" is not a number/);
  await ww.shot('admin-triggers-field-error');

  // A shape error (empty name) lands at the name; the stage pickers' errors at theirs.
  await page.fill('.leadmail-trg__name', ' ');
  await page.click('.leadmail-trg__save');
  expect(await fieldError(ww, 'name')).toMatch(/required/);
  await page.fill('.leadmail-trg__name', 'No stage');
  await pick(ww, '.leadmail-trg__action', 'Change lead stage');
  await page.click('.leadmail-trg__save');
  expect(await fieldError(ww, 'params.pipelineId')).toBeTruthy();
  await page.click('.leadmail-trg__cancel');
  expect((await w.api(w.admin).get('/api/triggers')).body.map((x: SavedTrigger) => x.name)).not.toContain('Budget wrong');
  // Chromium logs each refused request: exactly the three refused saves.
  await ww.flush();
  const refused = 'console.error: Failed to load resource: the server responded with a status of 400 (Bad Request)';
  expect(ww.problems.splice(0)).toEqual([refused, refused, refused]);
});

it('switches a trigger off and on, refuses to delete one a template uses with the server’s words, deletes an unused one', async () => {
  const { page, w } = ww;
  await openTriggersPage(ww);
  const row = (id: string) => `.leadmail-trg-list__row[data-trigger-id="${id}"]`;
  await page.click(`${row(saved.task!.id)} .leadmail-trg-list__active`);
  await eventually(async () => expect((await w.api(w.admin).get(`/api/triggers/${saved.task!.id}`)).body.active).toBe(false));
  await page.waitForSelector(`${row(saved.task!.id)}.leadmail-trg-list__row--off`);

  await createTemplate(w, w.admin, { name: 'Uses the note', subject: 's', html: '<p>x</p>', triggers: { opened: [saved.note!.id] } });
  await page.click(`${row(saved.note!.id)} .leadmail-trg-list__delete`);
  await page.click(`${row(saved.note!.id)} .leadmail-trg-list__delete-yes`);
  await page.waitForSelector('.leadmail-trg-list__error');
  const words = (await w.api(w.admin).delete(`/api/triggers/${saved.note!.id}`)).body.error.message as string;
  expect(words).toMatch(/used by template "Uses the note"/);
  expect(await page.textContent('.leadmail-trg-list__error')).toBe(words);
  await ww.shot('admin-triggers-delete-refused');
  await ww.flush();
  expect(ww.problems.splice(0)).toEqual(['console.error: Failed to load resource: the server responded with a status of 409 (Conflict)']);

  await page.click(`${row(saved.lead!.id)} .leadmail-trg-list__delete`);
  await page.click(`${row(saved.lead!.id)} .leadmail-trg-list__delete-yes`);
  await page.waitForSelector(row(saved.lead!.id), { state: 'detached' });
  expect((await w.api(w.admin).get(`/api/triggers/${saved.lead!.id}`)).status).toBe(404);
});

it('the server refuses a user’s POST (the tab is hidden from users: admin-shell.test.ts)', async () => {
  const w = ww.w;
  const res = await w.api(w.user).post('/api/triggers').send({ name: 'Mine', action: 'add_note', params: { text: 'hi' } });
  expect(res.status).toBe(403);
  expect((await w.api(w.user).get('/api/crm/catalog')).status).toBe(403);
});

it.each(['es', 'pt'] as const)('renders the list and every action’s editor in %s with every key', async (lang) => {
  const { page } = ww;
  await openTriggersPage(ww, lang);
  await page.waitForSelector('.leadmail-trg-list__row');
  await page.click('.leadmail-trg__new');
  const kinds = await page.$$eval('.leadmail-trg__action option', (os) => os.map((o) => (o as HTMLOptionElement).value));
  expect(kinds).toHaveLength(7);
  for (const kind of kinds) {
    await page.selectOption('.leadmail-trg__action', kind);
    await page.waitForSelector(`.leadmail-trg-editor__params[data-action="${kind}"]`);
  }
  await page.selectOption('.leadmail-trg__action', 'change_field');
  await pick(ww, '.leadmail-trg__field-id', lang === 'es' ? 'Budget (número)' : 'Budget (número)');
  await ww.shot(`admin-triggers-${lang}`);
  expect(await page.textContent('.leadmail-trg__save')).toBe(lang === 'es' ? 'Guardar' : 'Salvar');
});

// Last: it cuts the account off from Kommo.
it('without Kommo the list still shows and the editor waits, with the server’s words and a retry', async () => {
  const { page, w } = ww;
  w.kommo.sim.expireAccessTokens({ subdomain: SUB });
  const words = (await w.api(w.admin).get('/api/crm/catalog')).body.error.message as string;
  expect(words).toEqual(expect.any(String));
  await ww.boot({ area: 'advanced_settings', userId: w.crm.adminUserId });
  await page.click('.leadmail-admin-tabs__tab[data-tab="triggers"]');
  await page.waitForSelector('.leadmail-trg__pickers-error');
  expect(await page.textContent('.leadmail-trg__pickers-error')).toContain(words);
  await page.waitForSelector('.leadmail-trg-list__row');
  expect(await page.isDisabled('.leadmail-trg__new')).toBe(true);
  expect(await page.isDisabled('.leadmail-trg-list__edit')).toBe(true);
  // Without Kommo's names the list shows what the trigger stores.
  const does = (id: string) => page.textContent(`.leadmail-trg-list__row[data-trigger-id="${id}"] .leadmail-trg-list__does`);
  expect(await does(saved.status!.id)).toBe(`#${offers.id} → #${offers.offerSent}`);
  expect(await does(saved.email!.id)).toBe('Offer');
  await ww.shot('admin-triggers-no-kommo');
  // Reconnected (a new long-lived token), "Try again" brings the lists and the editor back.
  const token = w.kommo.sim.addAccessToken(SUB, { ttlSec: 3600 });
  await w.server.services.tokens.store(ACCOUNT_ID, 'long_lived', { accessToken: token, refreshToken: null, expiresAt: null });
  await page.click('.leadmail-trg__pickers-error button');
  await page.waitForSelector('.leadmail-trg__new:not([disabled])');
  expect(await page.$('.leadmail-trg__pickers-error')).toBeNull();
  expect(await does(saved.status!.id)).toBe('Offers → Offer sent');
  await ww.flush();
  const problems = ww.problems.splice(0);
  expect(problems.length).toBeGreaterThan(0);
  expect(problems.filter((p) => !/^console\.error: Failed to load resource: the server responded with a status of \d+/.test(p))).toEqual([]);
});
