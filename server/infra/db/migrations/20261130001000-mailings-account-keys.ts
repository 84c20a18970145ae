/**
 * Mailings and their recipient rows point at owned rows of their account only (composite
 * foreign keys, the pattern of 20261129200700's link rows): a mailing's template, mailbox and
 * parent mailing, a recipient row's mailing and mail. Plus who created the mailing with admin
 * rights, so resolving applies the creator's Kommo view rights (resolve runs without a token).
 */
export const up = /* sql */ `
ALTER TABLE mailings ADD CONSTRAINT mailings_account_id_key UNIQUE (account_id, id);

-- Cross-account references were never written by the product; one found is cleared or dropped.
UPDATE mailings m SET template_id = NULL FROM templates t WHERE t.id = m.template_id AND t.account_id <> m.account_id;
UPDATE mailings m SET parent_mailing_id = NULL FROM mailings p WHERE p.id = m.parent_mailing_id AND p.account_id <> m.account_id;
UPDATE mailing_recipients r SET account_id = m.account_id FROM mailings m WHERE m.id = r.mailing_id AND m.account_id <> r.account_id;
UPDATE mailing_recipients r SET email_id = NULL FROM emails e WHERE e.id = r.email_id AND e.account_id <> r.account_id;
DELETE FROM mailings m USING mailboxes b WHERE b.id = m.mailbox_id AND b.account_id <> m.account_id;

ALTER TABLE mailings
  DROP CONSTRAINT mailings_template_id_fkey,
  DROP CONSTRAINT mailings_mailbox_id_fkey,
  DROP CONSTRAINT mailings_parent_mailing_id_fkey,
  ADD CONSTRAINT mailings_template_account_fk FOREIGN KEY (account_id, template_id) REFERENCES templates (account_id, id) ON DELETE SET NULL (template_id),
  ADD CONSTRAINT mailings_mailbox_account_fk FOREIGN KEY (account_id, mailbox_id) REFERENCES mailboxes (account_id, id),
  ADD CONSTRAINT mailings_parent_account_fk FOREIGN KEY (account_id, parent_mailing_id) REFERENCES mailings (account_id, id) ON DELETE SET NULL (parent_mailing_id),
  -- Existing mailings were accepted without the check; they keep resolving as before.
  ADD COLUMN creator_is_admin boolean NOT NULL DEFAULT true;

ALTER TABLE mailing_recipients
  DROP CONSTRAINT mailing_recipients_mailing_id_fkey,
  DROP CONSTRAINT mailing_recipients_email_id_fkey,
  ADD CONSTRAINT mailing_recipients_mailing_account_fk FOREIGN KEY (account_id, mailing_id) REFERENCES mailings (account_id, id) ON DELETE CASCADE,
  ADD CONSTRAINT mailing_recipients_email_account_fk FOREIGN KEY (account_id, email_id) REFERENCES emails (account_id, id) ON DELETE SET NULL (email_id);
`;
