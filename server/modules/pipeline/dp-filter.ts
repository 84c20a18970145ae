/**
 * The pipeline action's optional filter (seed 004: "add a filter condition, for example, by
 * tag"; "filter the actions … by a «Newsletter» switch field"), judged on the lead as just read
 * from Kommo, never on the payload. Returns why the lead does not pass, or null.
 */
import type { CrmLead } from '../../infra/crm/crm-client.js';
import type { PipelineActionFilter as DpFilter } from '../../../shared/schemas/pipeline.js';

const norm = (s: string): string => s.trim().toLowerCase();
const TRUE = new Set(['1', 'true', 'yes', 'on', 'y']);
const FALSE = new Set(['0', 'false', 'no', 'off', 'n', '']);

export function filterMismatch(lead: CrmLead, filter: DpFilter): string | null {
  if (filter.tag && !lead.tags.some((t) => norm(t.name) === norm(filter.tag!))) {
    return `the lead has no tag "${filter.tag}"`;
  }
  if (filter.field) {
    const want = norm(filter.value ?? '');
    const key = norm(filter.field);
    // By id, by name as shown in Kommo, or by code (EMAIL, PHONE…).
    const field = (lead.custom_fields_values ?? []).find(
      (f) => String(f.field_id) === key || norm(f.field_name ?? '') === key || norm(f.field_code ?? '') === key,
    );
    const values = (field?.values ?? []).map((v) => v.value);
    const matches = values.some((v) => {
      if (typeof v === 'boolean') return v ? TRUE.has(want) : FALSE.has(want);
      return v !== null && v !== undefined && norm(String(v)) === want;
    });
    // An empty switch is "off": filtering on value 0 must let a never-touched lead through.
    if (!matches && !(values.length === 0 && FALSE.has(want) && want !== '')) {
      const shown = values.length ? values.map((v) => `"${String(v)}"`).join(', ') : 'empty';
      return `field "${filter.field}" is ${shown}, not "${filter.value}"`;
    }
  }
  return null;
}
