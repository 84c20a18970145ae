/** Decrypted connection settings for one mailbox, built just before use and never logged. */
import type { SecretBox } from '../../infra/crypto/secret-box.js';
import type { ImapSettings } from '../../infra/imap/imap-settings.js';
import type { SmtpSettings } from '../../infra/smtp/smtp-settings.js';
import type { MailboxRow } from './mailboxes.repository.js';

export function smtpSettingsOf(row: MailboxRow, box: SecretBox): SmtpSettings {
  const secret = row.smtp_secret_enc ? box.decrypt(row.smtp_secret_enc) : '';
  const user = row.smtp_user ?? row.from_address;
  return {
    host: row.smtp_host,
    port: row.smtp_port,
    security: row.smtp_security,
    auth: !row.smtp_auth
      ? null
      : row.auth_type === 'oauth2'
        ? { type: 'oauth2', user, accessToken: secret }
        : { type: 'password', user, pass: secret },
    tlsRejectUnauthorized: row.tls_reject_unauthorized,
  };
}

/** null when IMAP is off or incomplete. "Same credentials" reuses the SMTP login. */
export function imapSettingsOf(row: MailboxRow, box: SecretBox): ImapSettings | null {
  if (!row.imap_enabled || !row.imap_host || !row.imap_port) return null;
  const sameCreds = row.imap_same_credentials;
  const enc = sameCreds ? row.smtp_secret_enc : row.imap_secret_enc;
  const user = (sameCreds ? row.smtp_user : row.imap_user) ?? row.from_address;
  const secret = enc ? box.decrypt(enc) : '';
  return {
    host: row.imap_host,
    port: row.imap_port,
    tls: row.imap_tls,
    requireStarttls: row.imap_require_starttls,
    auth: row.auth_type === 'oauth2' && sameCreds ? { type: 'oauth2', user, accessToken: secret } : { type: 'password', user, pass: secret },
    tlsRejectUnauthorized: row.tls_reject_unauthorized,
  };
}
