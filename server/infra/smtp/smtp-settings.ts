/**
 * How to reach one user's SMTP submission server. Plain, decrypted values: the mailboxes module
 * decrypts stored credentials just before building a transport and never logs this object.
 */
export type SmtpSecurity =
  /** Plain text, no STARTTLS even if offered (test sinks, relays on a private network). */
  | 'none'
  /** Port 587 style: plain greeting, then STARTTLS is required (RFC 3207); fail if not offered. */
  | 'starttls'
  /** Port 465 style: TLS from the first byte (RFC 8314 "implicit TLS"). */
  | 'tls';

export type SmtpAuth =
  | { type: 'password'; user: string; pass: string }
  /** XOAUTH2 with an access token the caller keeps fresh (Google since Sep 2024, Microsoft 365). */
  | { type: 'oauth2'; user: string; accessToken: string };

export interface SmtpSettings {
  /** The server's name: what TLS presents (SNI) and checks the certificate against. */
  host: string;
  /**
   * The address to connect to, already resolved from `host` and checked against the address
   * policy (modules/mailboxes/mail-hosts.ts). Absent: nodemailer resolves `host` itself.
   */
  address?: string;
  port: number;
  security: SmtpSecurity;
  /** null: the server accepts mail without AUTH (an internal relay, a test sink). */
  auth: SmtpAuth | null;
  /** Default true. false only for servers with self-signed certificates the user accepted. */
  tlsRejectUnauthorized?: boolean;
  /** Budget for DNS + TCP + TLS + greeting; default 10 s (see nodemailer.transport.ts). */
  connectionTimeoutMs?: number;
}
