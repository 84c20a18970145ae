/** The queue's concurrency and heartbeat settings (config.ts), validated at start-up. */
import { loadConfig } from '../../server/infra/config/config.js';

describe('queue settings', () => {
  it('default to 20 workers, at most 8 of them sending, a 2 s heartbeat and death after 10 s', () => {
    const c = loadConfig({});
    expect(c.queueConcurrency).toBe(20);
    expect(c.sendConcurrency).toBe(8);
    expect(c.instance).toEqual({ heartbeatMs: 2000, deadAfterMs: 10_000 });
  });

  it('refuse sends that could take every worker, and a death limit of fewer than 3 heartbeats', () => {
    expect(() => loadConfig({ QUEUE_CONCURRENCY: '8', SEND_CONCURRENCY: '8' })).toThrow(/SEND_CONCURRENCY: must be less than QUEUE_CONCURRENCY/);
    expect(() => loadConfig({ INSTANCE_HEARTBEAT_MS: '1000', INSTANCE_DEAD_AFTER_MS: '2000' })).toThrow(/INSTANCE_DEAD_AFTER_MS: must be at least 3 × INSTANCE_HEARTBEAT_MS/);
    expect(() => loadConfig({ SEND_CONCURRENCY: 'many' })).toThrow(/SEND_CONCURRENCY: /);
  });
});
