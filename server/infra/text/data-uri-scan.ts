/**
 * Finds `data:<type>;base64,<payload>` URIs in HTML without a regular expression running over the
 * payload. Pasted images are megabytes of base64, and V8 can give up on a regex loop over such a
 * run with "Maximum call stack size exceeded" (its backtracking stack) — seen at random in long
 * test runs, as a 400 from the template check and as a 500 from composing the mail. Here a
 * short regex reads only the bounded `data:…;base64,` head and a plain loop walks the payload.
 */
const HEAD = /^data:([\w.+-]+\/[\w.+-]+);base64,/i;

export interface DataUri {
  /** Index of `d` in `data:` and one past the payload's last character. */
  start: number;
  end: number;
  contentType: string;
  /** The base64 payload as written (it may hold whitespace where `allowSpace`). */
  payload: string;
}

function isBase64(code: number, allowSpace: boolean): boolean {
  return (
    (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || (code >= 48 && code <= 57) ||
    code === 43 || code === 47 || code === 61 ||
    (allowSpace && (code === 32 || code === 9 || code === 10 || code === 13))
  );
}

export function* dataUris(text: string, allowSpace = false): Generator<DataUri> {
  let from = 0;
  for (;;) {
    const start = text.indexOf('data:', from);
    if (start < 0) return;
    const head = HEAD.exec(text.slice(start, start + 200));
    if (!head) {
      from = start + 5;
      continue;
    }
    let end = start + head[0].length;
    while (end < text.length && isBase64(text.charCodeAt(end), allowSpace)) end++;
    yield { start, end, contentType: head[1]!, payload: text.slice(start + head[0].length, end) };
    from = end;
  }
}

/** `text` with each data: URI replaced by what `replace` returns for it (linear time). */
export function replaceDataUris(text: string, replace: (uri: DataUri) => string | null, allowSpace = false): string {
  let out = '';
  let last = 0;
  for (const uri of dataUris(text, allowSpace)) {
    const next = replace(uri);
    if (next === null) continue;
    out += text.slice(last, uri.start) + next;
    last = uri.end;
  }
  return last === 0 ? text : out + text.slice(last);
}
