/**
 * Issue 7 §1/§2: one drain per mailbox claims due mail in batches, ordered by priority — a mail
 * sent from a card or by an automation (0) leaves before the queued mails of a mailing (1).
 * The dispatch index follows the drain's order, so a claim reads only the rows it takes.
 */
export const up = /* sql */ `
ALTER TABLE emails ADD COLUMN priority smallint NOT NULL DEFAULT 0;
CREATE INDEX emails_drain ON emails (mailbox_id, priority, not_before, created_at) WHERE status = 'queued';
`;
