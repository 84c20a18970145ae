/**
 * Kommo's digital-pipeline widget action (kommo-reference.md "Webhooks and the digital
 * pipeline"). The same document arrives as JSON or form-encoded (`event[data][id]=…`); the
 * form parser (qs, extended) turns the brackets into the same nesting with string leaves, so one
 * schema with number coercion reads both.
 *
 * The settings are what the admin typed into the action's fields (manifest.json `dp.settings`):
 * `template` (an id or the exact name), `delay` (`90`, `30 s`, `15 minutes`, `2h`, `1 day`),
 * `filter_tag`, and `filter_field` + `filter_value`. A JSON sender may also nest
 * `filter: { tag, field, value }`.
 */
import { z } from 'zod';

const Num = z.coerce.number().int().nonnegative();
const Id = z.coerce.number().int().positive();
const Text = z.union([z.string(), z.number()]).transform((v) => String(v).trim());

export const DpPayload = z.object({
  account_id: Id,
  subdomain: z.string().trim().regex(/^[a-z0-9][a-z0-9-]*$/i, 'must be a Kommo subdomain'),
  event: z.object({
    type: Num.optional(),
    type_code: z.string().optional(),
    data: z.object({
      id: Id,
      element_type: Num.optional(),
      status_id: Id,
      pipeline_id: Id.optional(),
    }),
    time: Num,
  }),
  action: z
    .object({
      settings: z
        .object({
          widget: z.object({ settings: z.record(z.string(), z.unknown()).default({}) }).optional(),
        })
        .optional(),
    })
    .optional(),
});
export type DpPayload = z.infer<typeof DpPayload>;

export interface DpFilter {
  tag?: string;
  field?: string;
  value?: string;
}

export interface DpSettings {
  template: string;
  delaySeconds: number;
  filter: DpFilter;
}

export interface DpEventInput {
  accountId: number;
  subdomain: string;
  leadId: number;
  statusId: number;
  pipelineId: number | null;
  eventTime: number;
  typeCode: string | null;
  /** What was received, kept on the row for the record. */
  rawSettings: Record<string, unknown>;
  /** Parsed settings, or why they cannot be used (recorded as the outcome). */
  settings: DpSettings | { error: string };
}

const TYPE_CODES: Record<number, string> = { 1: 'lead_added', 14: 'lead_status_changed', 15: 'lead_appeared_in_status' };

export function toDpEvent(p: DpPayload): DpEventInput {
  const raw = p.action?.settings?.widget?.settings ?? {};
  return {
    accountId: p.account_id,
    subdomain: p.subdomain.toLowerCase(),
    leadId: p.event.data.id,
    statusId: p.event.data.status_id,
    pipelineId: p.event.data.pipeline_id ?? null,
    eventTime: p.event.time,
    typeCode: p.event.type_code ?? (p.event.type !== undefined ? (TYPE_CODES[p.event.type] ?? String(p.event.type)) : null),
    rawSettings: raw,
    settings: parseDpSettings(raw),
  };
}

const optText = (v: unknown): string | undefined => {
  const r = Text.safeParse(v);
  return r.success && r.data !== '' ? r.data : undefined;
};

export function parseDpSettings(raw: Record<string, unknown>): DpSettings | { error: string } {
  const template = optText(raw.template);
  if (!template) return { error: 'settings: template is not set in the pipeline action' };
  const delay = optText(raw.delay);
  const delaySeconds = delay === undefined ? 0 : parseDuration(delay);
  if (delaySeconds === null) return { error: `settings: delay "${delay}" is not a duration such as "90", "15 minutes" or "2 h"` };
  const nested = (typeof raw.filter === 'object' && raw.filter !== null ? raw.filter : {}) as Record<string, unknown>;
  const filter: DpFilter = {
    tag: optText(raw.filter_tag) ?? optText(nested.tag),
    field: optText(raw.filter_field) ?? optText(nested.field),
    value: optText(raw.filter_value) ?? optText(nested.value),
  };
  if (filter.field && filter.value === undefined) return { error: `settings: filter field "${filter.field}" has no value to compare with` };
  return { template, delaySeconds, filter };
}

/** The longest delay accepted: Kommo's own action timers stop at a month too. */
export const MAX_DELAY_SECONDS = 31 * 24 * 3600;

const UNITS: Record<string, number> = {
  s: 1, sec: 1, secs: 1, second: 1, seconds: 1,
  m: 60, min: 60, mins: 60, minute: 60, minutes: 60,
  h: 3600, hr: 3600, hrs: 3600, hour: 3600, hours: 3600,
  d: 86400, day: 86400, days: 86400,
};

/** `90` (seconds), `30 s`, `15 minutes`, `2h`, `1 day` → seconds; null if unreadable or too long. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  if (!m) return null;
  const unit = m[2]!.toLowerCase();
  const factor = unit === '' ? 1 : UNITS[unit];
  if (factor === undefined) return null;
  const seconds = Math.round(Number(m[1]) * factor);
  return seconds <= MAX_DELAY_SECONDS ? seconds : null;
}
