/**
 * A stored password follows the exact endpoint it was typed for. An edit that omits the password
 * keeps the stored one only if it would still go to the same server, port and login, with at
 * least the same protection; otherwise the password must be typed again. Without this an admin
 * (or anyone holding an editing session) could point another user's mailbox at a host of their
 * choosing, or strip its TLS, and press "check" to receive the password.
 *
 * "Same credentials" makes the SMTP password an IMAP password too, so it is bound to the IMAP
 * endpoint it was used with as well: switching the IMAP host (or weakening its TLS) with same
 * credentials on, or turning same credentials on for an IMAP host that never had it, asks for
 * the SMTP password again.
 */
import type { MailboxCreate, MailboxUpdate } from '../../../shared/schemas/mailbox.js';
import type { MailboxRow } from './mailboxes.repository.js';

interface Endpoint {
  host: string;
  port: number;
  user: string | null;
  /** 0: may be plain text; 1: always encrypted (implicit TLS or required STARTTLS). */
  tlsLevel: number;
  verifiesCertificate: boolean;
  authType: string;
}

type Input = MailboxCreate | MailboxUpdate;

function smtpOfRow(r: MailboxRow): Endpoint {
  return {
    host: r.smtp_host,
    port: r.smtp_port,
    user: r.smtp_user,
    tlsLevel: r.smtp_security === 'none' ? 0 : 1,
    verifiesCertificate: r.tls_reject_unauthorized,
    authType: r.auth_type,
  };
}

function smtpOfInput(i: Input): Endpoint {
  return {
    host: i.smtp.host,
    port: i.smtp.port,
    user: i.smtp.username ?? null,
    tlsLevel: i.smtp.security === 'none' ? 0 : 1,
    verifiesCertificate: i.smtp.tlsRejectUnauthorized,
    authType: i.smtp.authType,
  };
}

/**
 * null when no secret ever went to an IMAP server: none configured, or IMAP switched off (its
 * host is still stored then, and must not count as a place the secret may go: switching IMAP off,
 * moving it, then switching it on would otherwise carry the SMTP password to any host).
 * `user` is whoever logs in there.
 */
function imapOfRow(r: MailboxRow): Endpoint | null {
  if (!r.imap_enabled || !r.imap_host || !r.imap_port) return null;
  return {
    host: r.imap_host,
    port: r.imap_port,
    user: r.imap_same_credentials ? r.smtp_user : r.imap_user,
    tlsLevel: r.imap_tls || r.imap_require_starttls ? 1 : 0,
    verifiesCertificate: r.tls_reject_unauthorized,
    authType: r.imap_same_credentials ? r.auth_type : 'password',
  };
}

function imapOfInput(i: Input): Endpoint | null {
  if (!i.imap.host || !i.imap.port) return null;
  return {
    host: i.imap.host,
    port: i.imap.port,
    user: (i.imap.sameCredentials ? i.smtp.username : i.imap.username) ?? null,
    tlsLevel: i.imap.tls || i.imap.requireStarttls ? 1 : 0,
    verifiesCertificate: i.smtp.tlsRejectUnauthorized,
    authType: i.imap.sameCredentials ? i.smtp.authType : 'password',
  };
}

/** Where a kept secret may still go: same place and login, protection not lowered. */
function stillSafe(before: Endpoint | null, after: Endpoint | null): boolean {
  if (!before || !after) return before === after;
  return (
    before.host.toLowerCase() === after.host.toLowerCase() &&
    before.port === after.port &&
    before.user === after.user &&
    before.authType === after.authType &&
    after.tlsLevel >= before.tlsLevel &&
    (after.verifiesCertificate || !before.verifiesCertificate)
  );
}

export interface KeptSecrets {
  /** The stored ciphertexts that may stay (null: none may). */
  smtp: string | null;
  imap: string | null;
  /** Why the stored secrets cannot stay, for the 400 when no new one was typed. */
  smtpDropped?: string;
  imapDropped: string;
}

/** Which stored secrets an edit that omits passwords may keep. */
export function keptSecrets(existing: MailboxRow | null, input: Input): KeptSecrets {
  const noOwnLogin = 'is required unless IMAP uses the SMTP credentials';
  if (!existing) return { smtp: null, imap: null, imapDropped: noOwnLogin };
  const result: KeptSecrets = { smtp: existing.smtp_secret_enc, imap: existing.imap_secret_enc, imapDropped: noOwnLogin };

  if (!stillSafe(smtpOfRow(existing), smtpOfInput(input))) {
    result.smtp = null;
    result.smtpDropped = 'is required again because the SMTP server, port, user name or security changed';
  } else if (input.imap.enabled && input.imap.sameCredentials) {
    // The SMTP secret will also log in to IMAP: only where it already did, as safely.
    const bound = existing.imap_same_credentials ? imapOfRow(existing) : null;
    if (!bound || !stillSafe(bound, imapOfInput(input))) {
      result.smtp = null;
      result.smtpDropped = 'is required again because IMAP uses the SMTP credentials and the IMAP server, port or security changed';
    }
  }

  const ownImap = existing.imap_same_credentials ? null : imapOfRow(existing);
  if (!ownImap || !stillSafe(ownImap, input.imap.sameCredentials ? null : imapOfInput(input))) {
    result.imap = null;
    if (ownImap) result.imapDropped = 'is required again because the IMAP server, port, user name or security changed';
  }
  return result;
}
