import { CrmMetadataCache } from '../cached-crm.client.js';

describe('CrmMetadataCache', () => {
  it('reuses a value within its lifetime and reloads after', async () => {
    let loads = 0;
    const cache = new CrmMetadataCache(50);
    const load = async () => ++loads;
    expect(await cache.get('1:users', load)).toBe(1);
    expect(await cache.get('1:users', load)).toBe(1);
    await new Promise((r) => setTimeout(r, 60));
    expect(await cache.get('1:users', load)).toBe(2);
  });

  it('never keeps a failed load, and invalidates one account only', async () => {
    const cache = new CrmMetadataCache(10_000);
    await expect(cache.get('1:users', async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('1:users', async () => 'fresh')).toBe('fresh');
    await cache.get('2:users', async () => 'other');
    cache.invalidate(1);
    expect(await cache.get('1:users', async () => 'reloaded')).toBe('reloaded');
    expect(await cache.get('2:users', async () => 'not used')).toBe('other');
  });

  it('with a lifetime of 0 always loads', async () => {
    let loads = 0;
    const cache = new CrmMetadataCache(0);
    await cache.get('1:x', async () => ++loads);
    await cache.get('1:x', async () => ++loads);
    expect(loads).toBe(2);
  });
});
