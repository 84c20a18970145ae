/**
 * Trigger executions: a lease for the run in progress (a run whose lease expired was interrupted
 * and is never re-applied blindly) and when it started (the delay is provable from the row).
 */
export const up = /* sql */ `
ALTER TABLE trigger_executions
  ADD COLUMN lease_until timestamptz,
  ADD COLUMN started_at  timestamptz;
-- The recovery sweep looks for interrupted runs and for scheduled rows whose job was lost.
CREATE INDEX trigger_executions_pending ON trigger_executions (status, run_at) WHERE status IN ('scheduled', 'running');
`;
