/** Request bodies for POST /api/mailboxes pointing at the test SMTP sink and the test Dovecot. */
import type { SmtpSink } from './smtp-sink.js';
import { IMAP_PASSWORD, imapPort } from './imap-client.js';

export function mailboxPayload(
  sink: SmtpSink,
  opts: { smtpUser?: string; smtpPass?: string; imapUser?: string | null; imapPass?: string; pacing?: { messages: number; seconds: number }; dailyCap?: number | null; from?: string } = {},
): Record<string, unknown> {
  const imapUser = opts.imapUser === undefined ? null : opts.imapUser;
  return {
    displayName: 'Sales mailbox',
    fromName: 'Maria Sales',
    fromAddress: opts.from ?? 'maria@acme.example',
    replyTo: 'replies@acme.example',
    preset: 'generic',
    smtp: {
      host: sink.host,
      port: sink.port,
      security: 'none',
      auth: true,
      username: opts.smtpUser ?? 'maria',
      password: opts.smtpPass ?? 'smtp-secret',
    },
    imap: imapUser
      ? { enabled: true, host: '127.0.0.1', port: imapPort(), tls: false, sameCredentials: false, username: imapUser, password: opts.imapPass ?? IMAP_PASSWORD }
      : { enabled: false },
    saveToSent: true,
    pacing: opts.pacing ?? { messages: 1, seconds: 1 },
    dailyCap: opts.dailyCap === undefined ? null : opts.dailyCap,
  };
}
