/**
 * The port the app uses to look into a user's mailbox over IMAP. The real adapter is
 * imapflow.store.ts (tests run it against Dovecot). Failures are thrown as the library's own
 * errors: pass them to classifyImapError() for kind + the server's words + a plain hint.
 */
export interface MailboxCheck {
  /** Every folder path the server lists, e.g. ['INBOX', 'Sent', 'Drafts', 'Trash']. */
  folders: string[];
  /** Where sent mail is filed (see find-sent-folder.ts); null when nothing looks like it. */
  sentFolder: string | null;
}

export interface AppendResult {
  /** false when a message with this Message-ID was already in Sent (Gmail/O365 file their own). */
  appended: boolean;
  folder: string;
  /** UID of the new message (UIDPLUS, RFC 4315), or of the copy already there. */
  uid?: number;
}

export interface MailboxStore {
  /** Log in and list folders: the "test connection" button. Rejects within ~15 s. */
  check(): Promise<MailboxCheck>;
  /**
   * File the exact bytes that went over SMTP in the Sent folder, marked \Seen, unless a message
   * with this Message-ID is already there (shared/docs/sending-rules.md, "Saving to Sent").
   */
  appendToSent(raw: Buffer, messageId: string): Promise<AppendResult>;
  /**
   * Whether Sent holds a message with this Message-ID (the same search appendToSent does first):
   * how a send interrupted by a crash is told apart from one that never left.
   */
  findInSent(messageId: string): Promise<{ found: boolean; folder: string }>;
  /** Log out of the connection kept for appendToSent, if any. */
  close(): Promise<void>;
}
