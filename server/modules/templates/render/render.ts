/**
 * Renders a template (subject + HTML body) against a context from buildTemplateContext().
 *
 * Escaping: the HTML body is the author's HTML, so it is compiled as a Handlebars template with
 * escaping ON: every `{{value}}` from the CRM is HTML-escaped (a contact named `<script>` stays
 * text). The subject is a plain-text header, so it is compiled with `noEscape`: "Tom & Jerry"
 * must not arrive as "Tom &amp; Jerry". The signature is appended raw afterwards (signature.ts).
 *
 * Missing variables render empty (`strict: false`): CRM records are routinely incomplete and an
 * email with a blank beats an email that never goes out. Mistakes in the template itself
 * (syntax, unknown helpers, partials) fail with TEMPLATE_SYNTAX and a line/column.
 */
import { createHash } from 'node:crypto';
import type { TemplateDelegate } from 'handlebars';
import { AppError, ErrorCode } from '../../../errors.js';
import { assertTimeZone, DEFAULT_TIMEZONE } from './date-format.js';
import { hbs, knownHelperNames } from './handlebars-instance.js';
import { helperSignatures, RUNTIME_KEY, TemplateUsageError, type RenderRuntime, type TriggerLinkResolver } from './helpers.js';
import { htmlToText } from './html-to-text.js';
import { rewriteLegacyPlaceholders, type RewrittenSource } from './legacy-syntax.js';
import { LruCache } from './lru-cache.js';
import { DEFAULT_RENDER_LIMITS, RenderBudget, RenderBudgetExceeded } from './render-budget.js';
import { applySignature } from './signature.js';
import { maskDataUris, unmaskDataUris } from './data-uris.js';
import { assertWithinStaticLimits } from './template-limits.js';
import { fromHandlebarsError, templateSyntaxError, type TemplatePart } from './template-errors.js';

/** "The maximum size of the email body (text and HTML code) should not exceed 8 MB" (seed 004). */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface TemplateSource {
  subject: string;
  html: string;
}

export interface RenderOptions {
  /** Resolves `{{triggerlink N}}`; without it a template using trigger links fails (VALIDATION). */
  links?: TriggerLinkResolver;
  /** The sender's signature; skipped when null/empty or when the template disables it. */
  signature?: { html: string | null; disabled?: boolean };
  /** IANA zone for the `date` helper (use the account's); default UTC. */
  timezone?: string;
  /** The clock for `{{date}}` / `{{date "now"}}`; default the current time. */
  now?: Date;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

// 500 templates or 64 MiB of template source, whichever comes first (see lru-cache.ts).
const cache = new LruCache<TemplateDelegate>(500, 64 * 1024 * 1024);

export function templateCacheStats(): { size: number; hits: number; misses: number } {
  return { size: cache.size, hits: cache.hits, misses: cache.misses };
}

export function clearTemplateCache(): void {
  cache.clear();
}

function assertBodySize(field: string, values: string[], stage: 'template' | 'rendered'): void {
  const bytes = values.reduce((sum, v) => sum + Buffer.byteLength(v, 'utf8'), 0);
  if (bytes > MAX_BODY_BYTES) {
    throw new AppError(
      ErrorCode.PAYLOAD_TOO_LARGE,
      `${field}: the ${stage === 'template' ? 'template body' : 'rendered email body'} is ${bytes} bytes; the limit is ${MAX_BODY_BYTES} (8 MB)`,
      { field, stage, bytes, limit: MAX_BODY_BYTES },
    );
  }
}

interface AstNode {
  type: string;
  loc?: { start: { line: number; column: number } } | null;
  path?: { type: string; data?: boolean; depth?: number; parts?: string[]; original?: unknown };
  params?: unknown[];
  hash?: { pairs?: unknown[] } | null;
  escaped?: boolean;
}

function walk(node: unknown, visit: (n: AstNode) => void): void {
  if (Array.isArray(node)) {
    for (const child of node) walk(child, visit);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const n = node as AstNode & Record<string, unknown>;
  if (typeof n.type === 'string') visit(n);
  for (const [key, value] of Object.entries(n)) {
    if (key !== 'loc' && key !== 'strip' && value && typeof value === 'object') walk(value, visit);
  }
}

const HELPER_LIST = [...knownHelperNames].join(', ');

/**
 * A call of a known helper with the wrong number of values or in the wrong form: Handlebars would
 * call it anyway and the helper would fail on every send (`{{triggerlink}}`, `{{upper a b}}`).
 */
function misuse(name: string, form: 'block' | 'inline', given: number): string | null {
  const sig = helperSignatures[name];
  if (!sig) return null;
  if (form === 'block' && sig.form === 'inline') return `${name} cannot be a block ({{#${name}}}): ${sig.usage}`;
  if (form === 'inline' && sig.form === 'block') return `${name} must be a block ({{#${name} …}}…{{/${name}}}): ${sig.usage}`;
  if (given < sig.min || given > sig.max) return `${sig.usage} (given ${given} value${given === 1 ? '' : 's'})`;
  return null;
}

/**
 * Catches at save time what Handlebars would only report while sending: a call to a helper
 * that does not exist (`{{formatMoney lead.price}}` → "Missing helper" on every send), a known
 * helper called with the wrong number of values, and partials/decorators, which we never register.
 */
function checkAst(ast: unknown, part: TemplatePart, rewritten: RewrittenSource): void {
  walk(ast, (n) => {
    const fail = (message: string): never => {
      const start = n.loc?.start;
      throw templateSyntaxError(part, { line: start?.line ?? null, column: start ? start.column + 1 : null, message }, rewritten);
    };
    if (n.type === 'PartialStatement' || n.type === 'PartialBlockStatement') fail('Partials ({{> name}}) are not supported');
    if (n.type === 'Decorator' || n.type === 'DecoratorBlock') fail('Decorators ({{* name}}) are not supported');
    if (n.type !== 'MustacheStatement' && n.type !== 'SubExpression' && n.type !== 'BlockStatement') return;
    // {{{x}}} / {{& x}} in the body would put CRM data into the HTML unescaped: a contact named
    // "<a href=…>" could then rewrite the company's own email. The subject is plain text anyway.
    if (part === 'html' && n.type === 'MustacheStatement' && n.escaped === false) {
      fail('{{{…}}} would insert CRM data as raw HTML; use {{…}} (values are escaped, the template\'s own HTML is kept)');
    }
    const p = n.path;
    const simple = p?.type === 'PathExpression' && !p.data && p.depth === 0 && p.parts?.length === 1;
    const name = p?.original === undefined ? '?' : String(p.original);
    const given = n.params?.length ?? 0;
    // A simple name that is a helper is a call even without values (`{{triggerlink}}`): check it.
    if (simple && knownHelperNames.has(name)) {
      const problem = misuse(name, n.type === 'BlockStatement' ? 'block' : 'inline', given);
      if (problem) fail(problem);
      return;
    }
    // With values, `{{x a}}` is a helper call, and `(x)` always is; Handlebars would fail on
    // every send (or throw a bare TypeError for paths like `{{lead.name "a"}}`), so refuse it now.
    const hasArgs = given > 0 || (n.hash?.pairs?.length ?? 0) > 0;
    if (hasArgs || n.type === 'SubExpression') fail(`Unknown helper "${name}". Available: ${HELPER_LIST}`);
  });
}

function compile(source: string, part: TemplatePart): TemplateDelegate {
  const key = createHash('sha256').update(part).update('\0').update(source).digest('hex');
  const hit = cache.get(key);
  if (hit) return hit;
  const rewritten = rewriteLegacyPlaceholders(source);
  // Before parsing: Handlebars' parser itself is what hostile nesting makes slow.
  assertWithinStaticLimits(rewritten.source, part);
  let ast: unknown;
  try {
    ast = hbs.parse(rewritten.source);
  } catch (err) {
    throw fromHandlebarsError(err, part, rewritten);
  }
  checkAst(ast, part, rewritten);
  // Compiled from the string rather than the AST: hbs.compile(ast) would run the whitespace
  // pass a second time over an already processed tree.
  const fn = hbs.compile(rewritten.source, { noEscape: part === 'subject', strict: false });
  cache.set(key, fn, source.length);
  return fn;
}

/** Throws TEMPLATE_SYNTAX / PAYLOAD_TOO_LARGE for a template that could never render; use on save. */
export function validateTemplate(template: Partial<TemplateSource>): void {
  if (template.html !== undefined) {
    assertBodySize('html', [template.html], 'template');
    compile(maskDataUris(template.html).source, 'html');
  }
  if (template.subject !== undefined) compile(template.subject, 'subject');
}

function tooComplex(err: RenderBudgetExceeded, part: TemplatePart, source: string): AppError {
  const what = {
    iterations: `more than ${err.limit} loop iterations ({{#each}})`,
    output: `more than ${err.limit} characters from one loop`,
    time: `more than ${err.limit} ms`,
  }[err.reason];
  const column = err.line !== null && err.column !== null ? rewriteLegacyPlaceholders(source).originalColumn(err.line, err.column) : null;
  const where = err.line === null ? '' : ` (the loop at line ${err.line}${column === null ? '' : `, column ${column}`})`;
  return new AppError(ErrorCode.TEMPLATE_TOO_COMPLEX, `Template ${part} is too expensive to render: it takes ${what}${where}; nest fewer loops or loop over smaller lists`, {
    part,
    reason: err.reason,
    limit: err.limit,
    line: err.line,
    column,
  });
}

function run(fn: TemplateDelegate, source: string, context: object, part: TemplatePart, shared: RenderRuntime): string {
  // One budget per part rendered: subject and body each get the whole budget.
  const runtime: RenderRuntime = { ...shared, budget: new RenderBudget(DEFAULT_RENDER_LIMITS) };
  try {
    return fn(context, {
      data: { [RUNTIME_KEY]: runtime },
      // Explicit although these are Handlebars' defaults: templates must only ever read own
      // data properties, never prototype members such as constructor or __proto__.
      allowProtoPropertiesByDefault: false,
      allowProtoMethodsByDefault: false,
    });
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (err instanceof RenderBudgetExceeded) throw tooComplex(err, part, source);
    // Positions refer to the rewritten source; redoing the (cheap) rewrite maps them back.
    if (err instanceof TemplateUsageError) {
      const pos = { line: err.line, column: err.column, message: err.message };
      throw templateSyntaxError(part, pos, rewriteLegacyPlaceholders(source));
    }
    // Runtime Exceptions ("Must pass iterator to #each") are template mistakes as well.
    if (err instanceof hbs.Exception) throw fromHandlebarsError(err, part, rewriteLegacyPlaceholders(source));
    throw err;
  }
}

/**
 * Plain text for the CRM (trigger notes, task texts, lead names): compiled like the subject
 * (unescaped, same helpers and checks) but line breaks are kept, since a note is not a header.
 */
export function renderPlainText(source: string, context: object, options: Pick<RenderOptions, 'timezone' | 'now'> = {}): string {
  const timeZone = options.timezone ?? DEFAULT_TIMEZONE;
  assertTimeZone(timeZone);
  return run(compile(source, 'subject'), source, context, 'subject', { timeZone, now: options.now ?? new Date() });
}

export function renderTemplate(template: TemplateSource, context: object, options: RenderOptions = {}): RenderedEmail {
  assertBodySize('html', [template.html], 'template');
  const timeZone = options.timezone ?? DEFAULT_TIMEZONE;
  assertTimeZone(timeZone);
  const runtime: RenderRuntime = { links: options.links, timeZone, now: options.now ?? new Date() };

  const subjectFn = compile(template.subject, 'subject');
  const images = maskDataUris(template.html);
  const htmlFn = compile(images.source, 'html');
  // A subject is one header line: CR/LF from a CRM value must not end up in it.
  const subject = run(subjectFn, template.subject, context, 'subject', runtime).replace(/\s*[\r\n]+\s*/g, ' ').trim();
  const body = unmaskDataUris(run(htmlFn, images.source, context, 'html', runtime), images.uris);
  const html = applySignature(body, options.signature?.html ?? null, options.signature?.disabled ?? false);
  assertBodySize('html', [html], 'rendered');
  const text = htmlToText(html);
  // The limit covers text and HTML together (seed 004).
  assertBodySize('html', [html, text], 'rendered');
  return { subject, html, text };
}
