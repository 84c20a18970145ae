/**
 * What the "check" button tells the user about a failed SMTP or IMAP connection.
 *
 * The check connects wherever the mailbox says, so it must not work as a port scanner: when no
 * mail server answered, the answer is the same short text whatever is on the port — closed,
 * filtered, an HTTP or SSH server, a TLS server of another kind, silence — and never the bytes
 * that listener sent (an HTTP or SSH banner names internal software and versions). Everything a
 * real mail server said (its SMTP reply, an IMAP NO/BAD, a refused login, STARTTLS missing) and
 * what TLS or DNS reported stays as specific as the classifiers make it.
 */
import type { CheckResult } from '../../../shared/schemas/mailbox.js';
import { HostNotAllowedError } from '../../infra/http/address-policy.js';
import { classifyImapError, NO_SENT_FOLDER } from '../../infra/imap/classify-imap-error.js';
import { classifySmtpError } from '../../infra/smtp/classify-send-error.js';
import { errorCodes, networkProblem, type MailErrorLike } from '../../infra/smtp/network-error.js';

type CheckPart = CheckResult['smtp'];

export const NO_SMTP_SERVER = 'No SMTP server answered at this host and port.';
export const NO_IMAP_SERVER = 'No IMAP server answered at this host and port.';

const NO_SMTP_HINT =
  'Check the server name and the port, and that the security setting matches the port: SSL/TLS for 465, STARTTLS (or none) for 587 and 25. If the settings are right, the server may be down or a firewall may block it.';
const NO_IMAP_HINT =
  'Check the server name and the port, and that the security setting matches the port: SSL/TLS for 993, a plain start (with STARTTLS) for 143. If the settings are right, the server may be down or a firewall may block it.';

/** Failures that tell the user something true about their settings without probing a port. */
function specific(err: MailErrorLike): boolean {
  if (err instanceof HostNotAllowedError) return true;
  const problem = networkProblem(err);
  return problem === 'unknown-host' || problem === 'dns-unavailable' || problem === 'tls-certificate';
}

export function smtpCheckFailure(err: unknown): CheckPart {
  const k = classifySmtpError(err, 'check');
  const e: MailErrorLike = err && typeof err === 'object' ? err : {};
  const codes = errorCodes(e);
  // A numbered reply means an SMTP server spoke; a login or STARTTLS problem can only be
  // reached after its greeting and EHLO.
  const spokeSmtp = k.responseCode !== undefined || ['EAUTH', 'ENOAUTH', 'EOAUTH2', 'ETLS'].some((c) => codes.includes(c));
  if (spokeSmtp || specific(e)) return { ok: false, kind: k.kind, serverText: k.serverText, hint: k.hint };
  return { ok: false, kind: 'permanent', serverText: NO_SMTP_SERVER, hint: NO_SMTP_HINT };
}

export function imapCheckFailure(err: unknown): CheckPart {
  const k = classifyImapError(err, 'check');
  const e = (err && typeof err === 'object' ? err : {}) as MailErrorLike & Record<string, unknown>;
  // imapflow sets these only from parsed IMAP responses (or, for tlsFailed, from the missing
  // STARTTLS capability the server announced).
  const spokeImap =
    e.authenticationFailed === true ||
    e.tlsFailed === true ||
    typeof e.serverResponseCode === 'string' ||
    typeof e.responseText === 'string' ||
    typeof e.response === 'string' ||
    errorCodes(e).some((c) => c === NO_SENT_FOLDER || c === 'ETHROTTLE');
  if (spokeImap || specific(e)) return { ok: false, kind: k.kind, serverText: k.serverText, hint: k.hint };
  return { ok: false, kind: 'permanent', serverText: NO_IMAP_SERVER, hint: NO_IMAP_HINT };
}
