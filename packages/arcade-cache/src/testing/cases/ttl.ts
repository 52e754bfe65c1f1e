import assert from 'node:assert/strict';
import type { CacheManager } from '../../cache-manager';
import type { Harness } from '../harness';
import type { CaseGroup } from './case-spec';

/** A TTL the suite waits out: real milliseconds without a fake clock, so keep it short. */
const SHORT_TTL_MS = 100;
/** A TTL that never runs out during a test. */
const LONG_TTL_MS = 60_000;

/** Lets `key` expire: advances the fake clock past the TTL, or polls in real time until it is gone. */
async function waitForExpiry(h: Harness, cache: CacheManager, key: string): Promise<void> {
  if (h.hasFakeClock) {
    await h.advance(SHORT_TTL_MS + 1);
    assert.equal(await cache.contains(key), false, `${key} outlived its TTL`);
    return;
  }
  await h.waitFor(`${key} to expire after ${SHORT_TTL_MS} ms`, async () => !(await cache.contains(key)));
}

/** Asserts `key` is still there just before its TTL: only measurable with a fake clock. */
async function assertAliveBeforeExpiry(h: Harness, cache: CacheManager, key: string): Promise<void> {
  if (!h.hasFakeClock) return;
  await h.advance(SHORT_TTL_MS - 1);
  assert.equal(await cache.contains(key), true, `${key} expired before its TTL`);
}

export const ttlCases: CaseGroup = {
  group: 'TTL',
  cases: [
    {
      name: 'a value set with ttlMs is readable until it expires, then gone',
      async run(h) {
        const cache = await h.open();
        await cache.set('short', { a: 1 }, { ttlMs: SHORT_TTL_MS });
        await cache.set('long', 'stays', { ttlMs: LONG_TTL_MS });
        await assertAliveBeforeExpiry(h, cache, 'short');
        await waitForExpiry(h, cache, 'short');
        assert.equal(await cache.get('short'), undefined);
        assert.equal(await cache.get('long'), 'stays', 'a key with a long TTL is still there');
      },
    },
    {
      name: 'set without ttlMs replaces the value and its TTL',
      async run(h) {
        const cache = await h.open();
        await cache.set('k', 'first', { ttlMs: SHORT_TTL_MS });
        await cache.set('k', 'second');
        await cache.set('marker', 'x', { ttlMs: SHORT_TTL_MS });
        await waitForExpiry(h, cache, 'marker');
        assert.equal(await cache.get('k'), 'second', 'the plain set() kept the old TTL');
      },
    },
    {
      name: 'setIfAbsent with ttlMs holds the key until it expires, then it can be taken again',
      async run(h) {
        const cache = await h.open();
        assert.equal(await cache.setIfAbsent('lease', 'owner-1', { ttlMs: SHORT_TTL_MS }), true);
        assert.equal(await cache.setIfAbsent('lease', 'owner-2', { ttlMs: SHORT_TTL_MS }), false);
        assert.equal(await cache.get('lease'), 'owner-1');
        await assertAliveBeforeExpiry(h, cache, 'lease');
        await waitForExpiry(h, cache, 'lease');
        assert.equal(await cache.setIfAbsent('lease', 'owner-2', { ttlMs: LONG_TTL_MS }), true);
        assert.equal(await cache.get('lease'), 'owner-2');
      },
    },
    {
      name: 'set with ttlMs renews a lease taken with setIfAbsent',
      async run(h) {
        const cache = await h.open();
        await cache.setIfAbsent('lease', 'owner', { ttlMs: SHORT_TTL_MS });
        await cache.set('lease', 'owner', { ttlMs: LONG_TTL_MS });
        await cache.set('marker', 'x', { ttlMs: SHORT_TTL_MS });
        await waitForExpiry(h, cache, 'marker');
        assert.equal(await cache.get('lease'), 'owner', 'the renewed lease expired with its first TTL');
      },
    },
    {
      name: 'a value set in a batch with ttlMs expires',
      async run(h) {
        const cache = await h.open();
        await cache.batch([
          { type: 'set', key: 'short', value: 'v', ttlMs: SHORT_TTL_MS },
          { type: 'set', key: 'plain', value: 'v' },
        ]);
        await assertAliveBeforeExpiry(h, cache, 'short');
        await waitForExpiry(h, cache, 'short');
        assert.equal(await cache.get('plain'), 'v');
      },
    },
    {
      name: 'a TTL longer than any server can count is accepted, in a batch too',
      async run(h) {
        const cache = await h.open();
        const ttlMs = 1e21;
        await cache.set('set', 'v', { ttlMs });
        assert.equal(await cache.setIfAbsent('lease', 'v', { ttlMs }), true);
        await cache.batch([
          { type: 'set', key: 'first', value: 1 },
          { type: 'set', key: 'second', value: 2, ttlMs },
        ]);
        for (const key of ['set', 'lease', 'first', 'second']) {
          assert.equal(await cache.contains(key), true, `${key} was not written`);
        }
      },
    },
    {
      name: 'an expired key can hold a set',
      async run(h) {
        const cache = await h.open();
        await cache.set('k', 'v', { ttlMs: SHORT_TTL_MS });
        await waitForExpiry(h, cache, 'k');
        assert.equal(await cache.setAdd('k', 'a'), 1);
        assert.deepEqual(await cache.setMembers('k'), ['a']);
      },
    },
  ],
};
