/**
 * Pre-processing of the replaced product's placeholder syntax (seed 004, "Trigger links":
 * `<a href="{triggerlink:8}">`) into our Handlebars helper call `{{triggerlink 8}}`, so
 * templates imported from it keep working. Other legacy placeholders ({formlink}, {weblink},
 * {web:N}) are not handled yet; this is the place to add them.
 *
 * Accepted spellings:
 *   {triggerlink:8}        the documented form
 *   {{triggerlink:8}}      a natural slip once authors know our `{{…}}` syntax; Handlebars would
 *                          read `triggerlink:8` as a (missing) variable and print nothing
 *   %7Btriggerlink:8%7D    what WYSIWYG editors make of braces inside href="…"
 *
 * The rewrite changes lengths, so it also returns a column mapper: syntax errors must point at
 * the author's text, not ours.
 */

const PATTERN =
  /(?<!\{)\{\{[ \t]*triggerlink[ \t]*:[ \t]*(\d+)[ \t]*\}\}(?!\})|(?<!\{)\{[ \t]*triggerlink[ \t]*:[ \t]*(\d+)[ \t]*\}(?!\})|%7Btriggerlink(?::|%3A)(\d+)%7D/gi;

interface Replacement {
  line: number; // 1-based
  end: number; // 0-based column in the ORIGINAL line, just past the replaced text
  delta: number; // rewritten length minus original length
}

export interface RewrittenSource {
  source: string;
  /** Maps a 1-based column on a 1-based line of the rewritten source back to the original. */
  originalColumn(line: number, column: number): number;
}

export function rewriteLegacyPlaceholders(input: string): RewrittenSource {
  const replacements: Replacement[] = [];
  // Line bookkeeping advances monotonically with the match offsets, so this stays linear.
  let line = 1;
  let lineStart = 0;
  let scanned = 0;
  const source = input.replace(PATTERN, (match: string, a?: string, b?: string, c?: string, ...rest: unknown[]) => {
    const offset = rest[0] as number;
    for (let i = input.indexOf('\n', scanned); i !== -1 && i < offset; i = input.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    scanned = offset;
    const replacement = `{{triggerlink ${a ?? b ?? c}}}`;
    replacements.push({ line, end: offset - lineStart + match.length, delta: replacement.length - match.length });
    return replacement;
  });

  const originalColumn = (errLine: number, column: number): number => {
    let shift = 0;
    for (const r of replacements) {
      if (r.line !== errLine) continue;
      // r.end + shift + r.delta is where this replacement ends in the rewritten line (0-based).
      if (column - 1 >= r.end + shift + r.delta) shift += r.delta;
      else break;
    }
    return Math.max(1, column - shift);
  };
  return { source, originalColumn };
}
