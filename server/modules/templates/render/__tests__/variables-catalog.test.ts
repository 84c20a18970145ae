import type { CrmCustomFieldDef } from '../../../../infra/crm/crm-client.js';
import { renderTemplate } from '../render.js';
import { buildTemplateContext } from '../template-context.js';
import { listVariables } from '../variables-catalog.js';
import * as fx from './fixtures.js';

describe('listVariables', () => {
  const vars = listVariables({ fieldDefs: fx.fieldDefs, pipelines: fx.pipelines });
  const keys = vars.map((v) => v.key);

  it('lists the standard variables of every group', () => {
    expect(keys).toEqual(
      expect.arrayContaining([
        'lead.id', 'lead.name', 'lead.price', 'lead.status', 'lead.pipeline', 'lead.status_id', 'lead.pipeline_id', 'lead.tags', 'lead.created_at',
        'contact.id', 'contact.name', 'contact.first_name', 'contact.last_name', 'contact.email', 'contact.phone',
        'company.id', 'company.name', 'company.email', 'company.phone',
        'responsible.id', 'responsible.name', 'responsible.email',
        'sender.id', 'sender.name', 'sender.email',
        'date.today', 'date.now',
      ]),
    );
    expect(new Set(vars.map((v) => v.group))).toEqual(new Set(['lead', 'contact', 'company', 'responsible', 'sender', 'date']));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('lists custom fields by name and by id, with examples by type', () => {
    expect(vars.filter((v) => /^lead\.fields\.\[(Budget|111|Source|222|Newsletter|555)\]$/.test(v.key))).toEqual([
      { key: 'lead.fields.[Budget]', label: 'Lead: Budget', example: '1000', group: 'lead' },
      { key: 'lead.fields.[111]', label: 'Lead: Budget (field 111)', example: '1000', group: 'lead' },
      { key: 'lead.fields.[Source]', label: 'Lead: Source', example: 'Web', group: 'lead' },
      { key: 'lead.fields.[222]', label: 'Lead: Source (field 222)', example: 'Web', group: 'lead' },
      { key: 'lead.fields.[Newsletter]', label: 'Lead: Newsletter', example: 'Yes', group: 'lead' },
      { key: 'lead.fields.[555]', label: 'Lead: Newsletter (field 555)', example: 'Yes', group: 'lead' },
    ]);
    expect(keys).toEqual(expect.arrayContaining(['contact.fields.[Position]', 'contact.fields.[1003]', 'company.fields.[Web]', 'company.fields.[2003]']));
    expect(vars.find((v) => v.key === 'lead.status')).toMatchObject({ example: 'Qualified', label: 'Lead: Stage' });
    expect(vars.find((v) => v.key === 'lead.pipeline')).toMatchObject({ example: 'Sales' });
  });

  it('works without pipelines and leaves examples out rather than undefined', () => {
    const bare = listVariables({ fieldDefs: {} });
    const status = bare.find((v) => v.key === 'lead.status');
    expect(status).toEqual({ key: 'lead.status', label: 'Lead: Stage', group: 'lead' });
    expect(bare.some((v) => v.key.includes('.fields.'))).toBe(false);
  });

  it('offers awkward names only in a form Handlebars can read', () => {
    const defs: CrmCustomFieldDef[] = [
      { id: 901, name: 'Size [cm]', code: null, type: 'numeric', enums: null },
      { id: 902, name: 'C:\\path', code: null, type: 'text', enums: null },
      { id: 903, name: 'Size [cm]', code: null, type: 'text', enums: null },
    ];
    const keys901 = listVariables({ fieldDefs: { leads: defs } }).map((v) => v.key).filter((k) => k.includes('fields'));
    expect(keys901).toEqual(['lead.fields.[Size [cm\\]]', 'lead.fields.[901]', 'lead.fields.[902]', 'lead.fields.[903]']);
  });

  it('every listed key renders the value buildTemplateContext put there', () => {
    const defs: CrmCustomFieldDef[] = [...fx.leadDefs, { id: 901, name: 'Size [cm]', code: null, type: 'numeric', enums: null }];
    const lead = { ...fx.lead, custom_fields_values: [...fx.lead.custom_fields_values!, { field_id: 901, values: [{ value: 42 }] }] };
    const fieldDefs = { ...fx.fieldDefs, leads: defs };
    const ctx = buildTemplateContext({
      lead,
      contact: fx.contact,
      company: fx.company,
      responsible: fx.responsible,
      sender: fx.sender,
      fieldDefs,
      pipelines: fx.pipelines,
      now: fx.NOW,
    });
    const catalog = listVariables({ fieldDefs, pipelines: fx.pipelines });
    const html = catalog.map((v) => `{{${v.key}}}`).join('\n');
    const rendered = renderTemplate({ subject: '', html }, ctx).html.split('\n');

    const expected = catalog.map(({ key }) => {
      const field = /^(\w+)\.fields\.\[(.*)\]$/.exec(key);
      const entity = (ctx as unknown as Record<string, Record<string, unknown>>)[key.split('.')[0]!]!;
      const value = field ? (entity.fields as Record<string, string>)[field[2]!.replace(/\\]/g, ']')] : entity[key.split('.')[1]!];
      return String(value ?? '').replace(/&/g, '&amp;');
    });
    expect(rendered).toEqual(expected);
    // Everything in the fixtures is filled in except the deliberately empty field.
    const empty = catalog.filter((_, i) => rendered[i] === '').map((v) => v.key);
    expect(empty).toEqual(['lead.fields.[Unset field]', 'lead.fields.[888]']);
    expect(rendered[catalog.findIndex((v) => v.key === 'lead.fields.[Size [cm\\]]')]).toBe('42');
  });
});
