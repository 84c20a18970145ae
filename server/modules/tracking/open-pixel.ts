/** The open-tracking pixel: a signed, unguessable URL per email, inserted at send time. */
import type { SecretBox } from '../../infra/crypto/secret-box.js';

const PURPOSE = 'open';

/** `<emailId>.<hmac>`: the email id alone is not enough to forge an open. */
export function openToken(box: SecretBox, emailId: string): string {
  return `${emailId}.${box.sign(PURPOSE, emailId)}`;
}

export function parseOpenToken(box: SecretBox, token: string): string | null {
  const m = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{22})$/.exec(token);
  if (!m || !box.verify(PURPOSE, m[1]!, m[2]!)) return null;
  return m[1]!;
}

export function openPixelUrl(publicUrl: string, box: SecretBox, emailId: string): string {
  return `${publicUrl}/t/o/${openToken(box, emailId)}.gif`;
}

/** Before </body> when there is one, else at the end. */
export function insertOpenPixel(html: string, url: string): string {
  const img = `<img src="${url}" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0" />`;
  const i = html.search(/<\/body\s*>/i);
  return i >= 0 ? html.slice(0, i) + img + html.slice(i) : html + img;
}

/** 1×1 transparent GIF. */
export const PIXEL_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
