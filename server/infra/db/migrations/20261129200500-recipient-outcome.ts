/**
 * Per-recipient delivery (recipient-outcome.ts): a mail some of whose recipients a server
 * deferred at RCPT TO is retried for those only. NULL pending_recipients: everyone in
 * To/Cc/Bcc is still owed the mail (every mail before its first partial delivery).
 */
export const up = /* sql */ `
ALTER TABLE emails
  ADD COLUMN pending_recipients   jsonb,
  ADD COLUMN delivered_recipients jsonb NOT NULL DEFAULT '[]';
`;
