/** Tracking hardening: why a hit was judged as it was, and the hourly cap on what hits fire. */
export const up = /* sql */ `
-- The evidence in words, for history ("gmail proxy, 4 min after delivery", "2 hits 12 ms apart,
-- 25 s after sending"); the reason column stays the stable code statistics group by.
ALTER TABLE tracking_hits ADD COLUMN detail text;

-- Every-time trigger links fire at most a fixed number of times per link and entity per hour,
-- so one mailed URL cannot be replayed to flood an account's Kommo. One row per link and entity:
-- the window opens with its first fire and is reopened by the first fire an hour or more later.
CREATE TABLE trigger_link_fire_windows (
  link_id      bigint NOT NULL REFERENCES trigger_links(id) ON DELETE CASCADE,
  entity_type  text NOT NULL,
  entity_id    bigint NOT NULL,
  window_start timestamptz NOT NULL,
  fires        integer NOT NULL,
  PRIMARY KEY (link_id, entity_type, entity_id)
);
`;
