/**
 * What an action plans: the exact requests it would make. `plan()` builds these from the trigger
 * and a PlanContext without side effects, execution (execute.ts) runs them, and the dry run shows
 * them. Kommo bodies are exactly what the adapter (kommo.client.ts) puts on the wire, so the
 * planned call, the recorded call and the request Kommo receives are the same document.
 */
import type { EntityType } from '../../../../shared/schemas/common.js';
import type { TriggerInput } from '../../../../shared/schemas/trigger.js';
import type { CrmEntityPatch, CrmEntityType, CrmTaskInput } from '../../../infra/crm/crm-client.js';
import type { TriggerEvent, TriggerPoint } from '../../automation/automation.port.js';
import type { EntityData } from '../../templates/entity-data.js';

/** An action and its parameters, kept correlated (narrowing on `action` types `params`). */
export type ActionSpec = TriggerInput extends infer T ? (T extends TriggerInput ? Pick<T, 'action' | 'params'> : never) : never;

export interface NoteBody {
  entity_id: number;
  note_type: 'common';
  params: { text: string };
}

export interface NewLeadBody {
  name: string;
  pipeline_id: number;
  status_id: number;
  responsible_user_id?: number;
  _embedded?: { contacts: { id: number }[] };
}

/** A Kommo API v4 request; `path` is below /api/v4 as in kommo-reference.md. */
export type KommoCall =
  | { kind: 'kommo'; op: 'update'; entity: CrmEntityType; method: 'PATCH'; path: string; body: CrmEntityPatch[] }
  | { kind: 'kommo'; op: 'note'; entity: CrmEntityType; method: 'POST'; path: string; body: [NoteBody] }
  | { kind: 'kommo'; op: 'task'; method: 'POST'; path: '/tasks'; body: [CrmTaskInput] }
  | { kind: 'kommo'; op: 'create_lead'; method: 'POST'; path: '/leads'; body: [NewLeadBody] };

/** A mail sent through our own pipeline (EmailsService.sendSystem), not a Kommo request. */
export interface EmailCall {
  kind: 'email';
  op: 'send_email';
  templateId: string;
  /** Resolved: the triggering mail's mailbox for 'original'. */
  mailboxId: string | null;
  entity: { type: EntityType; id: number };
}

export type PlannedCall = KommoCall | EmailCall;

/** Either the calls to make, or why the action does not apply to this event (then nothing runs). */
export type Plan = { calls: PlannedCall[]; skip: null } | { calls: []; skip: string };

export interface PlanContext {
  entity: { type: EntityType; id: number };
  point: TriggerPoint;
  email: TriggerEvent['email'];
  /** Extra text variables from the event, e.g. `{error}` of a failed send. */
  vars: Record<string, string>;
  /** When the action runs: deadlines, `{date}` and template dates are computed from it. */
  now: Date;
  /** The entity and what templates can refer to; null for actions that need no CRM reads. */
  data: EntityData | null;
}

export const planned = (calls: PlannedCall[]): Plan => ({ calls, skip: null });
export const skipped = (reason: string): Plan => ({ calls: [], skip: reason });
