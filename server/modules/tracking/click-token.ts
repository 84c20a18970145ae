/**
 * Signed click URLs: `/t/c/<emailId>.<linkId>.<hmac>`. The email id makes the URL unique per
 * mail (one email row = one recipient entity); the HMAC means nobody can mint a click for a mail
 * or a link they did not receive. Link id 0 is the honeypot (honeypot.ts): it looks exactly like
 * a real trigger link, so a scanner cannot tell which one to skip.
 */
import type { SecretBox } from '../../infra/crypto/secret-box.js';

const PURPOSE = 'click';
const PREVIEW_PURPOSE = 'click-preview';
export const HONEYPOT_LINK_ID = 0;

export type ClickTarget = { kind: 'email'; emailId: string; linkId: number } | { kind: 'preview'; linkId: number };

export function clickToken(box: SecretBox, emailId: string, linkId: number): string {
  return `${emailId}.${linkId}.${box.sign(PURPOSE, `${emailId}.${linkId}`)}`;
}

/** For previews: lands where the link would, but records and fires nothing (no email exists). */
export function previewClickToken(box: SecretBox, linkId: number): string {
  return `preview.${linkId}.${box.sign(PREVIEW_PURPOSE, String(linkId))}`;
}

export function clickUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/t/c/${token}`;
}

export function parseClickToken(box: SecretBox, token: string): ClickTarget | null {
  const m = /^([0-9a-f-]{36}|preview)\.(\d{1,15})\.([A-Za-z0-9_-]{22})$/.exec(token);
  if (!m) return null;
  const [, who, id, sig] = m as unknown as [string, string, string, string];
  const linkId = Number(id);
  if (who === 'preview') return box.verify(PREVIEW_PURPOSE, String(linkId), sig) && linkId > 0 ? { kind: 'preview', linkId } : null;
  return box.verify(PURPOSE, `${who}.${id}`, sig) ? { kind: 'email', emailId: who, linkId } : null;
}

/**
 * A body rendered for one email with its click URLs signed again for another (a resend keeps the
 * rendered body, but a click must count for the mail that was clicked). Only genuine tokens of
 * `fromEmailId` are replaced; anything else in the body is left as it is.
 */
export function rebindClickTokens(box: SecretBox, html: string, fromEmailId: string, toEmailId: string): string {
  const from = fromEmailId.replace(/[^0-9a-f-]/g, '');
  return html.replace(new RegExp(`/t/c/(${from})\\.(\\d{1,15})\\.([A-Za-z0-9_-]{22})(?![A-Za-z0-9_-])`, 'g'), (m: string, id: string, link: string, sig: string) =>
    box.verify(PURPOSE, `${id}.${link}`, sig) ? `/t/c/${clickToken(box, toEmailId, Number(link))}` : m,
  );
}
