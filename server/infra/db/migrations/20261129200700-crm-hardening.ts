/**
 * Kommo tokens that refresh without holding a lock (a lease instead) and can be disconnected;
 * link rows that carry their account, so a link between two accounts cannot exist (composite
 * foreign keys); trigger executions that remember their queue job, so the recovery sweep finds
 * lost jobs by primary key instead of scanning the jobs' JSON.
 */
export const up = /* sql */ `
-- A refresh is claimed with a short lease (kommo-tokens.service.ts); Kommo is called outside
-- any transaction. "disconnected" is set when Kommo refuses the refresh token for good.
ALTER TABLE kommo_tokens
  ADD COLUMN refresh_lease_until timestamptz,
  ADD COLUMN refresh_lease_owner uuid,
  ADD COLUMN disconnected_at     timestamptz,
  ADD COLUMN disconnected_reason text;

-- Parents: (account_id, id) is what a link row points at.
ALTER TABLE templates     ADD CONSTRAINT templates_account_id_key     UNIQUE (account_id, id);
ALTER TABLE emails        ADD CONSTRAINT emails_account_id_key        UNIQUE (account_id, id);
ALTER TABLE triggers      ADD CONSTRAINT triggers_account_id_key      UNIQUE (account_id, id);
ALTER TABLE trigger_links ADD CONSTRAINT trigger_links_account_id_key UNIQUE (account_id, id);

-- Link rows written without an account (older code paths) take their parent's; an explicit
-- account that differs from the parent's fails the composite key instead of being corrected.
CREATE FUNCTION fill_link_account() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF NEW.account_id IS NULL THEN
    EXECUTE format('SELECT account_id FROM %I WHERE id = ($1)::%s', TG_ARGV[0], TG_ARGV[2]) INTO NEW.account_id USING (to_jsonb(NEW) ->> TG_ARGV[1]);
  END IF;
  RETURN NEW;
END
$fn$;

ALTER TABLE template_triggers ADD COLUMN account_id bigint;
UPDATE template_triggers l SET account_id = p.account_id FROM templates p WHERE p.id = l.template_id;
-- A link to another account's trigger was never legitimate: it goes.
DELETE FROM template_triggers l USING triggers t WHERE t.id = l.trigger_id AND t.account_id <> l.account_id;
ALTER TABLE template_triggers
  ALTER COLUMN account_id SET NOT NULL,
  ADD CONSTRAINT template_triggers_template_fk FOREIGN KEY (account_id, template_id) REFERENCES templates (account_id, id) ON DELETE CASCADE,
  ADD CONSTRAINT template_triggers_trigger_fk FOREIGN KEY (account_id, trigger_id) REFERENCES triggers (account_id, id) ON DELETE CASCADE;
CREATE TRIGGER template_triggers_account BEFORE INSERT ON template_triggers
  FOR EACH ROW EXECUTE FUNCTION fill_link_account('templates', 'template_id', 'uuid');

ALTER TABLE email_triggers ADD COLUMN account_id bigint;
UPDATE email_triggers l SET account_id = p.account_id FROM emails p WHERE p.id = l.email_id;
DELETE FROM email_triggers l USING triggers t WHERE t.id = l.trigger_id AND t.account_id <> l.account_id;
ALTER TABLE email_triggers
  ALTER COLUMN account_id SET NOT NULL,
  ADD CONSTRAINT email_triggers_email_fk FOREIGN KEY (account_id, email_id) REFERENCES emails (account_id, id) ON DELETE CASCADE,
  ADD CONSTRAINT email_triggers_trigger_fk FOREIGN KEY (account_id, trigger_id) REFERENCES triggers (account_id, id) ON DELETE CASCADE;
CREATE TRIGGER email_triggers_account BEFORE INSERT ON email_triggers
  FOR EACH ROW EXECUTE FUNCTION fill_link_account('emails', 'email_id', 'uuid');

ALTER TABLE trigger_link_fires ADD COLUMN account_id bigint;
UPDATE trigger_link_fires l SET account_id = p.account_id FROM trigger_links p WHERE p.id = l.link_id;
-- A fire whose mail is gone or belongs elsewhere keeps its claim but loses the mail reference.
UPDATE trigger_link_fires l SET email_id = NULL
  WHERE email_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM emails e WHERE e.id = l.email_id AND e.account_id = l.account_id);
ALTER TABLE trigger_link_fires
  ALTER COLUMN account_id SET NOT NULL,
  ADD CONSTRAINT trigger_link_fires_link_fk FOREIGN KEY (account_id, link_id) REFERENCES trigger_links (account_id, id) ON DELETE CASCADE,
  ADD CONSTRAINT trigger_link_fires_email_fk FOREIGN KEY (account_id, email_id) REFERENCES emails (account_id, id) ON DELETE SET NULL (email_id);
CREATE TRIGGER trigger_link_fires_account BEFORE INSERT ON trigger_link_fires
  FOR EACH ROW EXECUTE FUNCTION fill_link_account('trigger_links', 'link_id', 'bigint');

-- Executions already carry the account: their trigger and mail must be of that account.
DELETE FROM trigger_executions x USING triggers t WHERE t.id = x.trigger_id AND t.account_id <> x.account_id;
UPDATE trigger_executions x SET email_id = NULL FROM emails e WHERE e.id = x.email_id AND e.account_id <> x.account_id;
ALTER TABLE trigger_executions
  ADD CONSTRAINT trigger_executions_trigger_fk FOREIGN KEY (account_id, trigger_id) REFERENCES triggers (account_id, id) ON DELETE CASCADE,
  ADD CONSTRAINT trigger_executions_email_fk FOREIGN KEY (account_id, email_id) REFERENCES emails (account_id, id) ON DELETE CASCADE;

-- The other rows that point at two owned rows at once: attachments (template or mail), mails
-- (mailbox, template, parent mail), tracking hits, digital-pipeline events, the global mailbox.
ALTER TABLE mailboxes ADD CONSTRAINT mailboxes_account_id_key UNIQUE (account_id, id);
DELETE FROM attachments a USING templates t WHERE t.id = a.template_id AND t.account_id <> a.account_id;
DELETE FROM attachments a USING emails e WHERE e.id = a.email_id AND e.account_id <> a.account_id;
ALTER TABLE attachments
  ADD CONSTRAINT attachments_template_account_fk FOREIGN KEY (account_id, template_id) REFERENCES templates (account_id, id) ON DELETE CASCADE,
  ADD CONSTRAINT attachments_email_account_fk FOREIGN KEY (account_id, email_id) REFERENCES emails (account_id, id) ON DELETE CASCADE;
UPDATE emails e SET template_id = NULL FROM templates t WHERE t.id = e.template_id AND t.account_id <> e.account_id;
UPDATE emails e SET parent_email_id = NULL FROM emails p WHERE p.id = e.parent_email_id AND p.account_id <> e.account_id;
ALTER TABLE emails
  ADD CONSTRAINT emails_mailbox_account_fk FOREIGN KEY (account_id, mailbox_id) REFERENCES mailboxes (account_id, id),
  ADD CONSTRAINT emails_template_account_fk FOREIGN KEY (account_id, template_id) REFERENCES templates (account_id, id) ON DELETE SET NULL (template_id),
  ADD CONSTRAINT emails_parent_account_fk FOREIGN KEY (account_id, parent_email_id) REFERENCES emails (account_id, id) ON DELETE SET NULL (parent_email_id);
UPDATE tracking_hits h SET account_id = e.account_id FROM emails e WHERE e.id = h.email_id AND e.account_id <> h.account_id;
ALTER TABLE tracking_hits
  ADD CONSTRAINT tracking_hits_email_account_fk FOREIGN KEY (account_id, email_id) REFERENCES emails (account_id, id) ON DELETE CASCADE;
UPDATE dp_events d SET email_id = NULL FROM emails e WHERE e.id = d.email_id AND e.account_id <> d.account_id;
ALTER TABLE dp_events
  ADD CONSTRAINT dp_events_email_account_fk FOREIGN KEY (account_id, email_id) REFERENCES emails (account_id, id) ON DELETE SET NULL (email_id);
UPDATE accounts a SET global_mailbox_id = NULL FROM mailboxes m WHERE m.id = a.global_mailbox_id AND m.account_id <> a.id;
ALTER TABLE accounts
  ADD CONSTRAINT accounts_global_mailbox_account_fk FOREIGN KEY (id, global_mailbox_id) REFERENCES mailboxes (account_id, id) ON DELETE SET NULL (global_mailbox_id);

-- The queue job that will run a scheduled execution (agenda_jobs.id): the orphan sweep looks it
-- up by primary key. NULL: none was recorded (a crash between insert and enqueue).
ALTER TABLE trigger_executions ADD COLUMN job_id uuid;
`;
