/**
 * "Change field" for every field kind the simulator's account has, through the triggers page: the
 * input that fits the kind is shown (text, long text, URL, number, price, switch, list, radio
 * buttons, multi-list, date, date and time, birthday, and only "clear" for kinds a trigger cannot
 * set), each saved value is checked through the API, and one mail with all of them as trigger
 * points really changes the lead, its contact and its company in the simulator.
 */
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { createMailbox, sendEmail, waitForStatus } from '../support/send-helpers.js';
import { eventually } from '../support/eventually.js';
import { SUB } from '../support/world.js';
import { checkAndCloseAfterTests, startWidgetWorld, type WidgetWorld } from './harness.js';
import { openTriggersPage, pick, saveAndRead, startNew, type SavedTrigger } from './admin-triggers-helpers.js';

type Entity = 'leads' | 'contacts' | 'companies';
interface Kind {
  /** Kommo's field type, and the field the test adds for it (or finds, for the predefined EMAIL). */
  type: string;
  entity: Entity;
  name: string;
  enums?: string[];
  /** The option's label in the editor's field picker. */
  label: string;
  /** The editor's input for it (`data-kind`), null where only "clear" is offered. */
  input: string | null;
  set(ww: WidgetWorld): Promise<void>;
  /** What the trigger stores: the text the server turns into Kommo's value when it runs. */
  saved: string;
}

const typeIn = (value: string) => (ww: WidgetWorld) => ww.page.fill('.leadmail-trg__value', value);
const choose = (label: string) => async (ww: WidgetWorld) => void (await pick(ww, '.leadmail-trg__value', label));
const mode = (label: string) => async (ww: WidgetWorld) => void (await pick(ww, '.leadmail-trg__value-mode', label));

const KINDS: Kind[] = [
  { type: 'text', entity: 'leads', name: 'Comment', label: 'Comment (text)', input: 'text', set: typeIn('Mailed: {subject}'), saved: 'Mailed: {subject}' },
  { type: 'textarea', entity: 'leads', name: 'Notes', label: 'Notes (long text)', input: 'textarea', set: typeIn('Line one'), saved: 'Line one' },
  { type: 'url', entity: 'leads', name: 'Site', label: 'Site (URL)', input: 'url', set: typeIn('https://example.com/offer'), saved: 'https://example.com/offer' },
  { type: 'numeric', entity: 'leads', name: 'Budget', label: 'Budget (number)', input: 'number', set: typeIn('12.5'), saved: '12.5' },
  { type: 'price', entity: 'leads', name: 'Deal price', label: 'Deal price (price)', input: 'number', set: typeIn('990'), saved: '990' },
  { type: 'checkbox', entity: 'leads', name: 'Delivery', label: 'Delivery (switch)', input: 'switch', set: choose('On'), saved: '1' },
  { type: 'select', entity: 'leads', name: 'Device', enums: ['Laptop', 'Smart'], label: 'Device (list)', input: 'list', set: choose('Smart'), saved: 'Smart' },
  {
    type: 'radiobutton',
    entity: 'leads',
    name: 'Payment',
    enums: ['Cash', 'Online'],
    label: 'Payment (radio buttons)',
    input: 'radios',
    set: (ww) => ww.page.check('.leadmail-trg__radio:has-text("Online") input'),
    saved: 'Online',
  },
  { type: 'multiselect', entity: 'leads', name: 'Service', enums: ['Cleaning', 'Upgrade'], label: 'Service (multi-list)', input: 'multi', set: choose('Upgrade'), saved: 'Upgrade' },
  { type: 'date', entity: 'leads', name: 'Next call', label: 'Next call (date)', input: 'date', set: typeIn('2026-12-24'), saved: '2026-12-24' },
  { type: 'date_time', entity: 'leads', name: 'Meeting at', label: 'Meeting at (date and time)', input: 'date', set: mode('The day the trigger runs'), saved: '{date}' },
  { type: 'streetaddress', entity: 'leads', name: 'Address', label: 'Address (streetaddress)', input: null, set: async () => {}, saved: '{reset}' },
  { type: 'birthday', entity: 'contacts', name: 'Birthday', label: 'Birthday (birthday)', input: 'date', set: typeIn('1990-05-17'), saved: '1990-05-17' },
  { type: 'multitext', entity: 'contacts', name: 'Email', label: 'Email (multiple values)', input: null, set: async () => {}, saved: '{reset}' },
  { type: 'text', entity: 'companies', name: 'Company note', label: 'Company note (text)', input: 'text', set: mode('Clear the field'), saved: '{reset}' },
];
const ENTITY_LABEL: Record<Entity, string> = { leads: 'Lead', contacts: 'Contact', companies: 'Company' };

let ww: WidgetWorld;
let sink: SmtpSink;
let mailboxId: string;
let lead: number;
const fieldIds: Record<string, number> = {};
const saved: Record<string, SavedTrigger> = {};
const key = (k: Kind) => `${k.entity}:${k.name}`;

beforeAll(async () => {
  // Every field is added before the server first reads them (the page's catalogue), so account
  // metadata may be cached as in production: each trigger run then reads only the entity.
  ww = await startWidgetWorld({ CRM_METADATA_TTL_MS: '600000' });
  const { w } = ww;
  const sim = w.kommo.sim;
  fieldIds['leads:Budget'] = w.crm.budgetFieldId;
  for (const k of KINDS) {
    if (fieldIds[key(k)]) continue;
    const existing = [...sim.state.account(SUB).customFields[k.entity].values()].find((d) => d.name === k.name);
    fieldIds[key(k)] = existing?.id ?? sim.addCustomField(SUB, k.entity, { name: k.name, type: k.type, enums: k.enums }).id;
  }
  const companyNote = fieldIds['companies:Company note']!;
  sim.state.account(SUB).companies.get(w.crm.companyId)!.custom_fields_values.push({ field_id: companyNote, field_name: 'Company note', field_code: null, field_type: 'text', values: [{ value: 'old' }] });
  const service = [...sim.state.account(SUB).customFields.leads.get(fieldIds['leads:Service']!)!.enums!];
  lead = sim.addLead(SUB, {
    name: 'Fields deal',
    contacts: [{ id: w.crm.contactId, is_main: true }],
    company_id: w.crm.companyId,
    custom_fields_values: [
      { field_id: fieldIds['leads:Service'], values: [{ enum_id: service[0]!.id }] },
      { field_id: fieldIds['leads:Address'], values: [{ value: '1 Main St' }] },
    ],
  }).id;
  sink = await startSmtpSink({ auth: { user: 'maria', pass: 'smtp-secret' } });
  mailboxId = await createMailbox(w, w.user, sink, { pacing: { messages: 100, seconds: 1 } });
}, 60_000);

checkAndCloseAfterTests(() => ({ ww, sink }));

it('saves a change-field trigger for every field kind with the input that fits it', async () => {
  const { page } = ww;
  await openTriggersPage(ww);
  for (const k of KINDS) {
    const name = `Set ${k.entity} ${k.name}`;
    await startNew(ww, name, 'Change field');
    await pick(ww, '.leadmail-trg__field-entity', ENTITY_LABEL[k.entity]);
    await pick(ww, '.leadmail-trg__field-id', k.label);
    if (k.input === null) {
      // A kind a trigger cannot set offers only "clear the field".
      expect(await page.isDisabled('.leadmail-trg__value-mode')).toBe(true);
      expect(await page.$('.leadmail-trg__value')).toBeNull();
    } else {
      expect(await page.getAttribute('.leadmail-trg__value', 'data-kind')).toBe(k.input);
      if (k.input === 'date') expect(await page.getAttribute('.leadmail-trg__value', 'type')).toBe('date');
    }
    await k.set(ww);
    if (k.type === 'radiobutton') await ww.shot('admin-triggers-change-field');
    saved[key(k)] = await saveAndRead(ww, name);
    expect(saved[key(k)]).toMatchObject({ action: 'change_field', params: { entity: k.entity, fieldId: fieldIds[key(k)], value: k.saved } });
  }
}, 90_000);

it('one mail with these triggers changes every kind of field in the simulator as the editor said', async () => {
  const { w } = ww;
  const before = Math.floor(Date.now() / 1000);
  const triggerIds = KINDS.map((k) => saved[key(k)]!.id);
  const id = await sendEmail(w, w.user, { entityId: lead, mailboxId, subject: 'Offer', html: '<p>x</p>', contactIds: [w.crm.contactId], triggers: { sent: triggerIds } });
  await waitForStatus(w, w.user, id, 'sent');
  const acc = () => w.kommo.sim.state.account(SUB);
  const values = (entity: Entity, id: number, name: string) => acc()[entity].get(id)!.custom_fields_values.find((v) => v.field_id === fieldIds[`${entity}:${name}`])?.values;
  const enumId = (name: string, value: string) => acc().customFields.leads.get(fieldIds[`leads:${name}`]!)!.enums!.find((e) => e.value === value)!.id;
  await eventually(
    () => {
      expect(values('leads', lead, 'Comment')).toEqual([{ value: 'Mailed: Offer' }]);
      expect(values('leads', lead, 'Notes')).toEqual([{ value: 'Line one' }]);
      expect(values('leads', lead, 'Site')).toEqual([{ value: 'https://example.com/offer' }]);
      expect(values('leads', lead, 'Budget')).toEqual([{ value: 12.5 }]);
      expect(values('leads', lead, 'Deal price')).toEqual([{ value: 990 }]);
      expect(values('leads', lead, 'Delivery')).toEqual([{ value: true }]);
      expect(values('leads', lead, 'Device')).toEqual([{ value: 'Smart', enum_id: enumId('Device', 'Smart') }]);
      expect(values('leads', lead, 'Payment')).toEqual([{ value: 'Online', enum_id: enumId('Payment', 'Online') }]);
      expect(values('leads', lead, 'Service')).toEqual([
        { value: 'Cleaning', enum_id: enumId('Service', 'Cleaning') },
        { value: 'Upgrade', enum_id: enumId('Service', 'Upgrade') },
      ]);
      expect(values('leads', lead, 'Next call')).toEqual([{ value: Date.UTC(2026, 11, 24) / 1000 }]);
      expect(values('leads', lead, 'Meeting at')![0]!.value).toBeGreaterThanOrEqual(before);
      expect(values('leads', lead, 'Address')).toBeUndefined();
      expect(values('contacts', w.crm.contactId, 'Birthday')).toEqual([{ value: Date.UTC(1990, 4, 17) / 1000 }]);
      expect(values('contacts', w.crm.contactId, 'Email')).toBeUndefined();
      expect(values('companies', w.crm.companyId, 'Company note')).toBeUndefined();
    },
    // Fifteen triggers run one after another at Kommo's 7 requests a second.
    { timeoutMs: 60_000, intervalMs: 200 },
  );
}, 90_000);
