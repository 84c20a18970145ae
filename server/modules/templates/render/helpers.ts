/**
 * Every helper a template may call, registered in one place (handlebars-instance.ts).
 *
 *   {{date}}                          today, YYYY-MM-DD, in the render's time zone
 *   {{date lead.created_at "DD.MM.YYYY"}}   any date-ish value re-formatted (date-format.ts tokens)
 *   {{date "now" "DD.MM.YYYY HH:mm"}}  the render's current time
 *   {{default contact.first_name "customer"}}  fallback when the value is empty
 *   {{#if (eq lead.status_id 142)}}…{{/if}}    equality as a value
 *   {{#if_eq lead.fields.[Source] "Web"}}…{{else}}…{{/if_eq}}  equality as a block
 *   {{upper contact.name}} {{lower contact.email}}
 *   {{triggerlink 8}}                 tracked link URL; resolved per render (see RenderRuntime)
 *
 * Helpers return plain strings, never SafeString: in the HTML body Handlebars escapes what they
 * return, so a helper can never smuggle CRM data in unescaped.
 */
import type { HelperDelegate, HelperOptions } from 'handlebars';
import { AppError, ErrorCode } from '../../../errors.js';
import { DEFAULT_DATE_FORMAT, formatParts, parseDateInput } from './date-format.js';
import { RenderBudget } from './render-budget.js';

/** Resolves `{{triggerlink N}}` to the tracked URL for this email (issue: trigger links). */
export interface TriggerLinkResolver {
  triggerlink(id: number): string;
}

/**
 * Per-render state the helpers read from Handlebars' `data` frame (`options.data[RUNTIME_KEY]`).
 * It travels with each render call instead of living on the shared instance, so concurrent
 * renders for different emails can never see each other's links or clocks. Handlebars copies
 * the data frame into nested blocks (`#each`, `#with`), so helpers find it at any depth.
 */
export interface RenderRuntime {
  links?: TriggerLinkResolver;
  timeZone: string;
  now: Date;
  /** Loop iterations, output and time left for this render (render-budget.ts). */
  budget?: RenderBudget;
}

export const RUNTIME_KEY = 'leadmail';

/** Handlebars passes `loc` to helpers at runtime; the bundled typings omit it. */
type Options = HelperOptions & {
  name?: string;
  loc?: { start: { line: number; column: number } };
};

/**
 * A helper used the wrong way. render.ts turns it into TEMPLATE_SYNTAX with the part and the
 * position Handlebars gave the helper call.
 */
export class TemplateUsageError extends Error {
  constructor(
    message: string,
    readonly line: number | null,
    readonly column: number | null,
  ) {
    super(message);
    this.name = 'TemplateUsageError';
  }
}

function usageError(options: Options, message: string): TemplateUsageError {
  const start = options.loc?.start;
  // Handlebars columns are 0-based; we report 1-based like every editor's status bar.
  return new TemplateUsageError(message, start?.line ?? null, start ? start.column + 1 : null);
}

function split(args: unknown[]): { params: unknown[]; options: Options } {
  return { params: args.slice(0, -1), options: args[args.length - 1] as Options };
}

function runtimeOf(options: Options): RenderRuntime {
  const data = options.data as Record<string, unknown> | undefined;
  const rt = data?.[RUNTIME_KEY] as RenderRuntime | undefined;
  return rt ?? { timeZone: 'UTC', now: new Date() };
}

/** The render's budget; a render without one (never from render.ts) gets a fresh default one. */
export function budgetOf(options: HelperOptions): RenderBudget {
  const rt = (options.data as Record<string, unknown> | undefined)?.[RUNTIME_KEY] as RenderRuntime | undefined;
  if (!rt) return new RenderBudget();
  return (rt.budget ??= new RenderBudget());
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  return false;
}

/** CRM custom fields arrive as strings, template literals as numbers: 5 and "5" are equal. */
function looselyEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const primitive = (v: unknown): boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  return primitive(a) && primitive(b) && String(a) === String(b);
}

const text = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

const date: HelperDelegate = (...args: unknown[]) => {
  const { params, options } = split(args);
  const rt = runtimeOf(options);
  const value = params.length === 0 ? 'now' : params[0];
  const format = params[1] === undefined ? DEFAULT_DATE_FORMAT : params[1];
  if (typeof format !== 'string') throw usageError(options, 'date: the format must be a string, e.g. "DD.MM.YYYY"');
  if (isEmpty(value)) return '';
  const parts = parseDateInput(value, rt.now, rt.timeZone);
  // An unreadable value is shown as written rather than silently dropped from the email.
  return parts ? formatParts(parts, format) : text(value);
};

const fallback: HelperDelegate = (...args: unknown[]) => {
  const { params, options } = split(args);
  if (params.length !== 2) throw usageError(options, helperSignatures.default!.usage);
  return text(isEmpty(params[0]) ? params[1] : params[0]);
};

const eq: HelperDelegate = (...args: unknown[]) => {
  const { params, options } = split(args);
  if (params.length !== 2) throw usageError(options, helperSignatures.eq!.usage);
  return looselyEqual(params[0], params[1]);
};

const ifEq: HelperDelegate = function (this: unknown, ...args: unknown[]) {
  const { params, options } = split(args);
  if (params.length !== 2 || typeof options.fn !== 'function') {
    throw usageError(options, helperSignatures.if_eq!.usage);
  }
  return looselyEqual(params[0], params[1]) ? options.fn(this) : options.inverse(this);
};

const upper: HelperDelegate = (...args: unknown[]) => text(split(args).params[0]).toUpperCase();
const lower: HelperDelegate = (...args: unknown[]) => text(split(args).params[0]).toLowerCase();

const triggerlink: HelperDelegate = (...args: unknown[]) => {
  const { params, options } = split(args);
  const id = typeof params[0] === 'string' ? Number(params[0]) : params[0];
  if (params.length !== 1 || typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) {
    throw usageError(options, helperSignatures.triggerlink!.usage);
  }
  const links = runtimeOf(options).links;
  if (!links) {
    // Not a template mistake: the caller rendered without wiring trigger links (e.g. a preview
    // path that forgot to). Failing loudly beats mailing a link that goes nowhere.
    throw new AppError(
      ErrorCode.VALIDATION,
      `The template uses {{triggerlink ${id}}} but this render has no trigger link resolver (options.links)`,
      { helper: 'triggerlink', id },
    );
  }
  try {
    return links.triggerlink(id);
  } catch (err) {
    // The resolver knows which ids exist but not where the helper stands in the template.
    if (err instanceof TemplateUsageError && err.line === null) throw usageError(options, err.message);
    throw err;
  }
};

/**
 * How each helper a template may call is called, checked on every call in a template when it is
 * saved (render.ts), so `{{triggerlink}}` or `{{upper a b}}` is refused then, not on every send.
 * Handlebars' own helpers are listed too; its internal ones (helperMissing, blockHelperMissing,
 * log) are not, so a template cannot call them.
 */
export interface HelperSignature {
  /** Positional arguments accepted. */
  min: number;
  max: number;
  /** 'block' = only as {{#name}}…{{/name}}; 'inline' = only as {{name}} or (name); 'any'. */
  form: 'block' | 'inline' | 'any';
  usage: string;
}

export const helperSignatures: Readonly<Record<string, HelperSignature>> = {
  date: { min: 0, max: 2, form: 'inline', usage: 'date takes an optional value and format: {{date lead.created_at "DD.MM.YYYY"}}' },
  default: { min: 2, max: 2, form: 'inline', usage: 'default needs a value and a fallback: {{default contact.name "customer"}}' },
  eq: { min: 2, max: 2, form: 'inline', usage: 'eq compares two values: {{#if (eq a b)}}' },
  if_eq: { min: 2, max: 2, form: 'block', usage: 'if_eq is a block with two values: {{#if_eq a b}}…{{else}}…{{/if_eq}}' },
  upper: { min: 1, max: 1, form: 'inline', usage: 'upper takes one value: {{upper contact.name}}' },
  lower: { min: 1, max: 1, form: 'inline', usage: 'lower takes one value: {{lower contact.email}}' },
  triggerlink: { min: 1, max: 1, form: 'inline', usage: 'triggerlink takes one trigger link id: {{triggerlink 8}}' },
  if: { min: 1, max: 1, form: 'block', usage: 'if is a block with one value: {{#if lead.price}}…{{/if}}' },
  unless: { min: 1, max: 1, form: 'block', usage: 'unless is a block with one value: {{#unless lead.price}}…{{/unless}}' },
  each: { min: 1, max: 1, form: 'block', usage: 'each is a block over one list: {{#each lead.tags}}…{{/each}}' },
  with: { min: 1, max: 1, form: 'block', usage: 'with is a block with one value: {{#with contact}}…{{/with}}' },
  lookup: { min: 2, max: 2, form: 'inline', usage: 'lookup takes an object and a key: {{lookup lead.fields "Budget"}}' },
};

export const templateHelpers: Readonly<Record<string, HelperDelegate>> = {
  date,
  default: fallback,
  eq,
  if_eq: ifEq,
  upper,
  lower,
  triggerlink,
};

/** The one place helpers are registered; called once by handlebars-instance.ts. */
export function registerTemplateHelpers(env: { registerHelper(name: string, fn: HelperDelegate): void }): void {
  for (const [name, fn] of Object.entries(templateHelpers)) env.registerHelper(name, fn);
}
