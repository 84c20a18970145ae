/**
 * `emails.mailing_id`: the id of the mailing that created a mail, given by the mailings module
 * through the bulk-enqueue API, so a whole mailing is asked about by that id (counts, pace,
 * hold/release, statistics) instead of by shipping its 10,000 mail ids with every query. Owned
 * by the emails module, to which it is an opaque group id: no foreign key, emails must not
 * depend on mailings. Existing mailing mails get theirs from mailing_recipients, once, here.
 */
export const up = /* sql */ `
ALTER TABLE emails ADD COLUMN mailing_id uuid;
UPDATE emails e SET mailing_id = r.mailing_id FROM mailing_recipients r WHERE r.email_id = e.id;
CREATE INDEX emails_account_mailing ON emails (account_id, mailing_id) WHERE mailing_id IS NOT NULL;
`;
