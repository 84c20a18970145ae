/**
 * Issue 9 (history page): GET /api/emails/search lists the account's mails newest first, filtered
 * by status, mailbox, template, date and, for a user, by sender. Each index below holds its
 * filter column and the order, so a page (even a deep one) and its bounded count read the index
 * only. A template filter uses emails_template_entity (account_id, template_id, …).
 */
export const up = /* sql */ `
CREATE INDEX emails_account_created ON emails (account_id, created_at DESC, id DESC);
CREATE INDEX emails_account_status_created ON emails (account_id, status, created_at DESC, id DESC);
CREATE INDEX emails_account_user_created ON emails (account_id, user_id, created_at DESC, id DESC);
CREATE INDEX emails_mailbox_created ON emails (mailbox_id, created_at DESC, id DESC);
`;
