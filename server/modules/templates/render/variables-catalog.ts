/**
 * The list of variables the template editor offers, built from the account's custom field
 * definitions. `key` is exactly what goes between `{{` and `}}`, and matches what
 * buildTemplateContext() produces (a test renders every key against a built context).
 */
import type { CrmCustomFieldDef, CrmPipeline } from '../../../infra/crm/crm-client.js';
import { CHECKBOX_YES } from './custom-fields.js';
import type { TemplateFieldDefs } from './template-context.js';

export type VariableGroup = 'lead' | 'contact' | 'company' | 'responsible' | 'sender' | 'date';

export interface TemplateVariable {
  key: string;
  label: string;
  example?: string;
  group: VariableGroup;
}

export interface ListVariablesInput {
  fieldDefs: TemplateFieldDefs;
  pipelines?: CrmPipeline[];
}

type Standard = [key: string, label: string, example?: string];

const STANDARD: Record<VariableGroup, Standard[]> = {
  lead: [
    ['id', 'ID', '12345'],
    ['name', 'Name', 'Website redesign'],
    ['price', 'Sale value', '5000'],
    ['status', 'Stage'],
    ['pipeline', 'Pipeline'],
    ['status_id', 'Stage ID', '142'],
    ['pipeline_id', 'Pipeline ID', '3'],
    ['tags', 'Tags', 'VIP, Hot'],
    ['created_at', 'Created on', '2025-01-31'],
  ],
  contact: [
    ['id', 'ID', '67890'],
    ['name', 'Full name', 'John Smith'],
    ['first_name', 'First name', 'John'],
    ['last_name', 'Last name', 'Smith'],
    ['email', 'Email (work first)', 'john@example.com'],
    ['phone', 'Phone (work first)', '+1 555 0100'],
  ],
  company: [
    ['id', 'ID', '24680'],
    ['name', 'Name', 'Acme Inc.'],
    ['email', 'Email', 'info@acme.example'],
    ['phone', 'Phone', '+1 555 0199'],
  ],
  responsible: [
    ['id', 'ID', '1001'],
    ['name', 'Name', 'Mary Manager'],
    ['email', 'Email', 'mary@ourcompany.example'],
  ],
  sender: [
    ['id', 'ID', '1002'],
    ['name', 'Name', 'Sam Sender'],
    ['email', 'Email', 'sam@ourcompany.example'],
  ],
  date: [
    ['today', 'Today (YYYY-MM-DD)', '2025-01-31'],
    ['now', 'Now (ISO 8601)', '2025-01-31T09:30:00.000Z'],
  ],
};

const GROUP_LABEL: Record<VariableGroup, string> = {
  lead: 'Lead',
  contact: 'Contact',
  company: 'Company',
  responsible: 'Responsible user',
  sender: 'Sender',
  date: 'Date',
};

function exampleFor(def: CrmCustomFieldDef): string | undefined {
  switch (def.type) {
    case 'select':
    case 'radiobutton':
    case 'multiselect':
    case 'category':
      return def.enums?.[0]?.value;
    case 'checkbox':
      return CHECKBOX_YES;
    case 'date':
    case 'birthday':
      return '2025-01-31';
    case 'date_time':
      return '2025-01-31 09:30';
    case 'numeric':
    case 'price':
      return '1000';
    default:
      return undefined;
  }
}

/**
 * Handlebars segment literal: `[Monthly budget]`. A `]` inside is escaped as `\]`; a backslash
 * cannot be escaped reliably in Handlebars 4, so such names are offered by id only.
 */
function segment(name: string): string | null {
  if (name.includes('\\') || name.trim() === '') return null;
  return `[${name.replace(/]/g, '\\]')}]`;
}

function customFields(group: 'lead' | 'contact' | 'company', defs: CrmCustomFieldDef[] | undefined): TemplateVariable[] {
  const out: TemplateVariable[] = [];
  const prefix = GROUP_LABEL[group];
  // Same precedence as buildFieldMap: ids first, then the first field with a given name.
  const taken = new Set((defs ?? []).map((d) => String(d.id)));
  for (const def of defs ?? []) {
    const example = exampleFor(def);
    const byName = taken.has(def.name) ? null : segment(def.name);
    taken.add(def.name);
    if (byName) out.push({ key: `${group}.fields.${byName}`, label: `${prefix}: ${def.name}`, example, group });
    out.push({ key: `${group}.fields.[${def.id}]`, label: `${prefix}: ${def.name} (field ${def.id})`, example, group });
  }
  return out;
}

export function listVariables(input: ListVariablesInput): TemplateVariable[] {
  const firstPipeline = input.pipelines?.[0];
  const examples: Record<string, string | undefined> = {
    'lead.status': firstPipeline?.statuses[0]?.name,
    'lead.pipeline': firstPipeline?.name,
  };
  const out: TemplateVariable[] = [];
  for (const group of Object.keys(STANDARD) as VariableGroup[]) {
    for (const [key, label, example] of STANDARD[group]) {
      const full = `${group}.${key}`;
      const ex = example ?? examples[full];
      out.push({ key: full, label: `${GROUP_LABEL[group]}: ${label}`, ...(ex !== undefined ? { example: ex } : {}), group });
    }
    if (group === 'lead') out.push(...customFields('lead', input.fieldDefs.leads));
    if (group === 'contact') out.push(...customFields('contact', input.fieldDefs.contacts));
    if (group === 'company') out.push(...customFields('company', input.fieldDefs.companies));
  }
  return out.map((v) => (v.example === undefined ? { key: v.key, label: v.label, group: v.group } : v));
}
