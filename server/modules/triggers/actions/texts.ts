/**
 * Texts of notes, tasks and new leads: template variables (`{{lead.name}}`, rendered by the
 * template engine) and the trigger variables of seed 004 in single braces: `{subject}`,
 * `{sended_at}`, `{id}`, `{date}` (the day the trigger runs), plus whatever the event adds
 * (e.g. `{error}` of a failed send). Unknown `{names}` are left as written.
 *
 * Handlebars runs first and the single-brace variables are replaced afterwards in one pass, so a
 * subject that happens to contain `{{…}}` is printed, never evaluated as a template.
 */
import { AppError, ErrorCode, invalid } from '../../../errors.js';
import { formatInstant } from '../../templates/render/date-format.js';
import { renderPlainText, validateTemplate } from '../../templates/render/render.js';
import { buildTemplateContext } from '../../templates/render/template-context.js';
import type { PlanContext } from './types.js';

/** Accounts carry no time zone yet: dates in texts are UTC (`{sended_at}` as YYYY-MM-DD HH:mm). */
const TIME_ZONE = 'UTC';

export function triggerVariables(ctx: Pick<PlanContext, 'email' | 'vars' | 'now'>): Record<string, string> {
  return {
    subject: ctx.email?.subject ?? '',
    sended_at: ctx.email?.sentAt ? formatInstant(ctx.email.sentAt, 'YYYY-MM-DD HH:mm', TIME_ZONE) : '',
    id: ctx.email?.id ?? '',
    date: formatInstant(ctx.now, 'YYYY-MM-DD', TIME_ZONE),
    ...ctx.vars,
  };
}

export function renderTriggerText(source: string, ctx: PlanContext): string {
  const d = ctx.data;
  const context = buildTemplateContext({
    lead: d?.lead,
    contact: d?.contact,
    company: d?.company,
    responsible: d?.responsible,
    sender: d?.users.find((u) => u.id === ctx.email?.userId),
    fieldDefs: d?.fieldDefs ?? {},
    pipelines: d?.pipelines,
    now: ctx.now,
    timezone: TIME_ZONE,
  });
  const vars = triggerVariables(ctx);
  return renderPlainText(source, context, { now: ctx.now, timezone: TIME_ZONE })
    .replace(/\{([a-z_]+)\}/g, (whole, name: string) => (Object.hasOwn(vars, name) ? vars[name]! : whole))
    .trim();
}

/** Save-time check: a text that could never render is refused, naming the field and position. */
export function checkTriggerText(field: string, source: string): void {
  try {
    validateTemplate({ subject: source });
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== ErrorCode.TEMPLATE_SYNTAX) throw err;
    const d = err.details as { line?: number | null; column?: number | null; message?: string } | undefined;
    const where = d?.line ? ` (line ${d.line}${d.column ? `, column ${d.column}` : ''})` : '';
    throw invalid(field, `${d?.message ?? err.message}${where}`);
  }
}
