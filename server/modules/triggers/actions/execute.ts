/**
 * Runs one planned call through the CRM port (or the mail pipeline) and returns the answer to
 * record. The port's adapter puts the planned body on the wire unchanged (types.ts), and retries
 * 429/5xx itself; what reaches us here is the final answer or the final error.
 */
import type { CrmClient, CrmWriteOptions } from '../../../infra/crm/crm-client.js';
import type { SystemSendResult } from '../../emails/system-send.js';
import type { EmailCall, PlannedCall } from './types.js';

export interface ExecuteDeps {
  crm: CrmClient;
  /** EmailsService.sendSystem for this call: queues the mail, or says why it did not. */
  sendEmail(call: EmailCall): Promise<SystemSendResult>;
}

/** `write`: for notes, tasks and leads, whether an earlier attempt may already have applied it. */
export async function executeCall(call: PlannedCall, deps: ExecuteDeps, write: CrmWriteOptions = {}): Promise<unknown> {
  switch (call.op) {
    case 'update':
      await deps.crm.updateEntities(call.entity, call.body);
      return { updated: call.body.map((p) => p.id) };
    case 'note': {
      const [note] = call.body;
      return deps.crm.addNote(call.entity, note.entity_id, note.params.text, write);
    }
    case 'task':
      return deps.crm.createTask(call.body[0], write);
    case 'create_lead': {
      const [{ _embedded, ...lead }] = call.body;
      return deps.crm.createLead({ ...lead, contactIds: _embedded?.contacts.map((c) => c.id) }, write);
    }
    case 'send_email':
      return deps.sendEmail(call);
  }
}
