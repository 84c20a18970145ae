/** CRM records shaped like Kommo API v4 answers (kommo-reference.md), shared by the render tests. */
import type { CrmCompany, CrmContact, CrmCustomFieldDef, CrmLead, CrmPipeline, CrmUser } from '../../../../infra/crm/crm-client.js';

export const leadDefs: CrmCustomFieldDef[] = [
  { id: 111, name: 'Budget', code: null, type: 'numeric', enums: null },
  { id: 222, name: 'Source', code: null, type: 'select', enums: [{ id: 1, value: 'Web' }, { id: 2, value: 'Referral' }] },
  { id: 333, name: 'Services', code: null, type: 'multiselect', enums: [{ id: 5, value: 'Cleaning' }, { id: 6, value: 'Upgrade' }] },
  { id: 444, name: 'Deadline', code: null, type: 'date', enums: null },
  { id: 555, name: 'Newsletter', code: null, type: 'checkbox', enums: null },
  { id: 666, name: 'Meeting', code: null, type: 'date_time', enums: null },
  { id: 777, name: 'Monthly budget', code: null, type: 'text', enums: null },
  { id: 888, name: 'Unset field', code: null, type: 'text', enums: null },
];

export const contactDefs: CrmCustomFieldDef[] = [
  { id: 1001, name: 'Email', code: 'EMAIL', type: 'multitext', enums: [{ id: 1, value: 'WORK' }, { id: 2, value: 'PRIV' }] },
  { id: 1002, name: 'Phone', code: 'PHONE', type: 'multitext', enums: [{ id: 3, value: 'WORK' }, { id: 4, value: 'MOB' }] },
  { id: 1003, name: 'Position', code: 'POSITION', type: 'text', enums: null },
];

export const companyDefs: CrmCustomFieldDef[] = [
  { id: 2001, name: 'Email', code: 'EMAIL', type: 'multitext', enums: null },
  { id: 2002, name: 'Phone', code: 'PHONE', type: 'multitext', enums: null },
  { id: 2003, name: 'Web', code: 'WEB', type: 'url', enums: null },
];

export const fieldDefs = { leads: leadDefs, contacts: contactDefs, companies: companyDefs };

export const pipelines: CrmPipeline[] = [
  { id: 3, name: 'Sales', statuses: [{ id: 10, name: 'Qualified' }, { id: 142, name: 'Closed - won' }] },
];

/** 2025-01-31 23:30 UTC: already 1 February in Madrid, which the time zone tests rely on. */
export const LATE_JAN_31 = Date.UTC(2025, 0, 31, 23, 30) / 1000;

export const lead: CrmLead = {
  id: 12345,
  name: 'Website redesign',
  price: 5000,
  responsible_user_id: 1001,
  status_id: 10,
  pipeline_id: 3,
  created_at: LATE_JAN_31,
  updated_at: LATE_JAN_31,
  custom_fields_values: [
    { field_id: 111, field_name: 'Budget', field_type: 'numeric', values: [{ value: 25000 }] },
    { field_id: 222, field_name: 'Source', field_type: 'select', values: [{ value: 'Web (old label)', enum_id: 1 }] },
    { field_id: 333, field_name: 'Services', field_type: 'multiselect', values: [{ value: 'Cleaning', enum_id: 5 }, { value: 'Upgrade', enum_id: 6 }] },
    { field_id: 444, field_name: 'Deadline', field_type: 'date', values: [{ value: LATE_JAN_31 }] },
    { field_id: 555, field_name: 'Newsletter', field_type: 'checkbox', values: [{ value: true }] },
    { field_id: 666, field_name: 'Meeting', field_type: 'date_time', values: [{ value: LATE_JAN_31 }] },
    { field_id: 777, field_name: 'Monthly budget', field_type: 'text', values: [{ value: '2 000 €' }] },
  ],
  tags: [{ id: 1, name: 'VIP' }, { id: 2, name: 'Hot' }],
  contacts: [{ id: 501, is_main: true }],
  companies: [{ id: 601 }],
};

export const contact: CrmContact = {
  id: 501,
  name: 'John Smith',
  first_name: 'John',
  last_name: 'Smith',
  responsible_user_id: 1001,
  custom_fields_values: [
    {
      field_id: 1001,
      field_code: 'EMAIL',
      field_name: 'Email',
      values: [{ value: 'john.private@example.com', enum_code: 'PRIV' }, { value: 'john@acme.example', enum_code: 'WORK' }],
    },
    { field_id: 1002, field_code: 'PHONE', field_name: 'Phone', values: [{ value: '+1 555 0100', enum_code: 'MOB' }] },
    { field_id: 1003, field_code: 'POSITION', field_name: 'Position', values: [{ value: 'CTO' }] },
  ],
  companies: [{ id: 601 }],
  leads: [{ id: 12345 }],
};

export const company: CrmCompany = {
  id: 601,
  name: 'Acme Inc.',
  responsible_user_id: 1001,
  custom_fields_values: [
    { field_id: 2001, field_code: 'EMAIL', field_name: 'Email', values: [{ value: 'info@acme.example', enum_code: 'WORK' }] },
    { field_id: 2002, field_code: 'PHONE', field_name: 'Phone', values: [{ value: '+1 555 0199', enum_code: 'WORK' }] },
    { field_id: 2003, field_code: 'WEB', field_name: 'Web', values: [{ value: 'https://acme.example' }] },
  ],
  contacts: [{ id: 501 }],
};

export const responsible: CrmUser = { id: 1001, name: 'Mary Manager', email: 'mary@ourcompany.example' };
export const sender: CrmUser = { id: 1002, name: 'Sam Sender', email: 'sam@ourcompany.example' };

export const NOW = new Date('2025-03-04T10:05:06Z');
