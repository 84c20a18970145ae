/**
 * A digital-pipeline event is claimed by one job run at a time: the queue may start a job twice
 * (an expired lock, a recovery sweep), and a second run must not add a second "not sent" note.
 */
export const up = /* sql */ `
ALTER TABLE dp_events
  ADD COLUMN lease_until timestamptz,
  ADD COLUMN attempts integer NOT NULL DEFAULT 0;
CREATE INDEX dp_events_undecided ON dp_events (received_at) WHERE outcome IS NULL;
`;
