/**
 * Mailings (one template to many selected CRM entities), their recipients, and the account's
 * suppression list. The selection is kept as one bigint[] so accepting 100,000 ids is one row;
 * recipients are written in batches while resolving.
 */
export const up = /* sql */ `
CREATE TABLE suppressions (
  account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  email      text NOT NULL CHECK (email = lower(email)),
  reason     text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, email)
);

CREATE TABLE mailings (
  id              uuid PRIMARY KEY,
  account_id      bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  user_id         bigint NOT NULL,
  entity_type     text NOT NULL CHECK (entity_type IN ('leads', 'contacts', 'companies')),
  entity_ids      bigint[] NOT NULL,
  -- How far resolving got: entity_ids[1..resolved_count] have recipient rows (and emails).
  resolved_count  integer NOT NULL DEFAULT 0,
  -- One resolver at a time across processes; a dead one's lease runs out and another continues.
  resolve_lease_until timestamptz,
  template_id     uuid REFERENCES templates(id) ON DELETE SET NULL,
  subject         text,
  body_html       text,
  disable_signature boolean NOT NULL DEFAULT false,
  mailbox_id      uuid REFERENCES mailboxes(id),
  recipients      jsonb NOT NULL,
  start_at        timestamptz,
  triggers        jsonb,
  status          text NOT NULL CHECK (status IN ('resolving', 'queued', 'paused', 'cancelled', 'failed')),
  status_reason   text,
  -- A reminder: the mailing it follows and who of its recipients it is for.
  parent_mailing_id uuid REFERENCES mailings(id) ON DELETE SET NULL,
  reminder        jsonb,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mailings_account ON mailings (account_id, created_at DESC);
CREATE INDEX mailings_resolving ON mailings (status) WHERE status = 'resolving';

CREATE TABLE mailing_recipients (
  id          bigserial PRIMARY KEY,
  mailing_id  uuid NOT NULL REFERENCES mailings(id) ON DELETE CASCADE,
  account_id  bigint NOT NULL,
  entity_type text NOT NULL,
  entity_id   bigint NOT NULL,
  contact_id  bigint,
  email       text,
  status      text NOT NULL CHECK (status IN ('queued', 'skipped', 'cancelled')),
  reason      text,
  email_id    uuid REFERENCES emails(id) ON DELETE SET NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mailing_recipients_mailing ON mailing_recipients (mailing_id, id);
CREATE UNIQUE INDEX mailing_recipients_email ON mailing_recipients (email_id) WHERE email_id IS NOT NULL;

-- A mail of a mailing refers to its template's stored files instead of copying them.
CREATE TABLE email_attachment_refs (
  email_id      uuid NOT NULL REFERENCES emails(id) ON DELETE CASCADE,
  attachment_id uuid NOT NULL REFERENCES attachments(id) ON DELETE CASCADE,
  position      integer NOT NULL DEFAULT 0,
  PRIMARY KEY (email_id, attachment_id)
);
CREATE INDEX email_attachment_refs_attachment ON email_attachment_refs (attachment_id);
`;
