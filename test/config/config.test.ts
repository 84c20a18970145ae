import { ConfigError, loadConfig } from '../../server/infra/config/config.js';

describe('configuration', () => {
  it('has working defaults for a local run', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.publicUrl).toBe('http://localhost:3000');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.kommo.apiUrlTemplate).toBe('https://{subdomain}.kommo.com');
  });

  it('names every bad variable and the problem', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', KOMMO_API_URL: 'http://127.0.0.1:4010', ENCRYPTION_KEY: 'short' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/PORT: /);
    expect(message).toMatch(/DATABASE_URL: must be a postgres/);
    expect(message).toMatch(/KOMMO_API_URL: must be an http\(s\) URL containing \{subdomain\}/);
    expect(message).toMatch(/ENCRYPTION_KEY: must be 32 bytes/);
  });

  it('requires the secrets in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/ENCRYPTION_KEY: required in production[\s\S]*KOMMO_CLIENT_SECRET: required in production/);
  });

  it('refuses an external database without ENCRYPTION_KEY', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u:p@db.example/leadmail' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u:p@db.example/leadmail' })).toThrow(/ENCRYPTION_KEY: required when DATABASE_URL is set/);
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db.example/leadmail', ENCRYPTION_KEY: 'ab'.repeat(32) }).encryptionKey).toHaveLength(32);
  });

  it('derives PUBLIC_URL from PORT and reads a hex or base64 key', () => {
    expect(loadConfig({ PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
    expect(loadConfig({ ENCRYPTION_KEY: 'ab'.repeat(32) }).encryptionKey).toHaveLength(32);
    expect(loadConfig({ ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') }).encryptionKey).toEqual(Buffer.alloc(32, 7));
  });

  it('reads the messages in flight of a mailbox without a pace limit, and refuses a bad count by name', () => {
    expect(loadConfig({}).sending.unpacedParallel).toBe(40);
    expect(loadConfig({ SMTP_UNPACED_PARALLEL: '8' }).sending.unpacedParallel).toBe(8);
    expect(() => loadConfig({ SMTP_UNPACED_PARALLEL: '0' })).toThrow(/SMTP_UNPACED_PARALLEL: /);
    expect(() => loadConfig({ SMTP_UNPACED_PARALLEL: 'many' })).toThrow(/SMTP_UNPACED_PARALLEL: /);
  });

  it('reads the heap growing percent, 50 by default, and refuses a bad one by name', () => {
    expect(loadConfig({}).heapGrowingPercent).toBe(50);
    expect(loadConfig({ HEAP_GROWING_PERCENT: '0' }).heapGrowingPercent).toBe(0);
    expect(() => loadConfig({ HEAP_GROWING_PERCENT: '-5' })).toThrow(/HEAP_GROWING_PERCENT: /);
    expect(() => loadConfig({ HEAP_GROWING_PERCENT: 'half' })).toThrow(/HEAP_GROWING_PERCENT: /);
  });
});
