/** Tracking at speed: clicks wait out their settle window in the table, not as one job each. */
export const up = /* sql */ `
-- When a click's verdict is due (its arrival plus the settle window, the database's clock); every
-- process's sweep claims due undecided clicks. Rows from before are due at once.
ALTER TABLE tracking_hits ADD COLUMN settle_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX tracking_hits_due ON tracking_hits (settle_at) WHERE decided_at IS NULL;
-- The per-click settle jobs are gone: the sweep decides their hits (still undecided, now due).
DO $$ BEGIN
  IF to_regclass('agenda_jobs') IS NOT NULL THEN DELETE FROM agenda_jobs WHERE name = 'tracking.decide-click'; END IF;
END $$;
`;
