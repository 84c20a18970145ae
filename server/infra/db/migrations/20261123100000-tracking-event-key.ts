/** Honest tracking: the trigger event a click fired, so a lost fire() can be repeated safely. */
export const up = /* sql */ `
-- The TriggerEvent key a 'fired' hit fired with (click:<hitId> or click:<linkId>:<type>:<id>); the
-- engine runs each (event_key, trigger) once, so the tracking sweep may fire it again after a crash.
ALTER TABLE tracking_hits ADD COLUMN event_key text;
`;
