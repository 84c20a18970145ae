/**
 * Issue 7 §1, reminders: a mail may carry a condition its sender re-checks when the drain claims
 * it (a reminder's "has the recipient responded meanwhile?"). The flag lets the claim ask only
 * for the mails that have one, so an ordinary mail costs no extra query. A constant default:
 * PostgreSQL adds the column without rewriting the table.
 */
export const up = /* sql */ `
ALTER TABLE emails ADD COLUMN send_check boolean NOT NULL DEFAULT false;
`;
