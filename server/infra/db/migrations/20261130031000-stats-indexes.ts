/**
 * The statistics page counts an account's outcomes and hits by the time they happened
 * (tracking/stats-reads.ts): one index for each, so a period of a large account is a range scan.
 */
export const up = /* sql */ `
CREATE INDEX emails_account_outcome ON emails (account_id, (CASE WHEN status = 'sent' THEN sent_at ELSE updated_at END)) WHERE status IN ('sent', 'failed');
CREATE INDEX tracking_hits_account_at ON tracking_hits (account_id, at);
`;
