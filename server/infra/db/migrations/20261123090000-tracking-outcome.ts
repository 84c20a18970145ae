/** Honest tracking: what each hit did to the automation, and the clicks still being decided. */
export const up = /* sql */ `
-- 'fired', 'already_fired' (once-link or "opened" already ran), 'no_triggers', 'machine',
-- 'link_deleted'; NULL while a click waits out its settle window. History shows it so a user can
-- see why a trigger did or did not run.
ALTER TABLE tracking_hits ADD COLUMN outcome text;
-- Clicks not decided yet; the sweep decides any whose settle job was lost in a crash.
CREATE INDEX tracking_hits_pending ON tracking_hits (at) WHERE decided_at IS NULL;
`;
