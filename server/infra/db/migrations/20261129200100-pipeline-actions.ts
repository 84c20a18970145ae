/**
 * Digital-pipeline actions issued by the backend (kommo-widget.md §3): Kommo does not sign its
 * DP webhook, so template, delay and filter live here and the hook carries only a signed token
 * naming one of these rows. dp_events lose their unique key on Kommo's `event.time`, which any
 * caller chooses freely; repeated deliveries are now matched by `dedupe_key` (account, lead,
 * status, action) within a window of receipt time (dp-events.repository.ts).
 * rate_limit_hits holds the shared counters of express-rate-limit (server/public/pg-rate-limit-store.ts).
 */
export const up = /* sql */ `
CREATE TABLE pipeline_actions (
  id            uuid PRIMARY KEY,
  account_id    bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name          text NOT NULL,
  -- A deleted template leaves the action visibly broken rather than silently gone.
  template_id   uuid REFERENCES templates(id) ON DELETE SET NULL,
  delay_seconds integer NOT NULL CHECK (delay_seconds >= 0),
  filter        jsonb NOT NULL DEFAULT '{}',
  active        boolean NOT NULL DEFAULT true,
  created_by    bigint NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pipeline_actions_account ON pipeline_actions (account_id, created_at);

ALTER TABLE dp_events DROP CONSTRAINT dp_events_account_id_lead_id_status_id_event_time_key;
ALTER TABLE dp_events
  ADD COLUMN action_id uuid REFERENCES pipeline_actions(id) ON DELETE SET NULL,
  ADD COLUMN dedupe_key text;
CREATE INDEX dp_events_dedupe ON dp_events (dedupe_key, received_at);

CREATE TABLE rate_limit_hits (
  key      text PRIMARY KEY,
  hits     integer NOT NULL,
  reset_at timestamptz NOT NULL
);
CREATE INDEX rate_limit_hits_reset ON rate_limit_hits (reset_at);
`;
