/** Accounts, Kommo tokens, user settings, mailboxes, templates, emails and their events. */
export const up = /* sql */ `
CREATE TABLE accounts (
  id                bigint PRIMARY KEY,            -- Kommo account_id
  subdomain         text NOT NULL,
  global_mailbox_id uuid,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);

-- One row per account. "version" increases on every rotation so a refresh that lost the race
-- can tell (compare-and-swap), and the rotated refresh token is never overwritten by a stale one.
CREATE TABLE kommo_tokens (
  account_id        bigint PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  kind              text NOT NULL CHECK (kind IN ('oauth', 'long_lived')),
  access_token_enc  text NOT NULL,
  refresh_token_enc text,
  expires_at        timestamptz,
  version           integer NOT NULL DEFAULT 1,
  updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE user_settings (
  account_id     bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  user_id        bigint NOT NULL,
  signature_html text NOT NULL DEFAULT '',
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, user_id)
);

CREATE TABLE mailboxes (
  id                   uuid PRIMARY KEY,
  account_id           bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  owner_user_id        bigint NOT NULL,
  display_name         text NOT NULL,
  from_name            text NOT NULL,
  from_address         text NOT NULL,
  reply_to             text,
  preset               text NOT NULL DEFAULT 'generic',
  smtp_host            text NOT NULL,
  smtp_port            integer NOT NULL,
  smtp_security        text NOT NULL CHECK (smtp_security IN ('none', 'starttls', 'tls')),
  smtp_auth            boolean NOT NULL DEFAULT true,
  auth_type            text NOT NULL DEFAULT 'password' CHECK (auth_type IN ('password', 'oauth2')),
  smtp_user            text,
  smtp_secret_enc      text,
  tls_reject_unauthorized boolean NOT NULL DEFAULT true,
  imap_enabled         boolean NOT NULL DEFAULT false,
  imap_host            text,
  imap_port            integer,
  imap_tls             boolean NOT NULL DEFAULT true,
  imap_same_credentials boolean NOT NULL DEFAULT true,
  imap_user            text,
  imap_secret_enc      text,
  save_to_sent         boolean NOT NULL DEFAULT true,
  pacing_messages      integer NOT NULL DEFAULT 1 CHECK (pacing_messages > 0),
  pacing_seconds       integer NOT NULL DEFAULT 1 CHECK (pacing_seconds > 0),
  daily_cap            integer CHECK (daily_cap IS NULL OR daily_cap > 0),
  check_status         text NOT NULL DEFAULT 'unknown' CHECK (check_status IN ('unknown', 'green', 'grey', 'red')),
  check_result         jsonb,
  checked_at           timestamptz,
  paused               boolean NOT NULL DEFAULT false,
  paused_reason        text,
  last_send_at         timestamptz,
  next_slot_at         timestamptz,
  deleted_at           timestamptz,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mailboxes_account_owner ON mailboxes (account_id, owner_user_id);
ALTER TABLE accounts ADD CONSTRAINT accounts_global_mailbox_fk
  FOREIGN KEY (global_mailbox_id) REFERENCES mailboxes(id) ON DELETE SET NULL;

CREATE TABLE templates (
  id                uuid PRIMARY KEY,
  account_id        bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  owner_user_id     bigint NOT NULL,
  name              text NOT NULL,
  subject           text NOT NULL,
  body_html         text NOT NULL,
  is_public         boolean NOT NULL DEFAULT false,
  disable_signature boolean NOT NULL DEFAULT false,
  link_attachments  jsonb NOT NULL DEFAULT '[]',
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX templates_account ON templates (account_id, owner_user_id);

-- Attachments of templates and of emails live in one table; exactly one owner is set.
CREATE TABLE attachments (
  id           uuid PRIMARY KEY,
  account_id   bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  template_id  uuid REFERENCES templates(id) ON DELETE CASCADE,
  email_id     uuid,
  filename     text NOT NULL,
  content_type text NOT NULL,
  size         integer NOT NULL,
  content      bytea NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CHECK ((template_id IS NULL) <> (email_id IS NULL))
);
CREATE INDEX attachments_template ON attachments (template_id);
CREATE INDEX attachments_email ON attachments (email_id);

CREATE TABLE emails (
  id               uuid PRIMARY KEY,
  account_id       bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  user_id          bigint NOT NULL,
  mailbox_id       uuid NOT NULL REFERENCES mailboxes(id),
  entity_type      text NOT NULL CHECK (entity_type IN ('leads', 'contacts', 'companies')),
  entity_id        bigint NOT NULL,
  template_id      uuid REFERENCES templates(id) ON DELETE SET NULL,
  status           text NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'cancelled')),
  message_id       text NOT NULL UNIQUE,
  to_addresses     jsonb NOT NULL,
  cc_addresses     jsonb NOT NULL DEFAULT '[]',
  bcc_addresses    jsonb NOT NULL DEFAULT '[]',
  subject          text NOT NULL,
  body_html        text NOT NULL,
  link_attachments jsonb NOT NULL DEFAULT '[]',
  attempts         integer NOT NULL DEFAULT 0,
  not_before       timestamptz NOT NULL DEFAULT now(),
  lease_until      timestamptz,
  error_code       text,
  error_text       text,
  smtp_response    text,
  sent_at          timestamptz,
  sent_folder      text,
  opens_count      integer NOT NULL DEFAULT 0,
  first_opened_at  timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE attachments ADD CONSTRAINT attachments_email_fk FOREIGN KEY (email_id) REFERENCES emails(id) ON DELETE CASCADE;
-- The dispatcher picks the next due queued email of a mailbox.
CREATE INDEX emails_dispatch ON emails (mailbox_id, not_before, created_at) WHERE status = 'queued';
CREATE INDEX emails_mailbox_sent ON emails (mailbox_id, sent_at) WHERE status = 'sent';
CREATE INDEX emails_entity ON emails (account_id, entity_type, entity_id, created_at DESC);

-- Append-only: rows are inserted, never updated or deleted.
CREATE TABLE email_events (
  id         bigserial PRIMARY KEY,
  email_id   uuid NOT NULL REFERENCES emails(id) ON DELETE CASCADE,
  account_id bigint NOT NULL,
  type       text NOT NULL,
  at         timestamptz NOT NULL DEFAULT now(),
  data       jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX email_events_email ON email_events (email_id, id);
`;
