/**
 * The contract between what happens to an email (sent, failed, opened, not opened, a link
 * clicked, a form submitted) and the triggers that react to it. Producers call `fire()`; the
 * trigger engine (trigger-engine.ts) records one execution per (eventKey, trigger) and runs it
 * from the queue after the trigger's delay.
 */
import type { EntityType } from '../../../shared/schemas/common.js';

export type TriggerPoint = 'sent' | 'opened' | 'not_opened' | 'failed' | 'link_clicked' | 'form_submitted';
export const EMAIL_TRIGGER_POINTS = ['sent', 'opened', 'not_opened', 'failed'] as const;
export type EmailTriggerPoint = (typeof EMAIL_TRIGGER_POINTS)[number];

export interface TriggerEvent {
  accountId: number;
  point: TriggerPoint;
  /**
   * Unique per real-world event, e.g. `sent:<emailId>`, `opened:<emailId>`,
   * `click:<linkId>:<leads>:<entityId>` (once-links) or `click:<hitId>` (every-time links).
   * Executions are unique on (eventKey, triggerId): firing the same event twice runs nothing twice.
   */
  eventKey: string;
  triggerIds: string[];
  entity: { type: EntityType; id: number };
  email: {
    id: string;
    subject: string;
    sentAt: Date | null;
    templateId: string | null;
    mailboxId: string;
    userId: number;
    contactIds: number[];
  } | null;
  /** Extra variables for texts, e.g. the error of a failed send. */
  vars?: Record<string, string>;
}

export interface TriggerRunner {
  fire(event: TriggerEvent): Promise<void>;
}
