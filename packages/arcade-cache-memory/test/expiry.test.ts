import { MemoryCacheManager, type MemoryStoreOptions } from '../src';
import { disposeOpened, open, storeOnClock } from './support/adapters';

// The sweep runs on setInterval: jest's fake timers count its timer and fire it only when told to,
// and the store's clock is a variable, so nothing here waits on real time.
beforeEach(() => {
  jest.useFakeTimers();
});

afterEach(async () => {
  await disposeOpened();
  jest.useRealTimers();
});

describe('expiry on the store clock', () => {
  it('expires a key when its TTL has run out, to the millisecond: the README lease example', async () => {
    const { clock, store } = storeOnClock();
    const cache = await open({ store });
    await cache.set('lease', 'me', { ttlMs: 15_000 });
    clock.now += 14_999;
    expect(await cache.get('lease')).toBe('me');
    clock.now += 1; // the lease has expired
    expect(await cache.get('lease')).toBeUndefined();
  });

  it('reports an expired key as not removed', async () => {
    const { clock, store } = storeOnClock();
    const cache = await open({ store });
    await cache.set('k', 'v', { ttlMs: 10 });
    clock.now = 11;
    // No read and no sweep since it expired: the key is still in the store when remove() looks.
    expect(store.entries.has('k')).toBe(true);
    expect(await cache.remove('k')).toBe(false);
  });
});

describe('the sweep of expired keys', () => {
  it.each<[string, Omit<MemoryStoreOptions, 'now'>, number]>([
    ['1000 ms by default', {}, 1000],
    ['sweepIntervalMs when given', { sweepIntervalMs: 50 }, 50],
  ])('runs every %s', async (_, options, intervalMs) => {
    const { clock, store } = storeOnClock(options);
    const cache = await open({ store });
    await cache.set('expiring', 'v', { ttlMs: 10 });
    await cache.set('kept', 'v');
    clock.now = 11;
    jest.advanceTimersByTime(intervalMs - 1);
    expect([...store.entries.keys()]).toEqual(['expiring', 'kept']);
    jest.advanceTimersByTime(1);
    expect([...store.entries.keys()]).toEqual(['kept']);
  });

  it('keeps running while an initialized adapter uses the store, whoever else is disposed', async () => {
    const { clock, store } = storeOnClock();
    const neverInitialized = new MemoryCacheManager({ store });
    const leaving = await open({ store });
    const staying = await open({ store });
    await neverInitialized.dispose();
    await leaving.dispose();
    await staying.set('expiring', 'v', { ttlMs: 10 });
    clock.now = 11;
    jest.advanceTimersByTime(1000);
    expect([...store.entries.keys()]).toEqual([]);
  });

  it('has one timer per store while adapters use it, and none once the last one is disposed', async () => {
    const { store } = storeOnClock();
    const first = await open({ store });
    const second = await open({ store });
    expect(jest.getTimerCount()).toBe(1);
    await first.dispose();
    expect(jest.getTimerCount()).toBe(1);
    await second.dispose();
    expect(jest.getTimerCount()).toBe(0);
  });
});
