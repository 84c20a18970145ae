/**
 * Checks an OutgoingMessage and turns it into the options nodemailer's MailComposer builds the
 * RFC 5322 message from, plus its SMTP envelope. The message is built once, by the transport as it
 * streams it into DATA (nodemailer.transport.ts keeps those very bytes for the IMAP Sent folder: an
 * APPEND of a re-built message would differ in Date and MIME boundaries); building it into a buffer
 * first and handing that over as `raw` cost a second pass and ≈ 50 kB per mail (issue 7’s drain).
 * Bcc recipients go into the SMTP envelope only: MailComposer leaves the Bcc header out unless told
 * to keep it (RFC 5322 §3.6.3 lets the sender drop it).
 */
import crypto from 'node:crypto';
import type Mail from 'nodemailer/lib/mailer';
import { replaceDataUris } from '../text/data-uri-scan.js';
import { invalid } from '../../errors.js';
import type { AddressInput, OutgoingMessage } from './mail-transport.js';

export interface PreparedMessage {
  /** What MailComposer builds the message from (no envelope: that is below). */
  options: Mail.Options;
  /** SMTP envelope (RFC 5321 MAIL FROM / RCPT TO): To + Cc + Bcc, de-duplicated. */
  envelope: { from: string; to: string[] };
}

// Headers the composer writes from the structured fields; setting them through `headers` would
// produce duplicates or, for Bcc, disclose the hidden recipients.
const RESERVED = new Set([
  'from', 'to', 'cc', 'bcc', 'reply-to', 'subject', 'message-id', 'date', 'sender',
  'mime-version', 'content-type', 'content-transfer-encoding',
]);
// RFC 5322 §2.2: a field name is printable US-ASCII except the colon.
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;
const PRINTABLE_ASCII = /^[\x20-\x7e\t]*$/;
// RFC 5322 §2.1.1: a line must not exceed 998 characters.
const MAX_LINE = 998;

/**
 * Gmail and Outlook do not show data: URI images, so each one goes as an inline MIME part
 * referenced by cid: (what nodemailer's `attachDataUrls` does); the same image twice is one part.
 * Only image URIs in an `<img src=…>` are taken (data-uri-scan.ts: no regex over the payload).
 */
const IMG_SRC_BEFORE = /<img\b[^>]*?\ssrc\s*=\s*["']?$/i;

function inlineDataImages(html: string): { html: string; parts: { cid: string; content: Buffer; contentType: string }[] } {
  const parts = new Map<string, { cid: string; content: Buffer; contentType: string }>();
  const out = replaceDataUris(
    html,
    (uri) => {
      if (!/^image\//i.test(uri.contentType)) return null;
      // The tag before the URI, within a bounded window: `<img … src="`.
      const tagStart = html.lastIndexOf('<', uri.start);
      if (tagStart < 0 || uri.start - tagStart > 4096 || !IMG_SRC_BEFORE.test(html.slice(tagStart, uri.start))) return null;
      // Node's base64 decoder skips the line breaks an editor may have put in.
      const content = Buffer.from(uri.payload, 'base64');
      const cid = `${crypto.createHash('sha256').update(content).digest('hex').slice(0, 24)}@leadmail`;
      if (!parts.has(cid)) parts.set(cid, { cid, content, contentType: uri.contentType.toLowerCase() });
      return `cid:${cid}`;
    },
    true,
  );
  return { html: out, parts: [...parts.values()] };
}

export function prepareMessage(msg: OutgoingMessage): PreparedMessage {
  const from = checkAddress('from', msg.from);
  const to = (msg.to ?? []).map((a, i) => checkAddress(`to.${i}`, a));
  const cc = (msg.cc ?? []).map((a, i) => checkAddress(`cc.${i}`, a));
  const bcc = (msg.bcc ?? []).map((a, i) => checkAddress(`bcc.${i}`, a));
  if (to.length + cc.length + bcc.length === 0) throw invalid('to', 'at least one recipient is required');
  if (/[\r\n]/.test(msg.subject)) throw invalid('subject', 'must not contain line breaks');
  if (!msg.messageId || /[\s<>]/.test(msg.messageId.replace(/^<(.*)>$/, '$1'))) {
    throw invalid('messageId', 'must be an RFC 5322 msg-id such as <id@domain>');
  }

  const inline = inlineDataImages(msg.html);
  const options: Mail.Options = {
    from,
    to,
    cc,
    bcc,
    ...(msg.replyTo ? { replyTo: checkAddress('replyTo', msg.replyTo) } : {}),
    subject: msg.subject,
    html: inline.html,
    ...(msg.text !== undefined ? { text: msg.text } : {}),
    messageId: msg.messageId,
    headers: preparedHeaders(msg.headers ?? {}),
    attachments: [
      ...(msg.attachments ?? []).map((a) => ({
        filename: a.filename,
        content: a.content,
        ...(a.contentType ? { contentType: a.contentType } : {}),
      })),
      ...inline.parts.map((p) => ({ cid: p.cid, content: p.content, contentType: p.contentType, contentDisposition: 'inline' as const })),
    ],
    // Content comes from templates and CRM data: never let it pull in local files or URLs.
    disableFileAccess: true,
    disableUrlAccess: true,
  };

  const rcpt: string[] = [];
  const seen = new Set<string>();
  const envelopeTo = msg.envelopeTo?.map((a, i) => checkAddress(`envelopeTo.${i}`, a));
  if (envelopeTo && envelopeTo.length === 0) throw invalid('envelopeTo', 'at least one recipient is required');
  for (const a of envelopeTo ?? [...to, ...cc, ...bcc]) {
    const key = a.address.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      rcpt.push(a.address);
    }
  }
  return { options, envelope: { from: from.address, to: rcpt } };
}

function checkAddress(field: string, input: AddressInput): { name: string; address: string } {
  const { name = '', address } = typeof input === 'string' ? { address: input } : input;
  const addr = address.trim();
  // A bare addr-spec (RFC 5321 §4.1.2 Mailbox); CR/LF or brackets would let CRM data inject
  // headers or extra recipients.
  if (!/^[^\s@<>,;"]+@[^\s@<>,;"]+$/.test(addr)) throw invalid(field, 'is not a valid email address');
  if (/[\r\n]/.test(name)) throw invalid(field, 'name must not contain line breaks');
  return { name, address: addr };
}

type HeaderValue = string | { prepared: true; value: string };

function preparedHeaders(headers: Record<string, string>): Record<string, HeaderValue> {
  const out: Record<string, HeaderValue> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!FIELD_NAME.test(name)) throw invalid(`headers.${name}`, 'is not a valid header name');
    if (RESERVED.has(name.toLowerCase())) throw invalid(`headers.${name}`, 'is set from the message fields, not as a header');
    if (/[\r\n]/.test(value)) throw invalid(`headers.${name}`, 'must not contain line breaks');
    // ASCII values go out exactly as given, unfolded: RFC 8058 senders must not fold
    // List-Unsubscribe, and some receivers mis-read folded URLs. Non-ASCII or over-long values
    // are left to nodemailer to encode (RFC 2047) and fold.
    out[name] = PRINTABLE_ASCII.test(value) && name.length + 2 + value.length <= MAX_LINE ? { prepared: true, value } : value;
  }
  return out;
}
