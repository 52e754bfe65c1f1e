import type { CacheStatus, Unsubscribe } from '@arcade/cache';
import { deferred, waitFor } from '@arcade/test-support';
import { createMemoryStore, MemoryCacheManager } from '../src';
import { disposeOpened, open, rejectionOf } from './support/adapters';

afterEach(disposeOpened);

describe('MemoryCacheManager', () => {
  it('works with no options, in a store of its own', async () => {
    const first = await open();
    const second = await open();
    await first.set('k', 'first');
    expect(await second.get('k')).toBeUndefined();
  });

  it('shares data and messages with adapters of the same store and prefix', async () => {
    const store = createMemoryStore();
    const a = await open({ store, keyPrefix: 'app:' });
    const b = await open({ store, keyPrefix: 'app:' });
    await a.setAdd('room', 'x');
    expect(await b.setMembers('room')).toEqual(['x']);
    const received = new Promise<unknown>((resolve) => void b.subscribe('c', resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(await a.publish('c', 'hi')).toBe(1);
    await expect(received).resolves.toBe('hi');
  });

  it('reports ready on init and disposed on dispose to status listeners', async () => {
    const cache = new MemoryCacheManager();
    const seen: CacheStatus[] = [];
    cache.onStatusChange((status) => seen.push(status));
    await cache.init();
    await cache.init();
    await cache.dispose();
    expect(seen).toEqual(['ready', 'disposed']);
  });

  it('stops calling a status listener once the function onStatusChange returned is called', async () => {
    const cache = new MemoryCacheManager();
    const kept: CacheStatus[] = [];
    const removed: CacheStatus[] = [];
    cache.onStatusChange((status) => kept.push(status));
    const stop = cache.onStatusChange((status) => removed.push(status));
    await cache.init();
    stop();
    await cache.dispose();
    expect(removed).toEqual(['ready']);
    expect(kept).toEqual(['ready', 'disposed']);
  });

  it('reports nothing on a second dispose: the status does not change', async () => {
    const cache = await open();
    await cache.dispose();
    const seen: CacheStatus[] = [];
    cache.onStatusChange((status) => seen.push(status));
    await cache.dispose();
    expect(seen).toEqual([]);
    expect(cache.status).toBe('disposed');
  });

  it('rejects values JSON cannot hold exactly with INVALID_ARGUMENT', async () => {
    const cache = await open();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    for (const value of [new Date(0), new Map(), circular, { nested: Number.NaN }, [() => 1], 10n]) {
      const error = await rejectionOf(cache.set('k', value as never));
      expect(error.code).toBe('INVALID_ARGUMENT');
    }
    expect(await cache.contains('k')).toBe(false);
  });

  it.each<[string, (cache: MemoryCacheManager) => Promise<unknown>]>([
    ['a set member that is not a string', (cache) => cache.setAdd('s', 'a', 42 as never)],
    ['a member to remove that is not a string', (cache) => cache.setRemove('s', null as never)],
    ['a message that is neither text nor bytes', (cache) => cache.publish('c', { text: 'hi' } as never)],
    ['a listener that is not a function', (cache) => cache.subscribe('c', 'listener' as never)],
  ])('rejects %s with INVALID_ARGUMENT and changes nothing', async (_, call) => {
    const cache = await open();
    expect((await rejectionOf(call(cache))).code).toBe('INVALID_ARGUMENT');
    expect(await cache.contains('s')).toBe(false);
    expect(await cache.publish('c', 'm')).toBe(0);
  });

  it('names the batch operation whose value it rejects, and applies none of the batch', async () => {
    const cache = await open();
    const error = await rejectionOf(
      cache.batch([
        { type: 'set', key: 'fine', value: 1 },
        { type: 'set', key: 'bad', value: { when: new Date(0) } as never },
      ]),
    );
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain('operations[1].value.when');
    expect(await cache.contains('fine')).toBe(false);
  });

  it('accepts plain objects of another realm and null-prototype objects', async () => {
    const cache = await open();
    const { runInNewContext } = await import('node:vm');
    const foreign = runInNewContext('({ a: [1, { b: 2 }] })') as object;
    const bare = Object.assign(Object.create(null) as object, { c: 3 });
    await cache.set('foreign', foreign as never);
    await cache.set('bare', bare as never);
    expect(await cache.get('foreign')).toEqual({ a: [1, { b: 2 }] });
    expect(await cache.get('bare')).toEqual({ c: 3 });
  });

  it('drops undefined properties and turns undefined array items into null, as JSON does', async () => {
    const cache = await open();
    await cache.set('k', { kept: 1, dropped: undefined, list: [undefined, 2] } as never);
    expect(await cache.get('k')).toEqual({ kept: 1, list: [null, 2] });
    expect(Object.keys((await cache.get('k')) as object)).toEqual(['kept', 'list']);
  });

  it('names the path of a nested value it rejects, inside arrays too', async () => {
    const cache = await open();
    const nested = await rejectionOf(cache.set('k', { a: [{ ok: 1 }, { b: Number.NaN }] } as never));
    expect(nested.message).toContain('the value.a[1].b');
    const extra = await rejectionOf(cache.set('k', Object.assign([1], { extra: () => 1 }) as never));
    expect(extra.code).toBe('INVALID_ARGUMENT');
    expect(extra.message).toContain('the value[extra]');
    expect(await cache.contains('k')).toBe(false);
  });

  it('stores arrays with holes and values nested past the quick check, as JSON would', async () => {
    const cache = await open();
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point.
    await cache.set('holes', [1, , 3] as never);
    expect(await cache.get('holes')).toEqual([1, null, 3]);
    let deep: unknown = 'bottom';
    for (let level = 0; level < 200; level++) deep = level % 2 === 0 ? { next: deep } : [deep];
    await cache.set('deep', deep as never);
    expect(await cache.get('deep')).toEqual(deep);
    await cache.set('proto', JSON.parse('{"__proto__":{"polluted":true}}'));
    expect(Object.keys((await cache.get('proto')) as object)).toEqual(['__proto__']);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('returns bytes as a plain Uint8Array, whatever view was stored', async () => {
    const cache = await open();
    await cache.set('k', Buffer.from('abc'));
    const read = await cache.get('k');
    expect(read).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(read)).toBe(false);
  });

  it('applies nothing of a batch in which a set operation meets a value', async () => {
    const cache = await open();
    await cache.set('value', 'v');
    const error = await rejectionOf(
      cache.batch([
        { type: 'set', key: 'written', value: 1 },
        { type: 'setAdd', key: 'value', members: ['m'] },
      ]),
    );
    expect(error.code).toBe('WRONG_TYPE');
    expect(await cache.contains('written')).toBe(false);
  });

  it('applies nothing of a batch in which a set operation meets a value the batch wrote', async () => {
    const cache = await open();
    const error = await rejectionOf(
      cache.batch([
        { type: 'set', key: 'k', value: 'v' },
        { type: 'setRemove', key: 'k', members: ['m'] },
      ]),
    );
    expect(error.code).toBe('WRONG_TYPE');
    expect(await cache.contains('k')).toBe(false);
  });

  it('checks the kinds of a long batch as those of a short one', async () => {
    const cache = await open();
    const filler = Array.from({ length: 20 }, (_, i) => ({ type: 'set' as const, key: `f${i}`, value: i }));
    const error = await rejectionOf(
      cache.batch([
        { type: 'set', key: 'k', value: 'v' },
        ...filler,
        { type: 'setAdd', key: 'k', members: ['m'] },
      ]),
    );
    expect(error.code).toBe('WRONG_TYPE');
    expect(await cache.contains('f0')).toBe(false);
    await cache.batch([
      { type: 'set', key: 'k', value: 'v' },
      ...filler,
      { type: 'remove', key: 'k' },
      { type: 'setAdd', key: 'k', members: ['m'] },
    ]);
    expect(await cache.setMembers('k')).toEqual(['m']);
    // A key the long batch never wrote before: what the store holds there decides, each time it appears.
    await cache.set('held', 'v');
    const held = await rejectionOf(
      cache.batch([
        { type: 'setAdd', key: 'k', members: ['n'] },
        ...filler,
        { type: 'setAdd', key: 'k', members: ['o'] },
        { type: 'setAdd', key: 'held', members: ['m'] },
      ]),
    );
    expect(held.code).toBe('WRONG_TYPE');
    expect(await cache.setMembers('k')).toEqual(['m']);
  });

  it('lets a batch turn a value into a set when it removes the value first', async () => {
    const cache = await open();
    await cache.set('k', 'v');
    await cache.batch([
      { type: 'remove', key: 'k' },
      { type: 'setAdd', key: 'k', members: ['m'] },
    ]);
    expect(await cache.setMembers('k')).toEqual(['m']);
  });

  it('hands a listener error to onListenerError with its channel', async () => {
    const errors: Array<[unknown, string]> = [];
    const cache = await open({ onListenerError: (error, channel) => errors.push([error, channel]) });
    const failure = new Error('boom');
    await cache.subscribe('c', () => {
      throw failure;
    });
    const delivered = new Promise((resolve) => void cache.subscribe('c', resolve));
    await cache.publish('c', 'm');
    await delivered;
    expect(errors).toEqual([[failure, 'c']]);
  });

  it('reports a listener error as a process warning by default', async () => {
    const cache = await open();
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      await cache.subscribe('c', () => {
        throw new Error('listener failed');
      });
      const delivered = new Promise((resolve) => void cache.subscribe('c', resolve));
      await cache.publish('c', 'm');
      await delivered;
      expect(emitWarning).toHaveBeenCalledTimes(1);
      expect(String(emitWarning.mock.calls[0]?.[0])).toMatch(/channel "c".*listener failed/s);
    } finally {
      emitWarning.mockRestore();
    }
  });

  it('delivers a message published by a listener on a later turn, never recursively', async () => {
    const cache = await open();
    const depths: number[] = [];
    let depth = 0;
    await cache.subscribe('ping', (message) => {
      depth += 1;
      depths.push(depth);
      const n = Number(message);
      if (n < 5) void cache.publish('ping', String(n + 1));
      depth -= 1;
    });
    await cache.publish('ping', '1');
    await waitFor(() => depths.length === 5, { description: 'the five chained deliveries' });
    expect(depths).toEqual([1, 1, 1, 1, 1]);
  });

  it('never delivers to a listener removed before the message is handed out', async () => {
    const cache = await open();
    const received: unknown[] = [];
    const unsubscribe = await cache.subscribe('c', (message) => received.push(message));
    const other = new Promise((resolve) => void cache.subscribe('c', resolve));
    await cache.publish('c', 'queued');
    await unsubscribe();
    await other;
    expect(received).toEqual([]);
  });

  it('gives a listener subscribed during a delivery the next message, not the one being delivered', async () => {
    const cache = await open();
    const received: string[] = [];
    const secondGotOne = deferred();
    await cache.subscribe('c', (message) => {
      received.push(`first ${String(message)}`);
      if (message === 'one')
        void cache.subscribe('c', (next) => {
          received.push(`second ${String(next)}`);
          secondGotOne.resolve();
        });
    });
    await cache.publish('c', 'one');
    await waitFor(() => received.length === 1, { description: 'the first delivery' });
    await new Promise((resolve) => setImmediate(resolve));
    await cache.publish('c', 'two');
    await secondGotOne.promise;
    expect(received).toEqual(['first one', 'first two', 'second two']);
  });

  it('skips a listener that an earlier listener of the same message unsubscribed', async () => {
    const cache = await open();
    const ran: string[] = [];
    const lastRan = deferred();
    let unsubscribeSecond: Unsubscribe | undefined;
    await cache.subscribe('c', () => {
      ran.push('first');
      void unsubscribeSecond?.();
    });
    unsubscribeSecond = await cache.subscribe('c', () => ran.push('second'));
    await cache.subscribe('c', () => {
      ran.push('third');
      lastRan.resolve();
    });
    await cache.publish('c', 'm');
    await lastRan.promise;
    expect(ran).toEqual(['first', 'third']);
  });

  it('runs no listener once an earlier listener of the same message disposed the adapter', async () => {
    const cache = await open();
    const ran: string[] = [];
    const firstRan = deferred();
    await cache.subscribe('c', () => {
      ran.push('first');
      void cache.dispose();
      firstRan.resolve();
    });
    await cache.subscribe('c', () => ran.push('second'));
    await cache.publish('c', 'm');
    await firstRan.promise;
    // The listeners of one message run in one synchronous loop: the second would have run by now.
    expect(ran).toEqual(['first']);
  });

  it('delivers nothing to a disposed adapter, even a message queued before dispose', async () => {
    const store = createMemoryStore();
    const disposed = await open({ store });
    const witness = await open({ store });
    const received: unknown[] = [];
    await disposed.subscribe('c', (message) => received.push(message));
    const witnessed = new Promise((resolve) => void witness.subscribe('c', resolve));
    expect(await witness.publish('c', 'queued')).toBe(2);
    await disposed.dispose();
    await witnessed;
    expect(received).toEqual([]);
  });

  it('keeps the store’s data when an adapter is disposed', async () => {
    const store = createMemoryStore();
    const writer = await open({ store });
    await writer.set('k', 'v');
    await writer.dispose();
    const reader = await open({ store });
    expect(await reader.get('k')).toBe('v');
  });
});

describe('createMemoryStore', () => {
  it('sweeps expired keys nobody reads', async () => {
    let now = 0;
    const store = createMemoryStore({ now: () => now, sweepIntervalMs: 5 });
    const cache = await open({ store });
    await cache.set('expiring', 'v', { ttlMs: 10 });
    await cache.set('kept', 'v');
    now = 11;
    await waitFor(() => !store.entries.has('expiring'), { description: 'the sweep to drop the expired key' });
    expect([...store.entries.keys()]).toEqual(['kept']);
  });

  it('keeps no timer that holds the process open', async () => {
    const before = process.getActiveResourcesInfo().filter((type) => type === 'Timeout').length;
    await open({ store: createMemoryStore({ sweepIntervalMs: 10 }) });
    const after = process.getActiveResourcesInfo().filter((type) => type === 'Timeout').length;
    expect(after).toBe(before);
  });
});
