import { AppError } from '../../../../errors.js';
import type { CrmCustomFieldDef, CrmLead } from '../../../../infra/crm/crm-client.js';
import { renderTemplate } from '../render.js';
import { buildTemplateContext } from '../template-context.js';
import * as fx from './fixtures.js';

const full = (timezone?: string): ReturnType<typeof buildTemplateContext> =>
  buildTemplateContext({
    lead: fx.lead,
    contact: fx.contact,
    company: fx.company,
    responsible: fx.responsible,
    sender: fx.sender,
    fieldDefs: fx.fieldDefs,
    pipelines: fx.pipelines,
    now: fx.NOW,
    timezone,
  });

describe('buildTemplateContext', () => {
  it('builds the lead variables, formatting each custom field type', () => {
    const { lead } = full();
    expect(lead).toMatchObject({
      id: 12345,
      name: 'Website redesign',
      price: 5000,
      status_id: 10,
      pipeline_id: 3,
      status: 'Qualified',
      pipeline: 'Sales',
      tags: ['VIP', 'Hot'],
      created_at: '2025-01-31',
    });
    expect(lead?.fields).toEqual({
      '111': '25000',
      '222': 'Web', // enum text from the field definition, not the stale value sent alongside
      '333': 'Cleaning, Upgrade',
      '444': '2025-01-31',
      '555': 'Yes',
      '666': '2025-01-31 23:30',
      '777': '2 000 €',
      '888': '',
      Budget: '25000',
      Source: 'Web',
      Services: 'Cleaning, Upgrade',
      Deadline: '2025-01-31',
      Newsletter: 'Yes',
      Meeting: '2025-01-31 23:30',
      'Monthly budget': '2 000 €',
      'Unset field': '',
    });
    expect(lead?.cf_444).toBe('2025-01-31');
    expect(String(lead?.tags)).toBe('VIP, Hot');
    expect(JSON.parse(JSON.stringify(lead?.tags))).toEqual(['VIP', 'Hot']);
  });

  it('formats dates in the account time zone', () => {
    const { lead, date } = full('Europe/Madrid');
    expect(lead?.created_at).toBe('2025-02-01');
    expect(lead?.fields.Deadline).toBe('2025-02-01');
    expect(lead?.fields.Meeting).toBe('2025-02-01 00:30');
    expect(date).toEqual({ today: '2025-03-04', now: '2025-03-04T10:05:06.000Z' });
  });

  it('prints an unchecked checkbox as "No"', () => {
    const lead: CrmLead = { ...fx.lead, custom_fields_values: [{ field_id: 555, values: [{ value: false }] }] };
    const ctx = buildTemplateContext({ lead, fieldDefs: fx.fieldDefs, now: fx.NOW });
    expect(ctx.lead?.fields.Newsletter).toBe('No');
  });

  it('picks the WORK e-mail of a contact and the first phone', () => {
    const { contact, company } = full();
    expect(contact).toMatchObject({
      id: 501,
      name: 'John Smith',
      first_name: 'John',
      last_name: 'Smith',
      email: 'john@acme.example',
      phone: '+1 555 0100',
    });
    expect(contact?.fields.Email).toBe('john.private@example.com, john@acme.example');
    expect(company).toMatchObject({ id: 601, name: 'Acme Inc.', email: 'info@acme.example', phone: '+1 555 0199' });
  });

  it('finds the e-mail field by its definition code when the value omits field_code', () => {
    const contact = { ...fx.contact, custom_fields_values: [{ field_id: 1001, values: [{ value: 'only@example.com' }] }] };
    const ctx = buildTemplateContext({ contact, fieldDefs: fx.fieldDefs, now: fx.NOW });
    expect(ctx.contact?.email).toBe('only@example.com');
  });

  it('exposes users as {id, name, email}; user is the sender', () => {
    const ctx = full();
    expect(ctx.responsible).toEqual({ id: 1001, name: 'Mary Manager', email: 'mary@ourcompany.example' });
    expect(ctx.sender).toEqual({ id: 1002, name: 'Sam Sender', email: 'sam@ourcompany.example' });
    expect(ctx.user).toBe(ctx.sender);
  });

  it('leaves out absent entities and names the stage only when pipelines are given', () => {
    const ctx = buildTemplateContext({ lead: fx.lead, fieldDefs: {}, now: fx.NOW });
    expect(Object.keys(ctx).sort()).toEqual(['date', 'lead']);
    expect(ctx.lead).toMatchObject({ status: '', pipeline: '', status_id: 10 });
    // Without definitions, fields are still reachable by the names Kommo sends with values.
    expect(ctx.lead?.fields).toMatchObject({ '111': '25000', Budget: '25000', '222': 'Web (old label)' });
  });

  it('resolves key collisions: ids beat names, the first field keeps a shared name', () => {
    const defs: CrmCustomFieldDef[] = [
      { id: 10, name: 'Code', code: null, type: 'text', enums: null },
      { id: 20, name: 'Code', code: null, type: 'text', enums: null },
      { id: 30, name: '10', code: null, type: 'text', enums: null },
      { id: 40, name: '__proto__', code: null, type: 'text', enums: null },
    ];
    const lead: CrmLead = {
      ...fx.lead,
      custom_fields_values: [10, 20, 30, 40].map((id) => ({ field_id: id, values: [{ value: `v${id}` }] })),
    };
    const fields = buildTemplateContext({ lead, fieldDefs: { leads: defs }, now: fx.NOW }).lead!.fields;
    expect(fields).toMatchObject({ '10': 'v10', '20': 'v20', '30': 'v30', Code: 'v10' });
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(fields, '__proto__')).toBe(true);
    const out = renderTemplate({ subject: '', html: '{{lead.fields.[__proto__]}}|{{lead.fields.Code}}|{{lead.fields.[20]}}' }, { lead: { fields } });
    expect(out.html).toBe('v40|v10|v20');
  });

  it('rejects an unknown time zone', () => {
    expect(() => buildTemplateContext({ fieldDefs: {}, now: fx.NOW, timezone: 'Mars/Olympus' })).toThrow(AppError);
  });
});
