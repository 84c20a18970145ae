/**
 * The text/plain alternative of an email, derived from its HTML. Simple on purpose: block
 * elements become line breaks, list items get "- ", links keep their URL as "label (url)",
 * script/style/head vanish, basic entities are decoded.
 *
 * Written as an indexOf scanner rather than regexes over the whole document: bodies go up to
 * 8 MB, and lazy patterns like `<a[^>]*>[\s\S]*?<\/a>` turn quadratic on unclosed tags.
 */

const BLOCKS = new Set([
  'address', 'article', 'aside', 'blockquote', 'br', 'dd', 'div', 'dl', 'dt', 'footer', 'form',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'main', 'nav', 'ol', 'p', 'pre',
  'section', 'table', 'tbody', 'thead', 'tfoot', 'tr', 'ul',
]);
const SKIP_CONTENT = new Set(['script', 'style', 'head', 'title', 'template']);

const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', copy: '©', reg: '®', trade: '™',
  mdash: '—', ndash: '–', hellip: '…', laquo: '«', raquo: '»', lsquo: '‘', rsquo: '’',
  ldquo: '“', rdquo: '”', euro: '€', bull: '•', middot: '·',
};

export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#[xX][0-9a-fA-F]{1,6}|#\d{1,7}|[a-zA-Z]{2,8});/g, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      if (code === 0xa0) return ' ';
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[body.toLowerCase()] ?? whole;
  });
}

const HREF = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i;

export function htmlToText(html: string): string {
  let out = '';
  const openLinks: { href: string | null; start: number }[] = [];
  const text = (raw: string): void => {
    // HTML collapses runs of whitespace in text to one space.
    out += decodeEntities(raw.replace(/[ \t\r\n\f]+/g, ' '));
  };

  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt === -1) {
      text(html.slice(i));
      break;
    }
    text(html.slice(i, lt));
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end === -1 ? html.length : end + 3;
      continue;
    }
    const gt = html.indexOf('>', lt + 1);
    const m = /^<(\/?)([a-zA-Z][a-zA-Z0-9-]*)/.exec(html.slice(lt, lt + 64));
    if (gt === -1 || !m) {
      // A literal "<" in text ("a < b"), or <!DOCTYPE …>: keep "<" as text / drop the declaration.
      if (gt !== -1 && html[lt + 1] === '!') {
        i = gt + 1;
      } else {
        out += '<';
        i = lt + 1;
      }
      continue;
    }
    const closing = m[1] === '/';
    const name = m[2]!.toLowerCase();
    const tag = html.slice(lt, gt + 1);
    i = gt + 1;

    if (!closing && SKIP_CONTENT.has(name) && !tag.endsWith('/>')) {
      const close = new RegExp(`</${name}\\s*>`, 'gi');
      close.lastIndex = i;
      const found = close.exec(html);
      i = found ? found.index + found[0].length : html.length;
      continue;
    }
    if (name === 'a') {
      if (!closing) {
        const h = HREF.exec(tag);
        openLinks.push({ href: h ? decodeEntities((h[1] ?? h[2] ?? h[3] ?? '').trim()) : null, start: out.length });
      } else {
        const link = openLinks.pop();
        if (link?.href && !link.href.startsWith('#') && !/^javascript:/i.test(link.href)) {
          const label = out.slice(link.start).trim();
          const bare = link.href.replace(/^mailto:/i, '');
          if (label !== link.href && label !== bare) out += label ? ` (${bare})` : bare;
        }
      }
      continue;
    }
    // <li> starts its own line; </li> adds nothing, or lists would be double-spaced.
    if (name === 'li') out += closing ? '' : '\n- ';
    else if (name === 'td' || name === 'th') out += ' ';
    else if (BLOCKS.has(name)) out += '\n';
  }

  return out
    .split('\n')
    .map((line) => line.replace(/ {2,}/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
