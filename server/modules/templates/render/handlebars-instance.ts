/**
 * The single Handlebars environment of the application. `Handlebars.create()` isolates our
 * helpers from anything else in the process that might register on the global Handlebars.
 * Nothing may register helpers or partials on it outside helpers.ts: per-render behaviour
 * (trigger links, clock, time zone) travels in the render's data frame instead (RenderRuntime).
 */
import Handlebars from 'handlebars';
import { budgetOf, helperSignatures, registerTemplateHelpers } from './helpers.js';
import { budgetedEach } from './render-budget.js';

export const hbs = Handlebars.create();
registerTemplateHelpers(hbs);
// Every loop, including sections over lists (blockHelperMissing calls the instance's `each`),
// counts against the render's budget (render-budget.ts).
hbs.registerHelper('each', budgetedEach(hbs.helpers.each!, budgetOf));

/** Helper names a template may call; anything else is reported at compile time. */
export const knownHelperNames: ReadonlySet<string> = new Set(Object.keys(helperSignatures).filter((name) => name in hbs.helpers));

/**
 * The parser is a module-level singleton inside Handlebars (shared by every environment) and
 * throws plain Errors whose message only has the line. Its lexer still holds the position of the
 * offending token right after a failed parse; parsing is synchronous, so reading it in the catch
 * block is race-free. template-errors.ts uses this for the column.
 */
export interface HandlebarsLexerState {
  yylineno?: number;
  yylloc?: { first_line: number; first_column: number };
  matched?: string;
}

export function lexerState(): HandlebarsLexerState | undefined {
  const parser = (hbs as unknown as { Parser?: { lexer?: HandlebarsLexerState } }).Parser;
  return parser?.lexer;
}
