/**
 * Save-time checks of a trigger's parameters against the account's real Kommo data (pipelines,
 * statuses, users, custom fields) and our own (templates, mailboxes). A trigger that saves is one
 * whose request Kommo will accept; each error names the field, e.g.
 * `params.statusId: status 123 is not in pipeline "Sales"`.
 */
import type { TriggerInput } from '../../../shared/schemas/trigger.js';
import type { CrmClient, CrmPipeline } from '../../infra/crm/crm-client.js';
import type { Queryable } from '../../infra/db/db.js';
import { invalid } from '../../errors.js';
import { findMailbox } from '../mailboxes/mailboxes.repository.js';
import { findTemplate } from '../templates/templates.repository.js';
import { fieldValue } from './actions/field-value.js';
import { ENTITY_WORD } from './actions/targets.js';
import { checkTriggerText } from './actions/texts.js';

async function checkUser(crm: CrmClient, responsible: 'entity' | number): Promise<void> {
  if (responsible === 'entity') return;
  const users = await crm.listUsers();
  if (!users.some((u) => u.id === responsible)) throw invalid('params.responsible', `user ${responsible} is not a user of this Kommo account`);
}

function checkStage(pipelines: CrmPipeline[], pipelineId: number, statusId: number): void {
  const pipeline = pipelines.find((p) => p.id === pipelineId);
  if (!pipeline) {
    const known = pipelines.map((p) => `"${p.name}" (${p.id})`).join(', ');
    throw invalid('params.pipelineId', `pipeline ${pipelineId} does not exist in this Kommo account (pipelines: ${known || 'none'})`);
  }
  if (!pipeline.statuses.some((s) => s.id === statusId)) throw invalid('params.statusId', `status ${statusId} is not in pipeline "${pipeline.name}"`);
}

export async function validateTriggerParams(db: Queryable, crm: CrmClient, accountId: number, t: TriggerInput): Promise<void> {
  switch (t.action) {
    case 'set_task':
      checkTriggerText('params.text', t.params.text);
      await checkUser(crm, t.params.responsible);
      return;
    case 'add_note':
      checkTriggerText('params.text', t.params.text);
      return;
    case 'change_status':
      checkStage(await crm.listPipelines(), t.params.pipelineId, t.params.statusId);
      return;
    case 'create_lead':
      checkTriggerText('params.name', t.params.name);
      checkStage(await crm.listPipelines(), t.params.pipelineId, t.params.statusId);
      await checkUser(crm, t.params.responsible);
      return;
    case 'change_field': {
      const { entity, fieldId, value } = t.params;
      const def = (await crm.listCustomFields(entity)).find((f) => f.id === fieldId);
      if (!def) throw invalid('params.fieldId', `field ${fieldId} is not a ${ENTITY_WORD[entity]} field in this Kommo account`);
      const v = fieldValue(def, value, { now: new Date() });
      if (!v.ok) throw invalid('params.value', v.problem);
      if (value.includes('{{')) checkTriggerText('params.value', value);
      return;
    }
    case 'send_email': {
      const template = await findTemplate(db, accountId, t.params.templateId);
      if (!template) throw invalid('params.templateId', `template ${t.params.templateId} does not exist in this account`);
      if (t.params.mailbox !== 'original' && !(await findMailbox(db, accountId, t.params.mailbox))) {
        throw invalid('params.mailbox', `mailbox ${t.params.mailbox} does not exist in this account`);
      }
      return;
    }
    case 'change_tags':
      return; // Kommo creates unknown tag names and ignores unknown ones on removal.
  }
}
