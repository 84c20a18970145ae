/**
 * Sends are leased to a live server process, not to a wall-clock deadline (issue 6 §3):
 * every process has a row here and refreshes `heartbeat_at` every few seconds; a `sending` email
 * records its owner, so a peer or a restart sees a dead owner within seconds. `unknown` is the
 * outcome of a send whose owner died in the SMTP transaction and that could not be told apart.
 */
export const up = /* sql */ `
CREATE TABLE server_instances (
  id           uuid PRIMARY KEY,
  started_at   timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE emails ADD COLUMN owner_instance uuid;
ALTER TABLE emails DROP CONSTRAINT emails_status_check;
ALTER TABLE emails ADD CONSTRAINT emails_status_check
  CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'cancelled', 'unknown'));
-- "Is this mailbox busy?" and "whose owner died?" are asked on every claim and every heartbeat.
CREATE INDEX emails_sending ON emails (mailbox_id) WHERE status = 'sending';
`;
