/**
 * The text/plain alternative of an email, derived from its HTML with the `html-to-text` library
 * (htmlparser2 underneath): blocks become lines, list items get "- ", links keep their URL as
 * "label (url)", script/style/head vanish, entities are decoded.
 *
 * One thing the library does not bound: depth. htmlparser2 keeps its open-element stack with
 * `Array#unshift`, so N nested elements cost O(N²) to parse (100,000 nested `<div>` ≈ 7 s), and
 * html-to-text walks the tree recursively, so a deep enough document overflows the stack.
 * capNesting() removes the tags beyond MAX_NESTING open elements in one linear pass, keeping
 * their text, before the library sees the document (browsers flatten past a depth as well:
 * Blink's HTML parser stops nesting at 512).
 */
import { compile } from 'html-to-text';

/** Deeper than any real email layout (nested tables rarely pass 40). */
export const MAX_NESTING = 200;

// Elements that never have content (HTML §13.1.2): they do not open a level.
const VOID = new Set([
  'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr',
]);
// An element the parser closes when another of the same kind opens (`<p>a<p>b`, `<li>…<li>`).
const SELF_CLOSING_SIBLINGS = new Set(['p', 'li', 'dt', 'dd', 'option', 'tr', 'td', 'th']);
// How far down the stack a closing tag looks for its element; stray end tags past that are ignored.
const CLOSE_LOOKBACK = 16;

const convert = compile({
  // Lines are left as written: quoted-printable keeps the SMTP line limit, and wrapping would
  // break long links.
  wordwrap: false,
  selectors: [
    // "label (url)" and "- item", as the text part has always read.
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true, noAnchorUrl: true, linkBrackets: ['(', ')'] } },
    { selector: 'ul', options: { itemPrefix: '- ' } },
    // Images become their alt text only: a URL in brackets means nothing to a reader.
    { selector: 'img', format: 'altOnly' },
    // Layout tables are the norm in email: cells read as words in a line, not as a grid.
    { selector: 'td', format: 'inlineSurround', options: { prefix: '', suffix: ' ' } },
    { selector: 'th', format: 'inlineSurround', options: { prefix: '', suffix: ' ' } },
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((h) => ({ selector: h, options: { uppercase: false } })),
  ],
  formatters: {
    altOnly: (elem, _walk, builder) => {
      const alt = typeof elem.attribs?.alt === 'string' ? elem.attribs.alt.trim() : '';
      if (alt) builder.addInline(alt);
    },
  },
  // A second guard on the walk itself, should the parser still nest deeper than capNesting counted.
  limits: { maxDepth: MAX_NESTING * 2 },
});

export function htmlToText(html: string): string {
  // trimEnd per line, not /[ \t]+$/gm: that pattern is quadratic on a long run of spaces (<pre>).
  return convert(capNesting(html))
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trim();
}

/**
 * Drops the tags that would open more than MAX_NESTING levels (and their matching end tags),
 * keeping all text. A tag scanner, not a parser: it over-counts rather than under-counts
 * (a `<div>` inside an attribute value or a comment counts), so the parser never nests deeper.
 * Linear: every position is looked at a bounded number of times.
 */
export function capNesting(html: string): string {
  const stack: string[] = [];
  let overflow = 0;
  let out = '';
  let copied = 0;
  let nextGt = -1;
  let i = html.indexOf('<');
  while (i !== -1 && i < html.length) {
    if (nextGt < i) nextGt = html.indexOf('>', i);
    if (nextGt === -1) break;
    if (html.startsWith('<!--', i)) {
      const end = html.indexOf('-->', i + 4);
      if (end === -1) break;
      i = html.indexOf('<', end + 3);
      continue;
    }
    const m = /^<(\/?)([a-zA-Z][a-zA-Z0-9-]*)/.exec(html.slice(i, i + 66));
    // "a < b", a tag that runs into another "<" (htmlparser2 reads it as one tag as well).
    const ltBefore = html.indexOf('<', i + 1);
    if (!m || (ltBefore !== -1 && ltBefore < nextGt)) {
      i = ltBefore;
      continue;
    }
    const end = nextGt + 1;
    const name = m[2]!.toLowerCase();
    let drop = false;
    if (m[1]) {
      if (overflow > 0) {
        overflow--;
        drop = true;
      } else {
        const at = stack.lastIndexOf(name, stack.length - 1);
        if (at !== -1 && at >= stack.length - CLOSE_LOOKBACK) stack.length = at;
      }
    } else if (!VOID.has(name) && html[nextGt - 1] !== '/') {
      if (SELF_CLOSING_SIBLINGS.has(name) && stack[stack.length - 1] === name) {
        // `<p>a<p>b`: the second closes the first, the depth stays.
      } else if (stack.length >= MAX_NESTING) {
        overflow++;
        drop = true;
      } else {
        stack.push(name);
      }
    }
    if (drop) {
      out += html.slice(copied, i);
      copied = end;
    }
    i = html.indexOf('<', end);
  }
  return copied === 0 ? html : out + html.slice(copied);
}
