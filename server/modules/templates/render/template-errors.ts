/**
 * Turns Handlebars' three kinds of failure into one AppError TEMPLATE_SYNTAX whose details
 * (`{ part, line, column, message }`, both 1-based) let the editor put the cursor on the mistake:
 *  - parser errors ("Parse error on line 4: … Expecting …, got 'EOF'"): plain Errors whose
 *    message has the line only; the column comes from the lexer's last token (see lexerState);
 *  - lexer errors ("Lexical error on line 2. Unrecognized text."): position = end of the text
 *    the lexer managed to consume;
 *  - Handlebars Exceptions built from an AST node ("if doesn't match each - 2:4"), which carry
 *    `lineNumber` and a 0-based `column`.
 */
import { AppError, ErrorCode } from '../../../errors.js';
import { lexerState } from './handlebars-instance.js';
import type { RewrittenSource } from './legacy-syntax.js';

export type TemplatePart = 'subject' | 'html';

export interface TemplateSyntaxDetails {
  part: TemplatePart;
  line: number | null;
  column: number | null;
  message: string;
}

interface Position {
  line: number | null;
  column: number | null; // 1-based
  message: string;
}

const PARSE = /^Parse error on line (\d+):/;
const LEXICAL = /^Lexical error on line (\d+)\./;

function friendlyExpectation(raw: string): string {
  const last = raw.split('\n').pop() ?? raw;
  if (/got 'EOF'/.test(last)) return `The template ends inside an open block or tag: a {{/…}} or }} is missing (${last})`;
  return last;
}

function positionOf(err: unknown): Position {
  const e = err as { message?: unknown; lineNumber?: unknown; column?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (typeof e.lineNumber === 'number' && typeof e.column === 'number') {
    return { line: e.lineNumber, column: e.column + 1, message: message.replace(/ - \d+:\d+$/, '') };
  }
  const lexer = lexerState();
  const parse = PARSE.exec(message);
  if (parse) {
    const line = Number(parse[1]);
    const loc = lexer?.yylloc;
    // Trust the lexer only when it agrees with the message: guards against a Handlebars
    // upgrade changing what the lexer holds after a failure.
    const column = loc && loc.first_line === line ? loc.first_column + 1 : null;
    return { line, column, message: friendlyExpectation(message) };
  }
  const lexical = LEXICAL.exec(message);
  if (lexical) {
    const line = Number(lexical[1]);
    const consumed = lexer?.matched;
    let column: number | null = null;
    if (typeof consumed === 'string' && consumed.split('\n').length === line) {
      column = consumed.length - (consumed.lastIndexOf('\n') + 1) + 1;
    }
    return { line, column, message: 'Unrecognized text (an unclosed {{!-- comment or a stray {{ ?)' };
  }
  return { line: null, column: null, message };
}

export function templateSyntaxError(
  part: TemplatePart,
  pos: Position,
  rewritten?: RewrittenSource,
): AppError {
  const column = pos.line !== null && pos.column !== null && rewritten ? rewritten.originalColumn(pos.line, pos.column) : pos.column;
  const details: TemplateSyntaxDetails = { part, line: pos.line, column, message: pos.message };
  const where = pos.line === null ? '' : column === null ? ` at line ${pos.line}` : ` at line ${pos.line}, column ${column}`;
  return new AppError(ErrorCode.TEMPLATE_SYNTAX, `Template ${part} has an error${where}: ${pos.message}`, details);
}

/** For errors thrown by hbs.parse() and by the compiler. */
export function fromHandlebarsError(err: unknown, part: TemplatePart, rewritten?: RewrittenSource): AppError {
  return templateSyntaxError(part, positionOf(err), rewritten);
}
