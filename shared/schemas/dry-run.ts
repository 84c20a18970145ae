import { z } from 'zod';
import { EntityType } from './common.js';

/** What the recipient does with the mail under test (seed 004's trigger points). */
export const DryRunScenario = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('opened'), afterSeconds: z.number().int().min(0, 'must be 0 or more') }),
  z.object({ kind: z.literal('never_opened') }),
  z.object({ kind: z.literal('failed') }),
  z.object({ kind: z.literal('clicked'), linkId: z.number().int().positive('must be a trigger link id'), afterSeconds: z.number().int().min(0, 'must be 0 or more') }),
]);
export type DryRunScenario = z.infer<typeof DryRunScenario>;

export const DryRunRequest = z.object({
  entityType: EntityType.default('leads'),
  entityId: z.number().int().positive(),
  scenario: DryRunScenario,
  /** The mailbox the mail would go from (for "original mailbox" triggers); default: the one automation would pick. */
  mailboxId: z.uuid().optional(),
});
export type DryRunRequest = z.infer<typeof DryRunRequest>;

export const DryRunCall = z.union([
  z.object({ kind: z.literal('kommo'), method: z.string(), path: z.string(), body: z.unknown() }),
  z.object({ kind: z.literal('email'), templateId: z.string(), templateName: z.string().nullable(), mailboxId: z.string().nullable() }),
]);
export type DryRunCall = z.infer<typeof DryRunCall>;

export const DryRunStep = z.object({
  /** Seconds after the mail under test would be sent. */
  offsetSeconds: z.number(),
  at: z.string(),
  /** Which simulated mail: 1 is the one under test, 2… are mails its triggers send. */
  mail: z.number(),
  templateId: z.string(),
  templateName: z.string(),
  /** 0 for the mail under test, +1 per trigger-sent mail in between. */
  depth: z.number(),
  kind: z.enum(['send', 'point', 'trigger', 'timer_cancelled', 'held_back', 'depth_limit']),
  point: z.enum(['sent', 'opened', 'not_opened', 'failed', 'link_clicked']).nullable(),
  trigger: z.object({ id: z.string(), name: z.string(), action: z.string(), delaySeconds: z.number() }).nullable(),
  calls: z.array(DryRunCall),
  /** Why a trigger would do nothing (switched off, nothing to change…). */
  skipped: z.string().nullable(),
  text: z.string(),
});
export type DryRunStep = z.infer<typeof DryRunStep>;

export const DryRunResult = z.object({
  template: z.object({ id: z.string(), name: z.string() }),
  entity: z.object({ type: EntityType, id: z.number() }),
  scenario: DryRunScenario,
  startsAt: z.string(),
  steps: z.array(DryRunStep),
  /** Where the runtime cap stands now for the mail under test. */
  cap: z.object({ perDay: z.number(), repeatLimit: z.number().nullable(), sentLast24h: z.number(), sentEver: z.number() }),
  /** Simplifications the timeline rests on. */
  assumptions: z.array(z.string()),
});
export type DryRunResult = z.infer<typeof DryRunResult>;
