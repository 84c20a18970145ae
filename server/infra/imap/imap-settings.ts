/**
 * How to reach one user's IMAP server. Plain, decrypted values: the mailboxes module decrypts
 * stored credentials just before building a store and never logs this object.
 */
export type ImapAuth =
  | { type: 'password'; user: string; pass: string }
  /** SASL XOAUTH2 with an access token the caller keeps fresh (Google, Microsoft 365). */
  | { type: 'oauth2'; user: string; accessToken: string };

export interface ImapSettings {
  host: string;
  port: number;
  /**
   * true: TLS from the first byte (port 993, RFC 8314). false: plain start, upgraded with
   * STARTTLS whenever the server offers it (port 143, RFC 3501 §6.2.1).
   */
  tls: boolean;
  auth: ImapAuth;
  /** Default true. false only for servers with self-signed certificates the user accepted. */
  tlsRejectUnauthorized?: boolean;
}
