/**
 * A mailing's mails refer to their template's stored files (email_attachment_refs). The ref now
 * carries its account, with composite foreign keys to the mail and the file, so a mail of one
 * account cannot carry another account's attachment (the pattern of 20261129200700's link rows).
 */
export const up = /* sql */ `
ALTER TABLE attachments ADD CONSTRAINT attachments_account_id_key UNIQUE (account_id, id);

ALTER TABLE email_attachment_refs ADD COLUMN account_id bigint;
UPDATE email_attachment_refs l SET account_id = p.account_id FROM emails p WHERE p.id = l.email_id;
-- A ref across accounts was never written by the product; one found is dropped, not kept.
DELETE FROM email_attachment_refs l USING attachments a WHERE a.id = l.attachment_id AND a.account_id <> l.account_id;
ALTER TABLE email_attachment_refs
  ALTER COLUMN account_id SET NOT NULL,
  ADD CONSTRAINT email_attachment_refs_email_fk FOREIGN KEY (account_id, email_id) REFERENCES emails (account_id, id) ON DELETE CASCADE,
  ADD CONSTRAINT email_attachment_refs_attachment_fk FOREIGN KEY (account_id, attachment_id) REFERENCES attachments (account_id, id) ON DELETE CASCADE;
-- A writer that leaves the account out gets the mail's; the file must then be of that account too.
CREATE TRIGGER email_attachment_refs_account BEFORE INSERT ON email_attachment_refs
  FOR EACH ROW EXECUTE FUNCTION fill_link_account('emails', 'email_id', 'uuid');
`;
