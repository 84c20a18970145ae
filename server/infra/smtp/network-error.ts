/**
 * What went wrong below the mail protocol — DNS, TCP, TLS — told apart the same way for SMTP
 * and IMAP (both classifiers use this; only the port advice differs). Node puts the system code
 * on `code`; nodemailer moves it to `originalCode` and puts its own (ESOCKET, EDNS...) on `code`.
 */
export type NetworkProblem =
  | 'refused'
  | 'timeout'
  | 'unknown-host'
  | 'dns-unavailable'
  | 'unreachable'
  | 'reset'
  | 'tls-mismatch'
  | 'tls-certificate';

/** The fields the mail libraries put on their errors; everything optional, nothing trusted. */
export interface MailErrorLike {
  code?: unknown;
  originalCode?: unknown;
  message?: unknown;
  reason?: unknown;
  library?: unknown;
}

export function errorCodes(err: MailErrorLike): string[] {
  return [err.code, err.originalCode].filter((c): c is string => typeof c === 'string');
}

export function errorMessage(err: unknown): string {
  if (err && typeof err === 'object' && 'message' in err && typeof err.message === 'string') return err.message.trim();
  return String(err);
}

// OpenSSL's words when the two ends disagree about TLS: a TLS client talking to a plain-text
// port reads "220 ..." as a TLS record ("wrong version number", "packet length too long").
const TLS_MISMATCH_CODES = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_HTTP_REQUEST',
  'ERR_SSL_UNSUPPORTED_PROTOCOL',
  'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
  'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
  'ERR_SSL_NO_PROTOCOLS_AVAILABLE',
]);
const TLS_MISMATCH_TEXT = /wrong version number|packet length too long|unsupported protocol|protocol version|http request/i;

// Node's certificate verification codes (tls.TLSSocket#authorizationError).
const CERT_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export function networkProblem(err: MailErrorLike): NetworkProblem | null {
  const codes = errorCodes(err);
  const text = `${typeof err.message === 'string' ? err.message : ''} ${typeof err.reason === 'string' ? err.reason : ''}`;
  const has = (...c: string[]): boolean => c.some((x) => codes.includes(x));
  if (codes.some((c) => CERT_CODES.has(c))) return 'tls-certificate';
  if (codes.some((c) => TLS_MISMATCH_CODES.has(c)) || (err.library === 'SSL routines' && TLS_MISMATCH_TEXT.test(text))) {
    return 'tls-mismatch';
  }
  if (has('ENOTFOUND')) return 'unknown-host';
  // EAI_AGAIN: the resolver itself failed (no answer), not "the name does not exist".
  if (has('EAI_AGAIN', 'EAI_FAIL', 'ESERVFAIL', 'ETIMEOUT_DNS')) return 'dns-unavailable';
  if (has('ECONNREFUSED')) return 'refused';
  if (has('EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL')) return 'unreachable';
  if (has('ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ECONNECTION', 'EConnectionClosed', 'NoConnection')) return 'reset';
  if (has('ETIMEDOUT', 'ETIMEOUT', 'CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT')) return 'timeout';
  return null;
}

/** Plain-language hints; `ports` names the usual ports of the protocol in question. */
export function networkHint(problem: NetworkProblem, ports: { tls: number; plain: number[] }): string {
  const plain = ports.plain.join(' or ');
  switch (problem) {
    case 'refused':
      return `Nothing accepts connections at this host and port. Check the port number (usually ${ports.tls} for SSL/TLS, ${plain} otherwise) and that the server name is right.`;
    case 'timeout':
      return 'The server did not answer in time. The host or port may be wrong, a firewall may be dropping the connection, or the encryption setting does not match the port.';
    case 'unknown-host':
      return 'This server name does not exist in DNS. Check the spelling of the host (for example smtp.gmail.com, imap.gmail.com, outlook.office365.com).';
    case 'dns-unavailable':
      return 'The server name could not be looked up right now (DNS did not answer). This is usually temporary.';
    case 'unreachable':
      return 'The network cannot reach this server right now. This is usually temporary.';
    case 'reset':
      return 'The server closed the connection unexpectedly. This is usually temporary; if it keeps happening, check the encryption setting.';
    case 'tls-mismatch':
      return `The encryption setting does not match the port: port ${ports.tls} expects SSL/TLS from the start, port ${plain} expects a plain start (with STARTTLS). Switch the security setting or the port.`;
    case 'tls-certificate':
      return "The server's TLS certificate is not trusted (expired, self-signed or issued for another name). Use the host name the certificate was issued for, or ask the provider to fix it.";
  }
}
