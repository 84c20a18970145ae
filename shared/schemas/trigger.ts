import { z } from 'zod';
import { EntityType } from './common.js';

/**
 * Triggers (seed 004, "Trigger types"): an admin-defined action run when a mail is sent, opened,
 * not opened, fails, or a trigger link is clicked. These schemas check the shape; whether ids and
 * values exist in the account's Kommo is checked by the server when saving.
 */
export const TRIGGER_ACTIONS = ['set_task', 'add_note', 'change_status', 'change_field', 'send_email', 'create_lead', 'change_tags'] as const;
export const TriggerAction = z.enum(TRIGGER_ACTIONS);
export type TriggerAction = z.infer<typeof TriggerAction>;

const KommoId = z.number().int().positive();
/** Texts may use `{subject}`, `{sended_at}`, `{id}` and template variables such as `{{lead.name}}`. */
const Text = (max: number) => z.string().trim().min(1, 'is required').max(max, `must be at most ${max} characters`);
/** The entity's own responsible user, or a chosen Kommo user id. */
export const Responsible = z.union([z.literal('entity'), KommoId]);

export const TaskDeadline = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('relative'), amount: z.number().int().min(0).max(100_000), unit: z.enum(['minutes', 'hours', 'days']) }),
  z.object({ kind: z.literal('end_of_day') }),
]);
export type TaskDeadline = z.infer<typeof TaskDeadline>;

export const SetTaskParams = z.object({
  /** Kommo's built-in task types: 1 follow-up, 2 meeting. */
  taskTypeId: z.union([z.literal(1), z.literal(2)]),
  deadline: TaskDeadline,
  responsible: Responsible,
  text: Text(2000),
});
export const AddNoteParams = z.object({ text: Text(10_000) });
export const ChangeStatusParams = z.object({ pipelineId: KommoId, statusId: KommoId });
export const ChangeFieldParams = z.object({
  entity: EntityType,
  fieldId: KommoId,
  /** As typed by the admin: text, a number, a list value, 1/0, YYYY-MM-DD, `{date}` or `{reset}`. */
  value: z.string().max(10_000),
});
export const SendEmailParams = z.object({
  templateId: z.uuid({ message: 'must be a template id' }),
  /** The triggering mail's mailbox, or a chosen one (the account's global mailbox always wins). */
  mailbox: z.union([z.literal('original'), z.uuid({ message: 'must be "original" or a mailbox id' })]),
});
export const CreateLeadParams = z.object({ name: Text(255), pipelineId: KommoId, statusId: KommoId, responsible: Responsible });

const TagName = z.string().trim().min(1, 'must not be empty').max(100);
export const ChangeTagsParams = z
  .object({ add: z.array(TagName).max(20).default([]), remove: z.array(TagName).max(20).default([]) })
  .superRefine((v, ctx) => {
    if (v.add.length === 0 && v.remove.length === 0) ctx.addIssue({ code: 'custom', path: ['add'], message: 'name at least one tag to add or remove' });
    v.remove.forEach((name, i) => {
      if (v.add.includes(name)) ctx.addIssue({ code: 'custom', path: ['remove', i], message: `"${name}" is also in add` });
    });
  });

const common = {
  name: z.string().trim().min(1, 'is required').max(200),
  /** 0 = at once; no upper bound beyond the column (about 68 years). */
  delaySeconds: z.number().int('must be whole seconds').min(0).max(2_147_483_647).default(0),
  active: z.boolean().default(true),
};

export const TriggerInput = z.discriminatedUnion('action', [
  z.object({ ...common, action: z.literal('set_task'), params: SetTaskParams }),
  z.object({ ...common, action: z.literal('add_note'), params: AddNoteParams }),
  z.object({ ...common, action: z.literal('change_status'), params: ChangeStatusParams }),
  z.object({ ...common, action: z.literal('change_field'), params: ChangeFieldParams }),
  z.object({ ...common, action: z.literal('send_email'), params: SendEmailParams }),
  z.object({ ...common, action: z.literal('create_lead'), params: CreateLeadParams }),
  z.object({ ...common, action: z.literal('change_tags'), params: ChangeTagsParams }),
]);
export type TriggerInput = z.infer<typeof TriggerInput>;

export const TriggerView = z.intersection(
  TriggerInput,
  z.object({ id: z.string(), createdAt: z.string(), updatedAt: z.string() }),
);
export type TriggerView = z.infer<typeof TriggerView>;

export const TriggerRunStatus = z.enum(['scheduled', 'running', 'done', 'failed', 'skipped']);

/** One request we made (or would make) on the trigger's behalf, and what came back. */
export const TriggerCallView = z.object({
  kind: z.enum(['kommo', 'email']),
  op: z.enum(['update', 'note', 'task', 'create_lead', 'send_email']),
  method: z.string().optional(),
  path: z.string().optional(),
  body: z.unknown().optional(),
  /** send_email only: the template and mailbox (null = the account's global one). */
  templateId: z.string().optional(),
  mailboxId: z.string().nullable().optional(),
  status: z.enum(['pending', 'done', 'failed', 'skipped']),
  answer: z.unknown().optional(),
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }).optional(),
  at: z.string().optional(),
});

/** A trigger execution as shown in a mail's history. */
export const TriggerRunView = z.object({
  triggerId: z.string(),
  name: z.string(),
  action: TriggerAction,
  point: z.string(),
  status: TriggerRunStatus,
  runAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  calls: z.array(TriggerCallView),
  result: z.string().nullable(),
  error: z.string().nullable(),
});
export type TriggerRunView = z.infer<typeof TriggerRunView>;
