/** Triggers, trigger links, trigger points on templates and emails, executions, honest tracking, digital pipeline. */
export const up = /* sql */ `
CREATE TABLE triggers (
  id            uuid PRIMARY KEY,
  account_id    bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name          text NOT NULL,
  action        text NOT NULL CHECK (action IN ('set_task', 'add_note', 'change_status', 'change_field', 'send_email', 'create_lead', 'change_tags')),
  params        jsonb NOT NULL,
  delay_seconds integer NOT NULL DEFAULT 0 CHECK (delay_seconds >= 0),
  active        boolean NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX triggers_account ON triggers (account_id);

-- The id is the number in {{triggerlink 8}}: small, stable, per installation.
CREATE TABLE trigger_links (
  id            bigserial PRIMARY KEY,
  account_id    bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name          text NOT NULL,
  execute_once  boolean NOT NULL DEFAULT false,
  redirect_url  text,
  trigger_ids   uuid[] NOT NULL DEFAULT '{}',
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX trigger_links_account ON trigger_links (account_id);

-- Trigger points: 'sent', 'opened', 'not_opened', 'failed'. Order = position.
CREATE TABLE template_triggers (
  template_id uuid NOT NULL REFERENCES templates(id) ON DELETE CASCADE,
  point       text NOT NULL CHECK (point IN ('sent', 'opened', 'not_opened', 'failed')),
  trigger_id  uuid NOT NULL REFERENCES triggers(id) ON DELETE CASCADE,
  position    integer NOT NULL DEFAULT 0,
  PRIMARY KEY (template_id, point, trigger_id)
);
ALTER TABLE templates
  ADD COLUMN not_opened_after_seconds integer CHECK (not_opened_after_seconds IS NULL OR not_opened_after_seconds >= 60),
  -- NULL: a template that can reach itself through its own triggers is refused at save time.
  ADD COLUMN repeat_limit integer CHECK (repeat_limit IS NULL OR repeat_limit > 0);

-- An email's own trigger points: copied from its template when composed, or chosen for the mail.
CREATE TABLE email_triggers (
  email_id   uuid NOT NULL REFERENCES emails(id) ON DELETE CASCADE,
  point      text NOT NULL CHECK (point IN ('sent', 'opened', 'not_opened', 'failed')),
  trigger_id uuid NOT NULL REFERENCES triggers(id) ON DELETE CASCADE,
  position   integer NOT NULL DEFAULT 0,
  PRIMARY KEY (email_id, point, trigger_id)
);
ALTER TABLE emails
  ADD COLUMN not_opened_after_seconds integer,
  ADD COLUMN source text NOT NULL DEFAULT 'manual' CHECK (source IN ('manual', 'pipeline', 'trigger')),
  ADD COLUMN parent_email_id uuid REFERENCES emails(id) ON DELETE SET NULL,
  -- Contacts the mail went to (for "create lead for the contact").
  ADD COLUMN contact_ids bigint[] NOT NULL DEFAULT '{}',
  ADD COLUMN human_opens integer NOT NULL DEFAULT 0,
  ADD COLUMN machine_opens integer NOT NULL DEFAULT 0,
  ADD COLUMN human_clicks integer NOT NULL DEFAULT 0,
  ADD COLUMN machine_clicks integer NOT NULL DEFAULT 0,
  ADD COLUMN first_human_open_at timestamptz;
CREATE INDEX emails_template_entity ON emails (account_id, template_id, entity_type, entity_id, created_at);

-- One row per (event, trigger): the unique key is what makes "never applied twice" hold even
-- when the event is delivered or processed more than once.
CREATE TABLE trigger_executions (
  id          uuid PRIMARY KEY,
  account_id  bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  trigger_id  uuid NOT NULL REFERENCES triggers(id) ON DELETE CASCADE,
  email_id    uuid REFERENCES emails(id) ON DELETE CASCADE,
  point       text NOT NULL,
  event_key   text NOT NULL,
  entity_type text NOT NULL CHECK (entity_type IN ('leads', 'contacts', 'companies')),
  entity_id   bigint NOT NULL,
  status      text NOT NULL CHECK (status IN ('scheduled', 'running', 'done', 'failed', 'skipped')),
  run_at      timestamptz NOT NULL,
  attempts    integer NOT NULL DEFAULT 0,
  -- What was asked of Kommo and what it answered, for the mail's history.
  calls       jsonb NOT NULL DEFAULT '[]',
  result      text,
  error       text,
  context     jsonb NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  UNIQUE (event_key, trigger_id)
);
CREATE INDEX trigger_executions_email ON trigger_executions (email_id);

-- Clicks and opens with their classification (human or machine, and why).
CREATE TABLE tracking_hits (
  id          bigserial PRIMARY KEY,
  account_id  bigint NOT NULL,
  email_id    uuid NOT NULL REFERENCES emails(id) ON DELETE CASCADE,
  kind        text NOT NULL CHECK (kind IN ('open', 'click', 'honeypot', 'web')),
  link_id     bigint,
  at          timestamptz NOT NULL DEFAULT now(),
  ip          text,
  user_agent  text,
  human       boolean,
  reason      text,
  decided_at  timestamptz
);
CREATE INDEX tracking_hits_email ON tracking_hits (email_id, at);

-- "Execute once" trigger links fire once per entity, whichever of its contacts clicks first.
CREATE TABLE trigger_link_fires (
  link_id     bigint NOT NULL REFERENCES trigger_links(id) ON DELETE CASCADE,
  entity_type text NOT NULL,
  entity_id   bigint NOT NULL,
  email_id    uuid,
  fired_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (link_id, entity_type, entity_id)
);

CREATE TABLE dp_events (
  id          uuid PRIMARY KEY,
  account_id  bigint NOT NULL,
  lead_id     bigint NOT NULL,
  status_id   bigint NOT NULL,
  pipeline_id bigint,
  event_time  bigint NOT NULL,
  settings    jsonb NOT NULL DEFAULT '{}',
  received_at timestamptz NOT NULL DEFAULT now(),
  outcome     text,
  email_id    uuid REFERENCES emails(id) ON DELETE SET NULL,
  -- Kommo re-delivers webhooks; the same lead entering the same status at the same time is one event.
  UNIQUE (account_id, lead_id, status_id, event_time)
);

ALTER TABLE accounts ADD COLUMN same_template_per_day integer NOT NULL DEFAULT 3 CHECK (same_template_per_day > 0);
`;
