/**
 * How to reach one user's IMAP server. Plain, decrypted values: the mailboxes module decrypts
 * stored credentials just before building a store and never logs this object.
 */
export type ImapAuth =
  | { type: 'password'; user: string; pass: string }
  /** SASL XOAUTH2 with an access token the caller keeps fresh (Google, Microsoft 365). */
  | { type: 'oauth2'; user: string; accessToken: string };

export interface ImapSettings {
  /** The server's name: what TLS presents (SNI) and checks the certificate against. */
  host: string;
  /**
   * The address to connect to, already resolved from `host` and checked against the address
   * policy (modules/mailboxes/mail-hosts.ts). Absent: the host name is connected to directly.
   */
  address?: string;
  port: number;
  /**
   * true: TLS from the first byte (port 993, RFC 8314). false: plain start, upgraded with
   * STARTTLS whenever the server offers it (port 143, RFC 3501 §6.2.1).
   */
  tls: boolean;
  /**
   * With `tls` false: STARTTLS is required, and the login never goes out in plain text when the
   * server does not offer it (or a man in the middle strips it from the capabilities).
   */
  requireStarttls?: boolean;
  auth: ImapAuth;
  /** Default true. false only for servers with self-signed certificates the user accepted. */
  tlsRejectUnauthorized?: boolean;
}
