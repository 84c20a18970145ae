/**
 * A mailing's resolve lease names the process holding it, so it dies with that process: a
 * restart (or a peer) takes over as soon as the holder's heartbeat is stale, instead of waiting
 * out the lease's clock (which left a mailing killed mid-resolve idle for up to 20 s).
 */
export const up = /* sql */ `
ALTER TABLE mailings ADD COLUMN resolve_lease_owner uuid;
`;
