/**
 * The ONE place that decides what a failed SMTP send or check means (shared/docs/sending-rules.md):
 *
 * - `transient`: try the same message again later (4yz replies per RFC 5321 §4.2.1, dropped or
 *   refused connections, timeouts, a DNS resolver that did not answer). Only these back off.
 * - `auth`: the mailbox itself is unusable until its owner acts — wrong password, revoked token,
 *   Microsoft basic auth turned off, or (while sending) settings that no longer work: unknown
 *   host, TLS mismatch, untrusted certificate. Pause the mailbox's queue and mark it red instead
 *   of burning every queued message on the same error.
 * - `permanent`: this message will never go through as it is (5yz replies, RFC 5321 §4.2.1):
 *   fail it at once and fire the "failed" triggers.
 * - `unknown`: the whole message went out (the final dot) and the connection ended or timed out
 *   before the server's reply. The server may have taken it (RFC 1047: a lost reply to the dot
 *   is how duplicates happen), so it is never retried: the sender looks for it in the Sent
 *   folder, else marks it `unknown` (interrupted-sends.ts). Only a send that did not get that far
 *   is `transient`.
 *
 * `serverText` is what the server said, verbatim (or the system's error text when no server
 * answered); `hint` says the same in plain language. Both are meant for the user; neither holds
 * a password (nodemailer never echoes credentials into errors).
 */
import { AppError } from '../../errors.js';
import { HOST_NOT_ALLOWED_HINT, HostNotAllowedError } from '../http/address-policy.js';
import type { RecipientRefusal } from './mail-transport.js';
import { errorCodes, errorMessage, networkHint, networkProblem, type MailErrorLike } from './network-error.js';

/** nodemailer.transport.ts's error code for a send cut off by its deadline (kept here to avoid an import cycle). */
export const SEND_DEADLINE_CODE = 'ESENDDEADLINE';
/**
 * Set (true) by nodemailer.transport.ts on a send's error when the connection had read the
 * whole message, i.e. the failure came after the final dot. nodemailer reports a timeout or a
 * close while waiting for that reply like any other (`ETIMEDOUT` / `ECONNECTION`, command
 * 'CONN'), so the stage is known only from the message stream.
 */
export const AFTER_DATA = 'afterData';

export type SendErrorKind = 'transient' | 'auth' | 'permanent' | 'unknown';

export interface SmtpErrorClass {
  kind: SendErrorKind;
  /** The SMTP reply code, when a server replied (RFC 5321 §4.2). */
  responseCode?: number;
  /** The RFC 3463 enhanced status code, e.g. `5.7.1`, when the reply carried one. */
  enhancedCode?: string;
  serverText: string;
  hint: string;
  /** From "try again in N seconds"-style reply text; only on transient errors. */
  retryAfterMs?: number;
}

/**
 * 'check': the user is testing settings now — a name that does not resolve will not start to
 * resolve on a retry, so it is `permanent`. 'send': the same settings passed a check earlier, so
 * the message is not at fault and failing it would be wrong; and NXDOMAIN is authoritative
 * (unlike EAI_AGAIN), so backing off for a day would only delay the bad news. The mailbox is
 * paused instead (`auth`) until its owner fixes the host or the domain comes back.
 */
export type SmtpErrorContext = 'send' | 'check';

interface SmtpErrorLike extends MailErrorLike {
  responseCode?: unknown;
  response?: unknown;
  command?: unknown;
}

const SMTP_PORTS = { tls: 465, plain: [587, 25] };
const MAX_RETRY_AFTER_MS = 24 * 3600_000;

export function classifySmtpError(err: unknown, context: SmtpErrorContext = 'send'): SmtpErrorClass {
  if (err instanceof HostNotAllowedError) {
    // Nothing was sent anywhere; the mailbox's settings (or the operator's allow-list) must change.
    return { kind: context === 'check' ? 'permanent' : 'auth', serverText: err.message, hint: HOST_NOT_ALLOWED_HINT };
  }
  if (err instanceof AppError) {
    // Our own validation (a header with CR/LF, an empty recipient list): the message is wrong.
    return { kind: 'permanent', serverText: err.message, hint: 'The message could not be built: ' + err.message };
  }
  const e: SmtpErrorLike = err && typeof err === 'object' ? (err as SmtpErrorLike) : {};
  const response = typeof e.response === 'string' && e.response.trim() ? e.response.trim() : undefined;
  const serverText = response ?? errorMessage(err);
  const responseCode = replyCode(e, response);
  const enhancedCode = response ? /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(response)?.[1] : undefined;
  const base = { serverText, ...(responseCode ? { responseCode } : {}), ...(enhancedCode ? { enhancedCode } : {}) };
  const codes = errorCodes(e);
  const command = typeof e.command === 'string' ? e.command.toUpperCase() : '';
  const configKind: SendErrorKind = context === 'check' ? 'permanent' : 'auth';

  if (responseCode) {
    const r = fromReply(responseCode, enhancedCode, serverText, command, codes);
    if (r.kind === 'transient') {
      const retryAfterMs = parseRetryAfterMs(serverText);
      return { ...base, ...r, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    }
    return { ...base, ...r };
  }

  // No reply code: the failure happened below SMTP, or in the client.
  if (context === 'send' && (e as Record<string, unknown>)[AFTER_DATA] === true) {
    // Sent through the final dot, no reply: delivered or not, nobody can say (see above).
    return { ...base, kind: 'unknown', hint: HINTS.outcomeUnknown };
  }
  if (codes.includes(SEND_DEADLINE_CODE)) {
    // Cut off by our own deadline (nodemailer.transport.ts) before the whole message went out,
    // also when the server was trickling bytes to defeat the socket timeout: the server has no
    // complete message, so trying again cannot deliver it twice.
    return { ...base, kind: 'transient', hint: HINTS.deadline };
  }
  if (codes.includes('EOAUTH2')) {
    return { ...base, kind: 'auth', hint: HINTS.oauth };
  }
  if (codes.includes('EAUTH') || codes.includes('ENOAUTH')) {
    return { ...base, kind: 'auth', hint: HINTS.password };
  }
  const problem = networkProblem(e);
  if (problem === 'tls-mismatch' || problem === 'tls-certificate') {
    return { ...base, kind: configKind, hint: networkHint(problem, SMTP_PORTS) };
  }
  if (problem === 'unknown-host') {
    return { ...base, kind: configKind, hint: networkHint(problem, SMTP_PORTS) };
  }
  if (codes.includes('ETLS')) {
    return { ...base, kind: configKind, hint: HINTS.starttls };
  }
  if (problem === 'timeout' && /greeting never received/i.test(serverText)) {
    // Connected, but the server never said "220": typically a plain client on an implicit-TLS
    // port (465), where the server waits for a TLS ClientHello that never comes.
    return { ...base, kind: 'transient', hint: HINTS.noGreeting };
  }
  if (problem) {
    return { ...base, kind: 'transient', hint: networkHint(problem, SMTP_PORTS) };
  }
  if (codes.some((c) => ['EENVELOPE', 'EMESSAGE', 'EMAXRECIPIENTS', 'ESTREAM', 'EREQUIRETLS'].includes(c))) {
    return { ...base, kind: 'permanent', hint: 'The message or its recipients were refused before sending: ' + serverText };
  }
  // Something unexpected (a bug, an unknown library error): a bounded retry schedule is safer
  // than failing the message outright, and the caller logs the error for us to look at.
  return { ...base, kind: 'transient', hint: 'Sending failed for an unexpected reason; it will be retried.' };
}

/**
 * The recipients a server refused at RCPT TO, from nodemailer's `rejectedErrors` (on the result
 * of a send that went to the others, or on the EENVELOPE error when every recipient was refused).
 */
export function recipientRefusals(source: unknown): RecipientRefusal[] {
  const list = source && typeof source === 'object' && 'rejectedErrors' in source ? source.rejectedErrors : undefined;
  if (!Array.isArray(list)) return [];
  const out: RecipientRefusal[] = [];
  for (const item of list as unknown[]) {
    if (!item || typeof item !== 'object') continue;
    const e = item as SmtpErrorLike & { recipient?: unknown };
    if (typeof e.recipient !== 'string') continue;
    const reply = typeof e.response === 'string' && e.response.trim() ? e.response.trim() : errorMessage(e);
    const responseCode = replyCode(e, reply);
    // 4yz is transient (RFC 5321 §4.2.1), and so is 503 (a session-state problem, see fromReply).
    const permanent = responseCode !== undefined && responseCode >= 500 && responseCode !== 503;
    out.push({ address: e.recipient, ...(responseCode ? { responseCode } : {}), reply, kind: permanent ? 'permanent' : 'transient' });
  }
  return out;
}

function replyCode(e: SmtpErrorLike, response: string | undefined): number | undefined {
  if (typeof e.responseCode === 'number' && e.responseCode >= 200 && e.responseCode < 600) return e.responseCode;
  const m = response ? /^([2-5]\d\d)[ -]/.exec(response) : null;
  return m ? Number(m[1]) : undefined;
}

function fromReply(
  code: number,
  enhanced: string | undefined,
  text: string,
  command: string,
  codes: string[],
): { kind: SendErrorKind; hint: string } {
  // Microsoft: "535 5.7.139 Authentication unsuccessful, basic authentication is disabled" and
  // "550 5.7.30 Basic authentication is not supported for Client Submission"; "530 5.7.57 Client
  // not authenticated to send mail" when the login was skipped or refused.
  if (enhanced === '5.7.139' || enhanced === '5.7.30' || /basic auth\w* is (disabled|not supported)|SmtpClientAuthentication is disabled/i.test(text)) {
    return { kind: 'auth', hint: HINTS.microsoftBasicAuth };
  }
  // Google: "534-5.7.9 Application-specific password required" / "534-5.7.14 Please log in via
  // your web browser" — the account has 2-step verification or needs OAuth (Sep 2024 change).
  if (enhanced === '5.7.9' || enhanced === '5.7.14' || /application-specific password/i.test(text)) {
    return { kind: 'auth', hint: HINTS.google };
  }
  // 538 (RFC 4954 §6 "Encryption required") / 530 "Must issue a STARTTLS command first".
  if (code === 538 || (code === 530 && /STARTTLS|TLS|encrypt/i.test(text))) {
    return { kind: 'auth', hint: HINTS.encryptionRequired };
  }
  if (code === 530 || enhanced === '5.7.57') {
    return { kind: 'auth', hint: HINTS.authRequired };
  }
  if (code === 535 || code === 534 || enhanced === '5.7.8') {
    return { kind: 'auth', hint: HINTS.password };
  }
  if (codes.includes('ETLS')) {
    // The server answered STARTTLS with something other than 220.
    return code < 500 ? { kind: 'transient', hint: HINTS.starttls } : { kind: 'auth', hint: HINTS.starttls };
  }
  if (code === 503 && command.startsWith('AUTH')) {
    // "503 AUTH not available": the server offers no login on this connection, usually until STARTTLS.
    return { kind: 'auth', hint: HINTS.encryptionRequired };
  }
  if (codes.includes('EAUTH') && code >= 500) {
    return { kind: 'auth', hint: HINTS.password };
  }
  if (code >= 400 && code < 500) {
    if (enhanced === '4.5.3') {
      // RFC 3463: too many recipients in one transaction; nodemailer reports the refused ones.
      return { kind: 'transient', hint: 'The server accepts fewer recipients per message; the deferred ones will be retried.' };
    }
    if (code === 421 || /too many|rate|limit|throttl|exceeded|slow down/i.test(text)) {
      return { kind: 'transient', hint: HINTS.rateLimit };
    }
    return { kind: 'transient', hint: 'The server postponed this message for now; it will be retried automatically.' };
  }
  if (code === 503) {
    // Bad sequence of commands: a session-state problem, a new connection clears it (nodemailer
    // makes the same call in isPermanentResponseCode).
    return { kind: 'transient', hint: 'The server was confused by the order of commands; it will be retried on a new connection.' };
  }
  if (code >= 500) {
    if (/spam|suspicio|blocked|blacklist|blocklist|reputation|content.*(reject|policy)|policy.*reject/i.test(text)) {
      return { kind: 'permanent', hint: HINTS.spam };
    }
    if (enhanced?.startsWith('5.1.') || /user unknown|no such user|mailbox unavailable|does not exist|recipient.*(rejected|unknown)/i.test(text)) {
      return { kind: 'permanent', hint: 'The recipient address does not exist or does not accept mail. Check the address in the CRM.' };
    }
    if (code === 552 || enhanced === '5.3.4' || /too (big|large)|size/i.test(text)) {
      return { kind: 'permanent', hint: 'The message is larger than the server accepts. Remove or shrink attachments.' };
    }
    if (command.startsWith('MAIL') && /sender|from address|not owned|send as|on behalf/i.test(text)) {
      return { kind: 'permanent', hint: 'The server does not let this login send from this From address. Use the address the mailbox logs in with, or an alias the provider allows.' };
    }
    return { kind: 'permanent', hint: "The server refused this message permanently; its reason is in the server's reply." };
  }
  // 2yz/3yz where the client expected something else: a protocol hiccup, try again.
  return { kind: 'transient', hint: 'The server gave an unexpected reply; it will be retried.' };
}

/** "try again in 30 seconds", "retry after 5 minutes", "please wait 1 hour" → ms. */
export function parseRetryAfterMs(text: string): number | undefined {
  const m = /\b(?:try(?:\s+again)?|retry|wait)\s+(?:(?:in|after|for)\s+)?(\d+(?:\.\d+)?)\s*(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h)\b/i.exec(text);
  if (!m?.[1] || !m[2]) return undefined;
  const unit = m[2].toLowerCase();
  const factor = unit.startsWith('h') ? 3600_000 : unit.startsWith('m') ? 60_000 : 1000;
  return Math.min(Math.round(Number(m[1]) * factor), MAX_RETRY_AFTER_MS);
}

const HINTS = {
  password:
    'The server rejected the username or password. Check them; Gmail, Yahoo and iCloud need an app password when 2-step verification is on.',
  authRequired: 'The server only accepts mail after a login. Enter the username and password (or sign in with the provider).',
  oauth: 'The sign-in token was rejected or has expired. Reconnect the mailbox (sign in with the provider again).',
  microsoftBasicAuth:
    'Microsoft 365 has password sign-in (basic authentication) turned off for SMTP on this mailbox. Connect it with "Sign in with Microsoft" (OAuth), or ask the admin to enable Authenticated SMTP for it.',
  google:
    'Google does not accept the normal password here. Connect with "Sign in with Google" (OAuth), or create an app password (Google account > Security > App passwords).',
  encryptionRequired:
    'The server only accepts a login over an encrypted connection. Choose STARTTLS (usually port 587) or SSL/TLS (port 465).',
  starttls:
    'The server does not offer STARTTLS on this port. Choose SSL/TLS if the port is 465, or check the port number (587 normally offers STARTTLS).',
  noGreeting:
    'The server accepted the connection but never greeted. This usually means the port expects SSL/TLS from the start (like 465): switch the security setting to SSL/TLS.',
  rateLimit:
    'The server is limiting how fast this mailbox may send (too many messages or connections). Sending slows down and retries automatically; consider a lower daily/minute limit for this mailbox.',
  deadline:
    'The server did not complete the delivery in time (it stalled or sent its replies too slowly), so the connection was closed before the whole message was sent. It will be retried.',
  outcomeUnknown:
    'The whole message was sent, but the connection ended before the server confirmed it, so it may or may not have been delivered. It is not resent automatically (that could deliver it twice): check with the recipient, and send it again if needed.',
  spam: 'The server refused this message as spam. Retrying the same message will not help: review its content and links, and check that SPF, DKIM and DMARC are set up for the From domain.',
} as const;
