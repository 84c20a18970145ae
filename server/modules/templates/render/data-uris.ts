/**
 * Pasted images reach templates as `data:` URIs of several megabytes (compose allows 5 MB each).
 * They hold no Handlebars, but the Handlebars lexer runs its regular expressions over them, and
 * V8 may give up on a multi-megabyte match with "Maximum call stack size exceeded" — seen only
 * once the expression had been tiered up to native code, i.e. in a long-running process, so a
 * mail with a pasted image failed as a "template error" at random. Each long one is swapped for a
 * short placeholder before compiling and put back after rendering. The placeholder carries a
 * per-process random tag, so text a user types can never be mistaken for one. (Columns in error
 * messages count a swapped image as its placeholder; line numbers are exact: base64 has no breaks.)
 */
import { randomBytes } from 'node:crypto';
import { replaceDataUris } from '../../../infra/text/data-uri-scan.js';

const TAG = randomBytes(6).toString('hex');
const LONG = 1024;
const PLACEHOLDER = new RegExp(`leadmail-data-uri-${TAG}-(\\d+)`, 'g');

export interface MaskedSource {
  source: string;
  uris: string[];
}

export function maskDataUris(source: string): MaskedSource {
  const uris: string[] = [];
  const masked = replaceDataUris(source, (uri) =>
    uri.payload.length < LONG ? null : `leadmail-data-uri-${TAG}-${uris.push(source.slice(uri.start, uri.end)) - 1}`,
  );
  return { source: masked, uris };
}

export function unmaskDataUris(rendered: string, uris: string[]): string {
  if (uris.length === 0) return rendered;
  return rendered.replace(PLACEHOLDER, (whole, i: string) => uris[Number(i)] ?? whole);
}
