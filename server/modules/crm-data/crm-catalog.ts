/**
 * GET /api/crm/catalog: everything the trigger editor's pickers need from Kommo, in one answer.
 * Administrators only: it lists the account's users, and only administrators edit triggers.
 * Pipelines, users and fields come through the metadata cache (cached-crm.client.ts); tags are
 * read fresh.
 */
import type { CrmCatalog } from '../../../shared/schemas/crm-catalog.js';
import type { CrmClient, CrmCustomFieldDef } from '../../infra/crm/crm-client.js';
import { assertAdmin, type AuthContext } from '../../http/auth.js';
import { SUPPORTED_FIELD_TYPES } from '../triggers/actions/index.js';

/**
 * The trigger schema accepts only Kommo's two built-in task types, whose ids are the same in every
 * account (kommo-reference.md "Tasks"); the widget shows them under its own translated names.
 */
const TASK_TYPES = [
  { id: 1, code: 'FOLLOW_UP', name: 'Follow-up' },
  { id: 2, code: 'MEETING', name: 'Meeting' },
];

const settable = new Set(SUPPORTED_FIELD_TYPES);

const field = (d: CrmCustomFieldDef) => ({ id: d.id, name: d.name, code: d.code, type: d.type, enums: d.enums, settable: settable.has(d.type) });

export async function crmCatalog(crm: CrmClient, auth: AuthContext): Promise<CrmCatalog> {
  assertAdmin(auth, 'read the account’s Kommo catalogue (it lists the users)');
  const [pipelines, users, leads, contacts, companies, tags] = await Promise.all([
    crm.listPipelines(),
    crm.listUsers(),
    crm.listCustomFields('leads'),
    crm.listCustomFields('contacts'),
    crm.listCustomFields('companies'),
    crm.listTags('leads'),
  ]);
  return {
    pipelines: pipelines.map((p) => ({ id: p.id, name: p.name, statuses: p.statuses.map((s) => ({ id: s.id, name: s.name })) })),
    users: users.filter((u) => u.rights?.isActive !== false).map((u) => ({ id: u.id, name: u.name, email: u.email })),
    taskTypes: TASK_TYPES,
    fields: { leads: leads.map(field), contacts: contacts.map(field), companies: companies.map(field) },
    tags: tags.map((t) => ({ id: t.id, name: t.name })),
  };
}
