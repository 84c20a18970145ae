/**
 * Static limits checked before Handlebars sees a template. Its parser and compiler are slow on
 * hostile shapes, long before the 8 MB body limit: 1,000 nested `{{#if}}` take seconds to parse
 * and compile and 3,000 overflow the stack; 20,000 blocks in a row take 8 s to compile. No email
 * template needs more than a few hundred expressions or a handful of nested blocks, so both are
 * capped here with one linear scan (indexOf only moves forward, so hostile input stays linear).
 */
import { AppError, ErrorCode } from '../../../errors.js';
import type { TemplatePart } from './template-errors.js';

/** `{{…}}` expressions plus `(…)` sub-expressions in one subject or body. */
export const MAX_EXPRESSIONS = 2_000;
/** Blocks inside blocks, and sub-expressions inside sub-expressions. */
export const MAX_NESTING = 30;

function refuse(part: TemplatePart, message: string, details: Record<string, unknown>): never {
  throw new AppError(ErrorCode.TEMPLATE_TOO_COMPLEX, `Template ${part} is too complex: ${message}`, { part, ...details });
}

function lineAt(source: string, index: number): number {
  let line = 1;
  for (let i = source.indexOf('\n'); i !== -1 && i < index; i = source.indexOf('\n', i + 1)) line++;
  return line;
}

export function assertWithinStaticLimits(source: string, part: TemplatePart): void {
  let expressions = 0;
  let depth = 0;
  let i = source.indexOf('{{');
  while (i !== -1) {
    if (++expressions > MAX_EXPRESSIONS) {
      refuse(part, `more than ${MAX_EXPRESSIONS} {{…}} expressions`, { limit: MAX_EXPRESSIONS, line: lineAt(source, i) });
    }
    let j = i + 2;
    if (source[j] === '~') j++;
    const kind = source[j];
    // Comments may contain braces; skip them whole ({{!-- … --}} ends at the first --}}).
    const end = kind === '!' && source.startsWith('--', j + 1) ? source.indexOf('--', j + 3) : source.indexOf('}}', j);
    if (end === -1) return; // unclosed: the parser reports it with its position
    if (kind === '#' || (kind === '^' && source[j + 1] !== '}' && source[j + 1] !== '~')) {
      if (++depth > MAX_NESTING) refuse(part, `blocks nested more than ${MAX_NESTING} deep`, { limit: MAX_NESTING, line: lineAt(source, i) });
    } else if (kind === '/') {
      depth = Math.max(0, depth - 1);
    }
    if (kind !== '!') {
      let parens = 0;
      for (let k = j; k < end; k++) {
        const c = source.charCodeAt(k);
        if (c === 40 /* ( */) {
          expressions++;
          if (++parens > MAX_NESTING) refuse(part, `sub-expressions nested more than ${MAX_NESTING} deep`, { limit: MAX_NESTING, line: lineAt(source, i) });
        } else if (c === 41 /* ) */) {
          parens = Math.max(0, parens - 1);
        }
      }
    }
    if (expressions > MAX_EXPRESSIONS) refuse(part, `more than ${MAX_EXPRESSIONS} {{…}} expressions`, { limit: MAX_EXPRESSIONS, line: lineAt(source, i) });
    i = source.indexOf('{{', end + 2);
  }
}
