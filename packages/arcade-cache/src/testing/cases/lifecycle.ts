import assert from 'node:assert/strict';
import type { CacheManager, CacheStatus } from '../../cache-manager';
import type { CacheErrorCode } from '../../errors';
import { rejectsWithCode } from '../assertions';
import type { CaseGroup } from './case-spec';

/** One call of every data method, for checking they all reject the same way. */
function everyDataCall(adapter: CacheManager): Array<[string, () => Promise<unknown>]> {
  return [
    ['get', () => adapter.get('k')],
    ['set', () => adapter.set('k', 'v')],
    ['setIfAbsent', () => adapter.setIfAbsent('k', 'v', { ttlMs: 1000 })],
    ['remove', () => adapter.remove('k')],
    ['contains', () => adapter.contains('k')],
    ['clear', () => adapter.clear()],
    ['setAdd', () => adapter.setAdd('s', 'a')],
    ['setRemove', () => adapter.setRemove('s', 'a')],
    ['setMembers', () => adapter.setMembers('s')],
    ['setSize', () => adapter.setSize('s')],
    ['batch', () => adapter.batch([{ type: 'set', key: 'k', value: 1 }])],
    ['appendToLog', () => adapter.appendToLog('l', 'm', { maxLength: 10, ttlMs: 1000 })],
    ['readLog', () => adapter.readLog('l', { limit: 10 })],
    ['publish', () => adapter.publish('c', 'm')],
    ['subscribe', () => adapter.subscribe('c', () => {})],
  ];
}

async function assertEveryCallRejects(
  adapter: CacheManager,
  code: CacheErrorCode,
  when: string,
): Promise<void> {
  for (const [method, call] of everyDataCall(adapter)) {
    await rejectsWithCode(`${method}() ${when}`, code, call);
  }
}

/** Counts of the process's active handles by type (ref'd timers, sockets, servers...). */
function activeHandleCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

function handlesAbove(baseline: Map<string, number>): string[] {
  const extra: string[] = [];
  for (const [type, count] of activeHandleCounts()) {
    const before = baseline.get(type) ?? 0;
    if (count > before) extra.push(`${count - before} ${type}`);
  }
  return extra;
}

export const lifecycleCases: CaseGroup = {
  group: 'lifecycle',
  cases: [
    {
      name: 'init is idempotent, concurrently and in sequence',
      async run(h) {
        const cache = await h.create();
        await Promise.all([cache.init(), cache.init()]);
        await cache.init();
        await cache.set('k', 'v');
        assert.equal(await cache.get('k'), 'v');
      },
    },
    {
      name: 'status is idle before init, ready after it and disposed after dispose',
      async run(h) {
        const cache = await h.create();
        assert.equal(cache.status, 'idle');
        await cache.init();
        assert.equal(cache.status, 'ready');
        const seen: CacheStatus[] = [];
        const stop = cache.onStatusChange((status) => seen.push(status));
        assert.equal(typeof stop, 'function', 'onStatusChange returns a function that removes the listener');
        await cache.dispose();
        assert.equal(cache.status, 'disposed');
        assert.equal(seen.at(-1), 'disposed', 'onStatusChange reports disposed');
        stop();
      },
    },
    {
      name: 'every data method rejects with NOT_INITIALIZED before init',
      async run(h) {
        const cache = await h.create();
        await assertEveryCallRejects(cache, 'NOT_INITIALIZED', 'before init()');
      },
    },
    {
      name: 'every method rejects with DISPOSED after dispose, init included',
      async run(h) {
        const cache = await h.open();
        await cache.dispose();
        await assertEveryCallRejects(cache, 'DISPOSED', 'after dispose()');
        await rejectsWithCode('init() after dispose()', 'DISPOSED', () => cache.init());
      },
    },
    {
      name: 'dispose is idempotent and works without init',
      async run(h) {
        const opened = await h.open();
        await Promise.all([opened.dispose(), opened.dispose()]);
        await opened.dispose();
        const neverInitialized = await h.create();
        await neverInitialized.dispose();
        await rejectsWithCode('get() after dispose() without init()', 'DISPOSED', () =>
          neverInitialized.get('k'),
        );
      },
    },
    {
      name: 'dispose ends its subscriptions: no listener runs once it is called',
      async run(h) {
        const listener = await h.open();
        const publisher = await h.open();
        const channel = h.channel('disposed');
        const received: unknown[] = [];
        let disposeCalled = false;
        const lateDeliveries: unknown[] = [];
        await listener.subscribe(channel, (message) => {
          received.push(message);
          if (disposeCalled) lateDeliveries.push(message);
        });
        assert.equal(await publisher.publish(channel, 'before'), 1);
        await h.waitFor('the message published before dispose', () => received.length === 1);
        // Still in flight when dispose() is called: it may be dropped, never delivered afterwards.
        await publisher.publish(channel, 'in flight');
        disposeCalled = true;
        await listener.dispose();
        assert.equal(await publisher.publish(channel, 'after'), 0, 'a disposed adapter still receives');
        // A round trip through a live subscriber proves any stray delivery would have arrived by now.
        const probe: unknown[] = [];
        await publisher.subscribe(channel, (message) => probe.push(message));
        await publisher.publish(channel, 'probe');
        await h.waitFor('the probe message', () => probe.length === 1);
        assert.deepEqual(lateDeliveries, [], 'a listener ran after dispose() was called');
      },
    },
    {
      name: 'dispose releases every timer and socket it opened',
      skip: (options) => (options.checkOpenHandles === false ? 'checkOpenHandles is false' : undefined),
      async run(h) {
        const baseline = activeHandleCounts();
        const cache = await h.open();
        const channel = h.channel('handles');
        const received: unknown[] = [];
        await cache.set('ttl', 'v', { ttlMs: 60_000 });
        await cache.setIfAbsent('lease', 'v', { ttlMs: 60_000 });
        await cache.setAdd('set', 'a');
        await cache.subscribe(channel, (message) => received.push(message));
        await cache.publish(channel, 'm');
        await h.waitFor('the published message', () => received.length === 1);
        await cache.dispose();
        try {
          await h.waitFor('active handles to return to their count before create()', () => {
            return handlesAbove(baseline).length === 0;
          });
        } catch {
          assert.fail(`dispose() left handles open: ${handlesAbove(baseline).join(', ')}`);
        }
      },
    },
  ],
};
