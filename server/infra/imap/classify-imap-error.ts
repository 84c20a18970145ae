/**
 * What a failed IMAP check or APPEND means, in the same terms as classifySmtpError
 * (server/infra/smtp/classify-send-error.ts): `transient` retry later, `auth` the mailbox needs
 * its owner (credentials or settings), `permanent` retrying will not help. `serverText` is the
 * server's own words, verbatim (without our command tag), or the system's error text.
 */
import { HOST_NOT_ALLOWED_HINT, HostNotAllowedError } from '../http/address-policy.js';
import { errorCodes, errorMessage, networkHint, networkProblem, type MailErrorLike } from '../smtp/network-error.js';

export type ImapErrorKind = 'transient' | 'auth' | 'permanent';

export interface ImapErrorClass {
  kind: ImapErrorKind;
  /** RFC 5530 response code in brackets, e.g. AUTHENTICATIONFAILED, OVERQUOTA. */
  responseCode?: string;
  serverText: string;
  hint: string;
  retryAfterMs?: number;
}

/** 'check': settings test (bad host/TLS → permanent). 'append': in use (bad settings → pause, `auth`). */
export type ImapErrorContext = 'check' | 'append';

interface ImapErrorLike extends MailErrorLike {
  response?: unknown;
  responseText?: unknown;
  serverResponseCode?: unknown;
  authenticationFailed?: unknown;
  tlsFailed?: unknown;
  throttleReset?: unknown;
}

const IMAP_PORTS = { tls: 993, plain: [143] };

/** Thrown by the store when no folder looks like Sent; classified as permanent. */
export const NO_SENT_FOLDER = 'NoSentFolder';

export function classifyImapError(err: unknown, context: ImapErrorContext = 'check'): ImapErrorClass {
  if (err instanceof HostNotAllowedError) {
    return { kind: context === 'check' ? 'permanent' : 'auth', serverText: err.message, hint: HOST_NOT_ALLOWED_HINT };
  }
  const e: ImapErrorLike = err && typeof err === 'object' ? (err as ImapErrorLike) : {};
  const serverText = serverWords(e) ?? errorMessage(err);
  const responseCode = typeof e.serverResponseCode === 'string' ? e.serverResponseCode.toUpperCase() : undefined;
  const base = { serverText, ...(responseCode ? { responseCode } : {}) };
  const codes = errorCodes(e);
  const configKind: ImapErrorKind = context === 'check' ? 'permanent' : 'auth';

  if (codes.includes(NO_SENT_FOLDER)) {
    return { ...base, kind: 'permanent', hint: 'No Sent folder was found in this mailbox. Create one named "Sent" in your mail program.' };
  }
  // RFC 5530 codes that say "not now" rather than "not you".
  if (responseCode === 'UNAVAILABLE' || responseCode === 'INUSE') {
    return { ...base, kind: 'transient', hint: 'The mail server could not check the login right now. This is usually temporary.' };
  }
  if (responseCode === 'PRIVACYREQUIRED') {
    return { ...base, kind: 'auth', hint: 'The server only accepts a login over an encrypted connection. Turn on SSL/TLS (port 993).' };
  }
  if (e.authenticationFailed === true || responseCode === 'AUTHENTICATIONFAILED' || responseCode === 'AUTHORIZATIONFAILED' || responseCode === 'EXPIRED') {
    return { ...base, kind: 'auth', hint: authHint(serverText, responseCode) };
  }
  if (e.tlsFailed === true) {
    return {
      ...base,
      kind: configKind,
      hint: 'The server does not offer STARTTLS on this port, and this mailbox requires it, so no login was sent. Use SSL/TLS (usually port 993), or check the port number.',
    };
  }
  if (codes.includes('ETHROTTLE')) {
    const ms = typeof e.throttleReset === 'number' ? e.throttleReset : undefined;
    return { ...base, kind: 'transient', hint: 'The server is limiting how fast this account may work. It will be retried.', ...(ms ? { retryAfterMs: ms } : {}) };
  }
  const problem = networkProblem(e);
  if (problem === 'tls-mismatch' || problem === 'tls-certificate' || problem === 'unknown-host') {
    return { ...base, kind: configKind, hint: networkHint(problem, IMAP_PORTS) };
  }
  if (codes.includes('GREETING_TIMEOUT')) {
    // Connected but no "* OK" greeting: usually a plain client on the implicit-TLS port 993.
    return {
      ...base,
      kind: 'transient',
      hint: 'The server accepted the connection but never greeted. This usually means the port expects SSL/TLS from the start (like 993): turn SSL/TLS on.',
    };
  }
  if (problem) return { ...base, kind: 'transient', hint: networkHint(problem, IMAP_PORTS) };

  // A tagged NO/BAD to APPEND/SEARCH/SELECT: the server refused this operation as such.
  if (responseCode === 'OVERQUOTA') {
    return { ...base, kind: 'permanent', hint: 'The mailbox is full, so the copy could not be saved in Sent. Free up space in the mailbox.' };
  }
  if (responseCode === 'TRYCREATE' || responseCode === 'NONEXISTENT') {
    return { ...base, kind: 'permanent', hint: 'The Sent folder does not exist any more. Check the mailbox settings again.' };
  }
  if (responseCode === 'LIMIT' || responseCode === 'TOOBIG') {
    return { ...base, kind: 'permanent', hint: 'The message is larger than this mailbox accepts, so no copy was saved in Sent.' };
  }
  if (typeof e.responseText === 'string') {
    return { ...base, kind: 'permanent', hint: "The mail server refused the operation; its reason is in the server's reply." };
  }
  return { ...base, kind: 'transient', hint: 'The mailbox could not be reached for an unexpected reason; it will be retried.' };
}

function authHint(text: string, code: string | undefined): string {
  if (code === 'EXPIRED') return 'The password of this mailbox has expired. Change it with the provider, then enter the new one.';
  if (/application-specific password|web browser/i.test(text)) {
    return 'Google does not accept the normal password here. Connect with "Sign in with Google" (OAuth), or create an app password.';
  }
  if (/basic auth|AUTHENTICATE failed/i.test(text)) {
    // Outlook/Office 365 answer a password login with a bare "AUTHENTICATE failed." since
    // Microsoft turned basic auth off for IMAP (2022).
    return 'Microsoft 365 / Outlook no longer accept a password for IMAP. Connect with "Sign in with Microsoft" (OAuth).';
  }
  return 'The server rejected the username or password. Check them; Gmail, Yahoo and iCloud need an app password when 2-step verification is on.';
}

/** imapflow puts the tagged reply in `response` ("2 NO [CODE] text"): drop our tag, keep theirs. */
function serverWords(e: ImapErrorLike): string | undefined {
  if (typeof e.response === 'string' && e.response.trim()) return e.response.trim().replace(/^[A-Za-z0-9.]+\s+(?=(NO|BAD|BYE)\b)/, '');
  if (typeof e.responseText === 'string' && e.responseText.trim()) return e.responseText.trim();
  return undefined;
}
