/**
 * Seed 004's "Widget setup example" done only by clicking and typing in the widget, in real
 * Chromium against the real backend, the Kommo simulator, the SMTP sink and Dovecot:
 *   the admin connects Maria's mailbox (green), makes the four triggers, the one-time "Link to the
 *   offer" (copies its variable), the "Offer reminder" and "Offer" templates (the variable pasted
 *   from the clipboard as the href of "Read the offer", the trigger points, the dry run's
 *   timeline), and the digital-pipeline action at "Qualified";
 *   then "How it works": Kommo's hook for a lead entering "Qualified" mails the offer and the lead
 *   moves to "Offer sent"; a person's open sets the task; the link moves the lead to "Familiar with
 *   the offer" once; a lead that never opens gets the second mail when its 24 h timer comes due;
 *   History shows the mails with their trigger runs and Stats counts them.
 * The steps run in order, each on what the one before made (the manual is one story).
 * Only the world's setup (the "Offers" pipeline in the simulator, leads, Kommo's hook, the open
 * and click, the timer moved to now) is done without the page: that is Kommo's and the client's part.
 */
import supertest from 'supertest';
import { SUB } from '../support/world.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { eventually } from '../support/eventually.js';
import { IMAP_PASSWORD, imapPort, imapUser } from '../support/imap-client.js';
import { clickPaths, deliveredMinuteAgo, hit, pixelPath, settledTracking, UA } from '../tracking/tracking-helpers.js';
import { openTriggersPage, pick, saveAndRead, startNew } from './admin-triggers-helpers.js';
import { checkAndCloseAfterTests, startWidgetWorld, tallShot, type WidgetWorld } from './harness.js';

const OFFER_URL = 'https://acme.example/offer.pdf';
const TASK_TEXT = 'Call the client that has opened the offer';

let ww: WidgetWorld;
let sink: SmtpSink;
let address: string;
const ids = {} as {
  pipeline: number; incoming: number; qualified: number; offerSent: number; familiar: number;
  tOfferSent: string; tTask: string; tFamiliar: string; tResend: string;
  link: number; variable: string; reminder: string; offer: string; token: string;
};

beforeAll(async () => {
  ww = await startWidgetWorld();
  address = imapUser(0);
  // Maria's mailbox: the SMTP login is the Dovecot user's, so IMAP works with the same one.
  sink = await startSmtpSink({ auth: { user: address, pass: IMAP_PASSWORD } });
  const p = ww.w.kommo.sim.addPipeline(SUB, { name: 'Offers', statuses: ['Incoming', 'Qualified', 'Offer sent', 'Familiar with the offer'] });
  const st = (name: string) => p.statuses.find((s) => s.name === name)!.id;
  Object.assign(ids, { pipeline: p.id, incoming: st('Incoming'), qualified: st('Qualified'), offerSent: st('Offer sent'), familiar: st('Familiar with the offer') });
  // Kommo pages are https, where the page may use the clipboard; here the test grants it.
  await ww.page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ww.host.url });
}, 60_000);

checkAndCloseAfterTests(() => ({ ww, sink }));

const page = () => ww.page;
const w = () => ww.w;

/** A screenshot of the whole page (the viewport grows to it), without the toasts of earlier steps. */
async function shot(name: string): Promise<void> {
  await page().evaluate(() => document.querySelectorAll('#notifications > *').forEach((n) => n.remove()));
  await tallShot(ww, `setup-example-${name}`);
}

async function openTab(tab: string): Promise<void> {
  await ww.boot({ area: 'advanced_settings', userId: w().crm.adminUserId });
  await page().click(`.leadmail-admin-tabs__tab[data-tab="${tab}"]`);
  await page().waitForSelector(`.leadmail-admin-page[data-page="${tab}"]`);
}

function newLead(first: string, statusId: number): { leadId: number; address: string } {
  const to = `${first.toLowerCase()}@client.example`;
  const contact = w().kommo.sim.addContact(SUB, { name: `${first} Client`, first_name: first, email: to });
  const lead = w().kommo.sim.addLead(SUB, { name: `Deal with ${first}`, responsible_user_id: w().crm.userId, pipeline_id: ids.pipeline, status_id: statusId, contacts: [{ id: contact.id, is_main: true }] });
  return { leadId: lead.id, address: to };
}

/** Kommo moves the lead to "Qualified" and calls the digital pipeline's hook with what the block stored. */
async function leadEntersQualified(leadId: number): Promise<void> {
  w().kommo.sim.lead(SUB, leadId)!.status_id = ids.qualified;
  const res = await supertest(w().server.url)
    .post('/hooks/kommo/dp')
    .send({
      event: { type: 15, type_code: 'lead_appeared_in_status', data: { id: leadId, element_type: 2, status_id: ids.qualified, pipeline_id: ids.pipeline }, time: Math.floor(Date.now() / 1000) },
      action: { settings: { widget: { settings: { action: ids.token } } } },
      subdomain: SUB,
      account_id: w().admin.accountId,
    });
  expect(res.status).toBe(200);
}

async function mailTo(to: string, subjectPrefix: string) {
  const msg = await eventually(() => {
    const m = sink.messages.find((x) => x.envelope.rcptTo.includes(to) && x.parsed.subject?.startsWith(subjectPrefix));
    expect(m).toBeDefined();
    return m!;
  }, { timeoutMs: 15_000, intervalMs: 100 });
  return { msg, emailId: msg.parsed.headers.get('x-leadmail-email-id') as string, html: msg.parsed.html as string };
}

const statusOf = (leadId: number) => w().kommo.sim.lead(SUB, leadId)!.status_id;

/** The not-opened timer of a mail moved to now, as if 24 hours had passed. */
async function fastForwardNotOpened(emailId: string): Promise<void> {
  const r = await w().server.services.db.query(
    "UPDATE agenda_jobs SET next_run_at = now() WHERE name = 'email.not-opened' AND data->>'emailId' = $1 AND next_run_at IS NOT NULL",
    [emailId],
  );
  expect(r.rowCount).toBe(1);
}

describe('seed 004 "Widget setup example", by clicking', () => {
  it('1. the admin connects Maria’s mailbox and sees it green', async () => {
    await openTab('mailboxes');
    const input = (name: string) => `.leadmail-mb-editor [name="${name}"]`;
    await page().click('.leadmail-mb__add');
    await page().selectOption(input('owner'), String(w().crm.userId));
    await page().selectOption(input('preset'), 'generic');
    await page().fill(input('displayName'), 'Maria at Acme');
    await page().fill(input('name'), 'Maria Sales');
    await page().fill(input('address'), address);
    await page().fill(input('password'), IMAP_PASSWORD);
    await page().fill(input('smtpHost'), sink.host);
    await page().fill(input('smtpPort'), String(sink.port));
    await page().selectOption(input('smtpSecurity'), 'none');
    await page().check(input('imapOn'));
    await page().fill(input('imapHost'), '127.0.0.1');
    await page().fill(input('imapPort'), String(imapPort()));
    await page().selectOption(input('imapSecurity'), 'none');
    await page().check(input('sameCredentials'));
    await shot('1-mailbox-form');
    await page().click('.leadmail-mb-editor__save');
    await page().waitForSelector('.leadmail-mb-editor', { state: 'detached' });
    await page().waitForSelector('.leadmail-mb-row[data-status="green"]');
    expect(await page().textContent('.leadmail-mb-row .leadmail-setup-check__status')).toBe('Connected: sending and the Sent folder work');
    const [stored] = (await w().api(w().admin).get('/api/mailboxes?all=true')).body as { ownerUserId: number; check: { status: string } }[];
    expect(stored).toMatchObject({ ownerUserId: w().crm.userId, check: { status: 'green' } });
    await shot('1-mailbox-green');
  }, 60_000);

  it('2. the admin makes the reminder template and the four triggers', async () => {
    // "Resend email" sends a template: the reminder is written first, in the Templates page.
    await openTab('templates');
    await page().waitForSelector('.leadmail-tpl-list__new');
    await page().click('.leadmail-tpl-list__new');
    const ed = '.leadmail-tpl-editor';
    await page().waitForSelector(`${ed}[data-id="new"]`);
    await page().fill(`${ed} .leadmail-tpl__name`, 'Offer reminder');
    await page().fill(`${ed} .leadmail-tpl__subject`, 'Did you see our offer?');
    await page().click(`${ed} .leadmail-editor__frame`);
    await page().keyboard.type('Just checking in about our offer.');
    await page().click(`${ed} .leadmail-tpl-editor__save`);
    ids.reminder = (await (await page().waitForSelector(`${ed}:not([data-id="new"])`)).getAttribute('data-id'))!;

    await openTriggersPage(ww);
    await startNew(ww, 'Change stage to Offer sent', 'Change lead stage');
    await pick(ww, '.leadmail-trg__status-pipeline', 'Offers');
    await pick(ww, '.leadmail-trg__status-status', 'Offer sent');
    ids.tOfferSent = (await saveAndRead(ww, 'Change stage to Offer sent')).id;

    await startNew(ww, 'Set task', 'Set task');
    await pick(ww, '.leadmail-trg__task-responsible', 'Responsible for the entity');
    await page().fill('.leadmail-trg__task-text', TASK_TEXT);
    await shot('2-trigger-task');
    const task = await saveAndRead(ww, 'Set task');
    expect(task).toMatchObject({ action: 'set_task', params: { taskTypeId: 1, responsible: 'entity', text: TASK_TEXT } });
    ids.tTask = task.id;

    await startNew(ww, 'Change stage to Familiar with the offer', 'Change lead stage');
    await pick(ww, '.leadmail-trg__status-pipeline', 'Offers');
    await pick(ww, '.leadmail-trg__status-status', 'Familiar with the offer');
    ids.tFamiliar = (await saveAndRead(ww, 'Change stage to Familiar with the offer')).id;

    await startNew(ww, 'Resend email', 'Send email');
    await pick(ww, '.leadmail-trg__email-template', 'Offer reminder');
    const resend = await saveAndRead(ww, 'Resend email');
    expect(resend).toMatchObject({ action: 'send_email', params: { templateId: ids.reminder, mailbox: 'original' } });
    ids.tResend = resend.id;

    const stored = (await w().api(w().admin).get('/api/triggers')).body as { id: string; action: string; params: Record<string, unknown> }[];
    expect(stored.find((x) => x.id === ids.tOfferSent)).toMatchObject({ action: 'change_status', params: { pipelineId: ids.pipeline, statusId: ids.offerSent } });
    expect(stored.find((x) => x.id === ids.tFamiliar)).toMatchObject({ action: 'change_status', params: { pipelineId: ids.pipeline, statusId: ids.familiar } });
    await shot('2-triggers');
  }, 60_000);

  it('3. the admin makes the one-time "Link to the offer" and copies its variable', async () => {
    await openTab('tlinks');
    const editor = '.leadmail-tlinks-editor';
    await page().click('.leadmail-tlinks__new');
    await page().fill(`${editor} .leadmail-tlinks-editor__name`, 'Link to the offer');
    await page().check(`${editor} .leadmail-tlinks-editor__once`);
    await page().fill(`${editor} .leadmail-tlinks-editor__url`, OFFER_URL);
    await page().selectOption(`${editor} .leadmail-tlinks-triggers__add`, { label: 'Change stage to Familiar with the offer' });
    await page().click(`${editor} .leadmail-tlinks-editor__save`);
    await page().waitForSelector('.leadmail-tlinks-row');
    const [link] = (await w().api(w().admin).get('/api/trigger-links')).body as { id: number; executeOnce: boolean; redirectUrl: string; triggerIds: string[]; variable: string }[];
    expect(link).toMatchObject({ name: 'Link to the offer', executeOnce: true, redirectUrl: OFFER_URL, triggerIds: [ids.tFamiliar] });
    ids.link = link!.id;
    ids.variable = link!.variable;
    await page().waitForSelector(`${editor}[data-link-id="${link!.id}"]`);
    await page().click(`${editor} .leadmail-tlinks-copy__btn`);
    await page().waitForSelector(`${editor} .leadmail-tlinks-copy__notice--copied`);
    expect(await page().evaluate(() => navigator.clipboard.readText())).toBe(ids.variable);
    await shot('3-trigger-link');
  });

  it('3b. the reminder carries the link too, made with the visual link editor', async () => {
    const ed = '.leadmail-tpl-editor';
    await openTab('templates');
    await page().click('.leadmail-tpl-list__open >> text="Offer reminder"');
    await page().waitForSelector(`${ed}[data-id="${ids.reminder}"] .leadmail-tpl__name`);
    // The words typed on a new line, selected, then the link button and the variable pasted.
    await page().click(`${ed} .leadmail-editor__frame`);
    await page().keyboard.press('Control+End');
    await page().keyboard.press('Enter');
    await page().keyboard.type('Read the offer');
    await page().keyboard.press('Shift+Home');
    await page().click(`${ed} .leadmail-editor__link`);
    await page().keyboard.press('Control+V');
    expect(await page().inputValue(`${ed} .leadmail-editor__link-url`)).toBe(ids.variable);
    await page().click(`${ed} .leadmail-editor__link-ok`);
    await page().click(`${ed} .leadmail-tpl-editor__save`);
    await page().waitForSelector('#notifications >> text=Template “Offer reminder” saved');
    const stored = (await w().api(w().admin).get(`/api/templates/${ids.reminder}`)).body;
    expect(stored.html).toContain(`<a href="${ids.variable}">Read the offer</a>`);
    await shot('3b-reminder-link');
  });

  it('4. the admin writes the "Offer" template: the link pasted as the href, the trigger points, and checks it with the dry run', async () => {
    const ed = '.leadmail-tpl-editor';
    await openTab('templates');
    await page().click('.leadmail-tpl-list__new');
    await page().waitForSelector(`${ed}[data-id="new"]`);
    await page().fill(`${ed} .leadmail-tpl__name`, 'Offer');
    await page().fill(`${ed} .leadmail-tpl__subject`, 'Our offer for ');
    await page().click(`${ed} .leadmail-variables .leadmail-dropdown__toggle`);
    await page().click(`${ed} .leadmail-variables__item[data-key="lead.name"]`);
    // The body in HTML mode, the variable pasted into the href from the clipboard.
    await page().click(`${ed} .leadmail-editor__mode`);
    await page().fill(`${ed} .leadmail-editor__source`, '');
    await page().click(`${ed} .leadmail-editor__source`);
    await page().keyboard.type('<p>Hello! Here is our offer.</p><p><a href="');
    await page().keyboard.press('Control+V');
    await page().keyboard.type('">Read the offer</a></p>');
    expect(await page().inputValue(`${ed} .leadmail-editor__source`)).toContain(`<a href="${ids.variable}">Read the offer</a>`);
    await page().click(`${ed} .leadmail-editor__mode`);
    await page().check(`${ed} .leadmail-tpl__public`);
    // The trigger points: after sending, on opening, not opened in 24 hours.
    await page().selectOption(`${ed} .leadmail-points__add[data-point="sent"]`, ids.tOfferSent);
    await page().selectOption(`${ed} .leadmail-points__add[data-point="opened"]`, ids.tTask);
    await page().selectOption(`${ed} .leadmail-points__add[data-point="notOpened"]`, ids.tResend);
    // Typed as a person does: the "1" erased, "24" typed, then "hours" picked; the inputs keep it.
    await page().click(`${ed} .leadmail-points__amount`);
    await page().keyboard.press('End');
    await page().keyboard.press('Backspace');
    await page().keyboard.type('24');
    await page().selectOption(`${ed} .leadmail-points__unit`, 'hours');
    expect(await page().inputValue(`${ed} .leadmail-points__amount`)).toBe('24');
    expect(await page().inputValue(`${ed} .leadmail-points__unit`)).toBe('hours');
    await shot('4-offer-editor');
    await page().click(`${ed} .leadmail-tpl-editor__save`);
    ids.offer = (await (await page().waitForSelector(`${ed}:not([data-id="new"])`)).getAttribute('data-id'))!;
    const stored = (await w().api(w().admin).get(`/api/templates/${ids.offer}`)).body;
    expect(stored).toMatchObject({
      name: 'Offer',
      subject: 'Our offer for {{lead.name}}',
      isPublic: true,
      triggers: { sent: [ids.tOfferSent], opened: [ids.tTask], notOpened: { afterSeconds: 86_400, triggerIds: [ids.tResend] }, failed: [] },
    });
    expect(stored.html).toContain(`<a href="${ids.variable}">Read the offer</a>`);

    // The dry run for a lead: never opened → sent at once, the stage, then the reminder after 24 h.
    const cid = newLead('Cid', ids.incoming);
    await page().fill(`${ed} .leadmail-picker__input`, 'Deal with Cid');
    await page().click(`${ed} .leadmail-picker__item:has(.leadmail-picker__name:text-is("Deal with Cid"))`);
    await page().selectOption(`${ed} .leadmail-tpl-check__kind`, 'never_opened');
    await page().click(`${ed} .leadmail-tpl-check__run`);
    await page().waitForSelector(`${ed} .leadmail-tpl-step[data-kind="trigger"][data-point="not_opened"]`);
    const steps = () => page().$$eval(`${ed} .leadmail-tpl-step`, (els) => els.map((e) => `${e.querySelector('.leadmail-tpl-step__time')!.textContent} ${e.querySelector('.leadmail-tpl-step__title')!.textContent}`));
    const never = await steps();
    expect(never).toEqual([
      '+0 Mail 1: “Offer” is sent',
      '+0 Mail 1 sent',
      '+0 Trigger “Change stage to Offer sent”: moves the lead to a stage',
      '+1 d Mail 1 not opened in time',
      '+1 d Trigger “Resend email”: sends an email',
      '+1 d Mail 2: “Offer reminder” is sent',
      '+1 d Mail 2 sent',
    ]);
    await shot('4-dry-run-never-opened');
    await page().selectOption(`${ed} .leadmail-tpl-check__kind`, 'opened');
    await page().fill(`${ed} .leadmail-tpl-check__minutes`, '10');
    await page().click(`${ed} .leadmail-tpl-check__run`);
    await page().waitForSelector(`${ed} .leadmail-tpl-step[data-kind="timer_cancelled"]`);
    expect(await steps()).toEqual(expect.arrayContaining(['+10 min Trigger “Set task”: creates a task']));
    await shot('4-dry-run-opened');
    // Clicking "Read the offer" a minute after: the link's trigger, once, and the open it proves.
    await page().selectOption(`${ed} .leadmail-tpl-check__kind`, 'clicked');
    expect(await page().$eval(`${ed} .leadmail-tpl-check__link`, (sel) => (sel as HTMLSelectElement).selectedOptions[0]!.textContent)).toBe('Link to the offer');
    await page().fill(`${ed} .leadmail-tpl-check__minutes`, '1');
    await page().click(`${ed} .leadmail-tpl-check__run`);
    await page().waitForSelector(`${ed} .leadmail-tpl-step:has-text("Change stage to Familiar with the offer")`);
    expect(await steps()).toEqual(expect.arrayContaining(['+1 min Trigger “Change stage to Familiar with the offer”: moves the lead to a stage', '+1 min Trigger “Set task”: creates a task']));
    await shot('4-dry-run-clicked');
    // The dry run changed nothing in Kommo and sent nothing.
    expect(statusOf(cid.leadId)).toBe(ids.incoming);
    expect(sink.messages).toHaveLength(0);
  }, 60_000);

  it('5. the admin puts the "Offer" template on the "Qualified" stage of the digital pipeline', async () => {
    const block = '.digital-pipeline__short-task_widget-style_leadmail';
    await page().evaluate((c) => (window as unknown as { KommoHost: { boot(c: unknown): Promise<unknown> } }).KommoHost.boot(c), {
      area: 'digital_pipeline',
      userId: w().crm.adminUserId,
      action: '',
      lang: 'en',
    });
    await page().waitForSelector(`${block} .leadmail-dp__save`);
    await page().selectOption('.leadmail-dp__template', { label: 'Offer' });
    await shot('5-pipeline-action');
    await page().click('.leadmail-dp__save');
    await page().waitForSelector('.leadmail-pipeline__saved');
    await page().click('.js-dp-save');
    ids.token = await page().inputValue(`${block} input[name=action]`);
    expect(await page().textContent('.digital-pipeline__saved')).toBe(`Kommo stores action = ${ids.token}`);
    expect(await page().textContent('.leadmail-dp-summary__main')).toBe('Sends “Offer” immediately');
    const action = (await w().api(w().admin).get(`/api/pipeline-actions/${ids.token.split('.')[0]}`)).body;
    expect(action).toMatchObject({ templateId: ids.offer, delaySeconds: 0, active: true });
    await shot('5-pipeline-saved');
  });

  let ann: { leadId: number; address: string; emailId: string };
  let bob: { leadId: number; address: string; emailId: string; reminderId: string };

  it('6. how it works: the offer goes out, a person opens it (task), clicks the link (Familiar, once); a lead that never opens gets the second mail', async () => {
    const a = newLead('Ann', ids.incoming);
    await leadEntersQualified(a.leadId);
    const offer = await mailTo(a.address, 'Our offer');
    expect(offer.msg.parsed.subject).toBe('Our offer for Deal with Ann');
    ann = { ...a, emailId: offer.emailId };
    await eventually(() => expect(statusOf(a.leadId)).toBe(ids.offerSent), { timeoutMs: 10_000 });

    await hit(w(), pixelPath(offer.html), UA.safari);
    const task = await eventually(() => {
      const t = w().kommo.sim.tasks(SUB).find((x) => x.entity_id === a.leadId);
      expect(t).toBeDefined();
      return t!;
    }, { timeoutMs: 10_000 });
    expect(task).toMatchObject({ entity_type: 'leads', responsible_user_id: w().crm.userId, text: TASK_TEXT });

    await deliveredMinuteAgo(w(), offer.emailId);
    const link = clickPaths(offer.html).find((c) => c.linkId === ids.link)!;
    const first = await hit(w(), link.path, UA.chrome);
    expect(first.status).toBe(302);
    expect(first.headers.location).toBe(OFFER_URL);
    await eventually(() => expect(statusOf(a.leadId)).toBe(ids.familiar), { timeoutMs: 10_000 });
    // Someone moves the lead back; a second click does nothing (execute once).
    w().kommo.sim.lead(SUB, a.leadId)!.status_id = ids.offerSent;
    await hit(w(), link.path, UA.chrome);
    await settledTracking(w(), offer.emailId);
    expect(statusOf(a.leadId)).toBe(ids.offerSent);

    const b = newLead('Bob', ids.incoming);
    await leadEntersQualified(b.leadId);
    const bobOffer = await mailTo(b.address, 'Our offer');
    await eventually(() => expect(statusOf(b.leadId)).toBe(ids.offerSent), { timeoutMs: 10_000 });
    await fastForwardNotOpened(bobOffer.emailId);
    const reminder = await mailTo(b.address, 'Did you see our offer');
    bob = { ...b, emailId: bobOffer.emailId, reminderId: reminder.emailId };
    expect(w().kommo.sim.tasks(SUB).filter((t) => t.entity_id === b.leadId)).toHaveLength(0);
    expect(sink.messages.filter((m) => m.envelope.rcptTo.includes(a.address))).toHaveLength(1);
  }, 60_000);

  it('6b. the same template, by hand: Maria picks "Offer" in a lead card and sends it; its trigger points come with it', async () => {
    const w0 = w();
    await ww.boot({ area: 'lcard', entityId: w0.crm.leadId, userId: w0.crm.userId });
    await page().click('.leadmail-card__new');
    const modal = '.modal .leadmail-compose';
    await page().waitForSelector(`${modal} .leadmail-recipients--to .leadmail-chip`);
    await page().selectOption(`${modal} .leadmail-templatebar__pick`, { label: 'Offer' });
    expect(await page().inputValue(`${modal} .leadmail-compose__subject`)).toBe('Our offer for {{lead.name}}');
    expect(await page().$$eval(`${modal} .leadmail-points__chip`, (els) => els.map((e) => e.firstChild!.textContent))).toEqual(['Change stage to Offer sent', 'Set task', 'Resend email']);
    await shot('6b-compose-offer');
    await page().click(`${modal} .leadmail-compose__send`);
    await page().waitForSelector(modal, { state: 'detached' });
    const mail = await mailTo('john@client.example', 'Our offer');
    expect(mail.msg.parsed.subject).toBe('Our offer for Big deal');
    expect(mail.html).toContain('Read the offer');
    await eventually(() => expect(w0.kommo.sim.lead(SUB, w0.crm.leadId)).toMatchObject({ pipeline_id: ids.pipeline, status_id: ids.offerSent }), { timeoutMs: 10_000 });
  });

  it('7. History shows the mails with their trigger runs, and Stats counts them', async () => {
    await openTab('history');
    const row = (id: string) => `.leadmail-history-row[data-email-id="${id}"]`;
    await page().waitForSelector(row(ann.emailId));
    await page().waitForSelector(row(bob.reminderId));
    expect(await page().textContent(`${row(ann.emailId)} .leadmail-history-row__template`)).toBe('Offer');
    expect(await page().textContent(`${row(bob.reminderId)} .leadmail-history-row__template`)).toBe('Offer reminder');
    await page().click(row(ann.emailId));
    const detail = `.leadmail-history-detail[data-email-id="${ann.emailId}"]`;
    await page().waitForSelector(`${detail} .leadmail-run--done`);
    await eventually(async () => {
      const runs = await page().$$eval(`${detail} .leadmail-run--done .leadmail-run__name`, (els) => els.map((e) => e.textContent));
      expect(runs.sort()).toEqual(['Change stage to Familiar with the offer', 'Change stage to Offer sent', 'Set task']);
    });
    expect(await page().textContent(`${detail} .leadmail-history-detail__opens`)).toContain('Opens: 1 by people');
    // The open and the clicks among its events, in words, with the verdict.
    const events = await page().$$eval(`${detail} .leadmail-history-event`, (els) =>
      els.map((e) => `${e.querySelector('.leadmail-history-event__type')!.textContent} (${e.querySelector('.leadmail-history-event__facts')?.textContent ?? ''})`),
    );
    expect(events.filter((x) => /^(Opened|Link clicked)/.test(x))).toEqual(['Opened (a person)', 'Link clicked (a person)', 'Link clicked (a person)']);
    await shot('7-history');

    await page().click(row(bob.emailId));
    const bobDetail = `.leadmail-history-detail[data-email-id="${bob.emailId}"]`;
    await page().waitForSelector(`${bobDetail} .leadmail-run--done`);
    expect((await page().$$eval(`${bobDetail} .leadmail-run--done .leadmail-run__name`, (els) => els.map((e) => e.textContent))).sort()).toEqual(['Change stage to Offer sent', 'Resend email']);
    // The second mail the trigger sent is said as such, not as a Kommo answer.
    expect(await page().$$eval(`${bobDetail} .leadmail-history-call`, (els) => els.map((e) => `${e.querySelector('.leadmail-history-call__what')!.textContent} ${e.querySelector('.leadmail-history-call__answer') ? 'with Kommo’s answer' : ''}`.trim()))).toEqual(
      expect.arrayContaining(['PATCH /leads with Kommo’s answer', 'Email to bob@client.example']),
    );
    await shot('7-history-not-opened');

    await page().click('.leadmail-admin-tabs__tab[data-tab="stats"]');
    await page().waitForSelector('.leadmail-stats[data-state="ready"]');
    const totals = () => page().$$eval('.leadmail-stats-total', (els) => Object.fromEntries(els.map((e) => [(e as HTMLElement).dataset.series!, Number(e.querySelector('.leadmail-stats-total__n')!.textContent)])));
    await eventually(async () => expect(await totals()).toMatchObject({ sent: 4, failed: 0, humanOpens: 1, humanClicks: 2 }));
    const perTemplate = await page().$$eval('.leadmail-stats-table[data-table="template"] tbody tr', (trs) =>
      trs.map((tr) => `${tr.querySelector('th')!.textContent}: ${(tr.querySelector('td[data-series="sent"]') as HTMLElement).textContent} sent`),
    );
    expect(perTemplate.sort()).toEqual(['Offer reminder: 1 sent', 'Offer: 3 sent']);
    await shot('7-stats');
  }, 60_000);
});
