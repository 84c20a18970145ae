/**
 * The port the sending pipeline uses to hand one message to a user's SMTP server. The real
 * adapter is nodemailer.transport.ts; tests run it against smtp-server (test/support/smtp-sink.ts).
 * Failures are thrown as the library's own errors: pass them to classifySmtpError() — the one
 * place that decides transient / auth / permanent / unknown.
 */

/** A bare address (`bob@example.com`) or an address with a display name. */
export type AddressInput = string | { name?: string; address: string };

export interface OutgoingAttachment {
  filename: string;
  content: Buffer;
  /** Guessed from the filename when absent. */
  contentType?: string;
}

export interface OutgoingMessage {
  from: { name?: string; address: string };
  replyTo?: AddressInput;
  to: AddressInput[];
  cc?: AddressInput[];
  /** Delivered via the envelope only: never written into the message headers. */
  bcc?: AddressInput[];
  subject: string;
  html: string;
  text?: string;
  /**
   * SMTP envelope recipients when they differ from To + Cc + Bcc: a retry for the recipients a
   * server deferred, while the headers still name everyone the mail is addressed to.
   */
  envelopeTo?: string[];
  attachments?: OutgoingAttachment[];
  /**
   * Our own Message-ID (with or without angle brackets), so replies and bounces found over IMAP
   * can be matched back, and so the Sent-folder de-duplication has something to search for.
   */
  messageId: string;
  /**
   * Extra headers (List-Unsubscribe, Auto-Submitted, X-Leadmail-Id...). ASCII values are written
   * unfolded: RFC 8058 senders must not fold List-Unsubscribe. CR/LF in a name or value throws.
   */
  headers?: Record<string, string>;
  /**
   * Whether the caller wants the message's bytes back (SendResult.raw) to file in the Sent folder;
   * default true. A mailbox without IMAP does not: a mailing's mails then leave without a copy kept.
   */
  keepRaw?: boolean;
}

/** One envelope recipient the server refused at RCPT TO while the message went to others. */
export interface RecipientRefusal {
  address: string;
  /** The RFC 5321 reply code, e.g. 450 or 550, when the server gave one. */
  responseCode?: number;
  /** The server's reply, verbatim: shown to the mail's owner. */
  reply: string;
  /** 4yz (RFC 5321 §4.2.1): try this recipient again later. 5yz: it will not take this message. */
  kind: 'transient' | 'permanent';
}

export interface SendResult {
  /** The server's final reply to DATA, verbatim, e.g. `250 2.0.0 OK queued as 4Xyz`. */
  response: string;
  /** Envelope recipients the server accepted / refused at RCPT TO. */
  accepted: string[];
  rejected: string[];
  /** Why each of `rejected` was refused. */
  refused: RecipientRefusal[];
  /** The exact RFC 5322 bytes that went over DATA (before dot-stuffing): APPEND these to Sent. null unless kept (keepRaw). */
  raw: Buffer | null;
}

export interface MailTransport {
  /**
   * Rejects with code ESENDDEADLINE when the whole transaction outlasts its deadline; an error
   * after the whole message went out (no reply to the final dot) carries `afterData: true`.
   */
  send(message: OutgoingMessage): Promise<SendResult>;
  /** Connect, greet, (STARTTLS,) AUTH, QUIT. Rejects within ~15 s; classify with context 'check'. */
  verify(): Promise<void>;
  /**
   * Releases pooled connections; the transport must not be used afterwards. A connection in the
   * middle of a delivery finishes it first, unless `force`: then it is closed too (its send fails).
   */
  close(options?: { force?: boolean }): void;
}
