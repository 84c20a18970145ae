/**
 * The digital pipeline picker (`dpSettings`) in real Chromium, inside the fake Kommo page's DP
 * block, against the real backend: an admin picks a template, a delay and a tag filter → a signed
 * pipeline action is created and its token written into Kommo's hidden `action` field → the DP
 * hook, POSTed as Kommo would with that field, mails the lead through the SMTP sink; reopening the
 * block shows the saved choice and saving a change keeps the token; a non-admin is told plainly;
 * errors under the field the server named; es and pt with every key.
 */
import { SUB, ACCOUNT_ID } from '../support/world.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { eventually } from '../support/eventually.js';
import { createMailbox, createTemplate } from '../support/send-helpers.js';
import { dpPayload, postDpHook } from '../support/pipeline-action.js';
import { checkAndCloseAfterTests, startWidgetWorld, type WidgetWorld } from './harness.js';

let ww: WidgetWorld;
let sink: SmtpSink;
let templateId: string;

const w = () => ww.w;
const page = () => ww.page;
const TOKEN = /^[0-9a-f-]{36}\.1001\.[\w-]+$/;

beforeAll(async () => {
  ww = await startWidgetWorld();
  sink = await startSmtpSink({ auth: { user: 'maria', pass: 'smtp-secret' } });
  await createMailbox(w(), w().user, sink, { pacing: { messages: 100, seconds: 1 } });
  templateId = await createTemplate(w(), w().user, { name: 'Commercial offer', subject: 'Offer for {{contact.first_name}}', html: '<p>Hello {{contact.name}}, about {{lead.name}}</p>', isPublic: true });
}, 60_000);

checkAndCloseAfterTests(() => ({ ww, sink }));

/** Opens the DP block as Kommo does, with `action` already holding what Kommo stored (if anything). */
async function openBlock(o: { userId?: number; action?: string; lang?: 'en' | 'es' | 'pt' } = {}) {
  await page().evaluate((c) => (window as unknown as { KommoHost: { boot(c: unknown): Promise<unknown> } }).KommoHost.boot(c), {
    area: 'digital_pipeline',
    userId: o.userId ?? w().crm.adminUserId,
    action: o.action ?? '',
    lang: o.lang ?? 'en',
  });
}

const block = '.digital-pipeline__short-task_widget-style_leadmail';

function newLead(tags: string[]): { leadId: number; statusId: number; pipelineId: number; address: string } {
  const address = `dp${Math.floor(Math.random() * 1e9)}@client.example`;
  const contact = w().kommo.sim.addContact(SUB, { name: 'Ann Client', first_name: 'Ann', email: address });
  const lead = w().kommo.sim.addLead(SUB, { name: 'Pipeline deal', responsible_user_id: w().crm.userId, pipeline_id: w().crm.pipelineId, contacts: [contact.id], tags });
  return { leadId: lead.id, statusId: lead.status_id, pipelineId: lead.pipeline_id, address };
}

const outcome = (leadId: number) =>
  eventually(
    async () => {
      const r = await w().server.services.db.query('SELECT outcome FROM dp_events WHERE lead_id = $1', [leadId]);
      expect(r.rows[0]?.outcome).toBeTruthy();
      return r.rows[0].outcome as string;
    },
    { timeoutMs: 15_000, intervalMs: 100 },
  );

/**
 * A saved pipeline action, as the picker saves it (test 1 proves the picker does exactly this):
 * each test makes its own, so each passes when run alone.
 */
async function savedAction(o: { delaySeconds?: number; filter?: Record<string, string> } = {}): Promise<string> {
  const res = await w().api(w().admin).post('/api/pipeline-actions').send({ name: 'Commercial offer', templateId, delaySeconds: o.delaySeconds ?? 0, filter: o.filter ?? { tag: 'VIP' } });
  expect(res.status).toBe(201);
  expect(res.body.token).toMatch(TOKEN);
  return res.body.token as string;
}

it('saves a signed action whose token the DP hook accepts: the lead with the tag gets the mail', async () => {
  await openBlock();
  await page().waitForSelector(`${block} .leadmail-dp__save`);
  expect(await page().getAttribute(`${block} input[name=action]`, 'type')).toBe('hidden');
  await page().selectOption('.leadmail-dp__template', templateId);
  await page().fill('.leadmail-dp__tag', 'VIP');
  await ww.shot('dp-new');
  await page().click('.leadmail-dp__save');
  await page().waitForSelector('.leadmail-pipeline__saved');
  const token = await page().inputValue(`${block} input[name=action]`);
  expect(token).toMatch(TOKEN);
  // Kommo's own "Done" stores what the field holds.
  await page().click('.js-dp-save');
  expect(await page().textContent('.digital-pipeline__saved')).toBe(`Kommo stores action = ${token}`);
  expect(await page().textContent('.leadmail-dp-summary__main')).toBe('Sends “Commercial offer” immediately');
  await ww.shot('dp-saved');

  const action = (await w().api(w().admin).get(`/api/pipeline-actions/${token.split('.')[0]}`)).body;
  expect(action).toMatchObject({ templateId, delaySeconds: 0, filter: { tag: 'VIP' }, active: true, token, name: 'Commercial offer' });

  // Kommo calls the hook with the field's value in the action's settings.
  const vip = newLead(['VIP']);
  const other = newLead([]);
  await postDpHook(w(), dpPayload(vip, { action: token }, { accountId: ACCOUNT_ID, subdomain: SUB })).expect(200);
  await postDpHook(w(), dpPayload(other, { action: token }, { accountId: ACCOUNT_ID, subdomain: SUB })).expect(200);
  const mail = await eventually(
    () => {
      const m = sink.messages.find((x) => x.envelope.rcptTo.includes(vip.address));
      expect(m).toBeDefined();
      return m!;
    },
    { timeoutMs: 15_000, intervalMs: 100 },
  );
  expect(mail.parsed.subject).toBe('Offer for Ann');
  expect(await outcome(vip.leadId)).toBe('queued');
  expect(await outcome(other.leadId)).toMatch(/^skipped/);
  expect(sink.messages.some((x) => x.envelope.rcptTo.includes(other.address))).toBe(false);
}, 60_000);

it('shows the saved action when the block is reopened, and keeps the token when it is changed', async () => {
  const savedToken = await savedAction();
  await openBlock({ action: savedToken });
  await page().waitForSelector('.leadmail-dp-summary');
  expect(await page().textContent('.leadmail-dp-summary__main')).toBe('Sends “Commercial offer” immediately');
  expect(await page().textContent('.leadmail-dp-summary__tag')).toBe('to leads tagged “VIP”');
  expect(await page().inputValue('.leadmail-dp__template')).toBe(templateId);
  expect(await page().inputValue('.leadmail-dp__tag')).toBe('VIP');
  expect(await page().inputValue('.leadmail-dp__delay-mode')).toBe('now');
  await ww.shot('dp-reopened');

  await page().selectOption('.leadmail-dp__delay-mode', 'after');
  await page().fill('.leadmail-dp__delay-amount', '2');
  await page().selectOption('.leadmail-dp__delay-unit', 'hours');
  await page().selectOption('.leadmail-dp__field', String(w().crm.budgetFieldId));
  await page().fill('.leadmail-dp__value', '12000');
  await page().click('.leadmail-dp__save');
  await page().waitForSelector('.leadmail-pipeline__saved');
  expect(await page().inputValue(`${block} input[name=action]`)).toBe(savedToken);
  expect(await page().textContent('.leadmail-dp-summary__main')).toBe('Sends “Commercial offer” after 2 hours');
  expect(await page().textContent('.leadmail-dp-summary__field')).toBe('to leads whose “Budget” is “12000”');
  const action = (await w().api(w().admin).get(`/api/pipeline-actions/${savedToken.split('.')[0]}`)).body;
  expect(action).toMatchObject({ delaySeconds: 7200, filter: { tag: 'VIP', field: String(w().crm.budgetFieldId), value: '12000' }, token: savedToken });
  await ww.shot('dp-changed');

  // Reopened again: the delay reads back as 2 hours.
  await openBlock({ action: savedToken });
  await page().waitForSelector('.leadmail-dp-summary');
  expect(await page().inputValue('.leadmail-dp__delay-amount')).toBe('2');
  expect(await page().inputValue('.leadmail-dp__delay-unit')).toBe('hours');
  expect(await page().inputValue('.leadmail-dp__field')).toBe(String(w().crm.budgetFieldId));
});

it('shows the server’s complaint under the field it named, and writes no token', async () => {
  await openBlock();
  await page().waitForSelector('.leadmail-dp__save');
  await page().click('.leadmail-dp__save');
  expect(await (await page().waitForSelector('.leadmail-field[data-field="templateId"] .leadmail-field__error')).textContent()).toBe('must be a template id');
  expect(await page().inputValue(`${block} input[name=action]`)).toBe('');
  await ww.shot('dp-field-error');
  await ww.flush();
  expect(ww.problems.splice(0)).toEqual(['console.error: Failed to load resource: the server responded with a status of 400 (Bad Request)']);
});

it('tells a user who is not an administrator that only an administrator can set it up', async () => {
  const savedToken = await savedAction();
  await openBlock({ userId: w().crm.userId, action: savedToken });
  const text = await (await page().waitForSelector('.leadmail-pipeline--forbidden [role=alert]')).textContent();
  expect(text).toBe('Only a Kommo administrator can set up leadmail in the digital pipeline. Ask your administrator to choose the template here.');
  expect(await page().locator('.leadmail-dp__save').count()).toBe(0);
  // The token Kommo stored stays as it was.
  expect(await page().inputValue(`${block} input[name=action]`)).toBe(savedToken);
  await ww.shot('dp-not-admin');
  await ww.flush();
  expect(ww.problems.splice(0)).toEqual(['console.error: Failed to load resource: the server responded with a status of 403 (Forbidden)']);
});

it.each([
  ['es', 'Envía «Commercial offer» después de 2 horas', 'Guardar cambios'],
  ['pt', 'Envia “Commercial offer” depois de 2 horas', 'Salvar alterações'],
] as const)('renders in %s with every key present', async (lang, summary, save) => {
  const savedToken = await savedAction({ delaySeconds: 7200, filter: { tag: 'VIP', field: String(w().crm.budgetFieldId), value: '12000' } });
  await openBlock({ action: savedToken, lang });
  await page().waitForSelector('.leadmail-dp-summary');
  expect(await page().textContent('.leadmail-dp-summary__main')).toBe(summary);
  expect(await page().textContent('.leadmail-dp__save')).toBe(save);
  expect(await page().textContent(block)).not.toMatch(/\b(dp|list|common)\.[a-z_]+/);
  await ww.shot(`dp-${lang}`);
});
