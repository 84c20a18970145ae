/** Request slots of the Kommo rate limiter, shared by every server process (pg-rate-limiter.ts). */
export const up = /* sql */ `
CREATE TABLE rate_limit_slots (
  key text NOT NULL,
  at  timestamptz NOT NULL
);
CREATE INDEX rate_limit_slots_key_at ON rate_limit_slots (key, at);
`;
