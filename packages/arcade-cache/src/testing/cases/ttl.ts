import assert from 'node:assert/strict';
import type { CacheManager } from '../../cache-manager';
import { delay, type Harness } from '../harness';
import type { CaseGroup } from './case-spec';

/** A TTL the suite waits out: real milliseconds without a fake clock, so keep it short. */
export const SHORT_TTL_MS = 100;
/** A TTL that never runs out during a test. */
export const LONG_TTL_MS = 60_000;
/** How often a real-time test reads a key that must still be there: about 20 reads per TTL. */
const READ_INTERVAL_MS = 5;
/**
 * Real-time tries of {@link assertLivesForItsTtl}: a try proves nothing when the process stalls
 * for a whole TTL between the write and its first read, so one stall must not fail the test.
 */
const REAL_TIME_ATTEMPTS = 3;

/** Lets `key` expire: advances the fake clock past the TTL, or polls in real time until it is gone. */
export async function waitForExpiry(h: Harness, cache: CacheManager, key: string): Promise<void> {
  if (h.hasFakeClock) {
    await h.advance(SHORT_TTL_MS + 1);
    assert.equal(await cache.contains(key), false, `${key} outlived its TTL`);
    return;
  }
  await h.waitFor(`${key} to expire after ${SHORT_TTL_MS} ms`, async () => !(await cache.contains(key)));
}

/**
 * Writes `key` with {@link SHORT_TTL_MS} through `write`, asserts it is readable until its TTL
 * runs out, then that it is gone. `write` runs again after an expiry when a real-time attempt
 * could not read in time, so it must take the key afresh.
 */
export async function assertLivesForItsTtl(
  h: Harness,
  cache: CacheManager,
  key: string,
  write: () => Promise<unknown>,
): Promise<void> {
  if (h.hasFakeClock) {
    await write();
    await h.advance(SHORT_TTL_MS - 1);
    assert.equal(await cache.contains(key), true, `${key} expired before its TTL`);
    // 2, not 1: whether a key is still there at exactly its TTL differs between stores.
    await h.advance(2);
    assert.equal(await cache.contains(key), false, `${key} outlived its TTL`);
    return;
  }
  for (let attempt = 1; attempt <= REAL_TIME_ATTEMPTS; attempt += 1) {
    const writtenFrom = Date.now();
    await write();
    const readsInTime = await assertReadableUntilTtl(cache, key, writtenFrom);
    await waitForExpiry(h, cache, key);
    if (readsInTime > 0) return;
  }
  assert.fail(
    `no read of ${key} resolved within ${SHORT_TTL_MS} ms of its write in ${REAL_TIME_ATTEMPTS} attempts: ` +
      'the process was too busy to check that it lives until its TTL',
  );
}

/**
 * Reads `key` until `SHORT_TTL_MS` has passed since `writtenFrom` (taken before the write was sent);
 * resolves how many reads resolved before then, each of which must have found the key.
 */
async function assertReadableUntilTtl(
  cache: CacheManager,
  key: string,
  writtenFrom: number,
): Promise<number> {
  for (let reads = 0; ; reads += 1) {
    const alive = await cache.contains(key);
    const age = Date.now() - writtenFrom;
    if (age >= SHORT_TTL_MS) return reads;
    // The read resolved before the TTL ran out counted from before the write, so the store saw
    // it while the key could not have expired yet, however long either call was under way.
    assert.equal(alive, true, `${key} was gone ${age} ms after its write with a ${SHORT_TTL_MS} ms TTL`);
    await delay(READ_INTERVAL_MS);
  }
}

export const ttlCases: CaseGroup = {
  group: 'TTL',
  cases: [
    {
      name: 'a value set with ttlMs is readable until it expires, then gone',
      async run(h) {
        const cache = await h.open();
        await cache.set('long', 'stays', { ttlMs: LONG_TTL_MS });
        await assertLivesForItsTtl(h, cache, 'short', () =>
          cache.set('short', { a: 1 }, { ttlMs: SHORT_TTL_MS }),
        );
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
        await assertLivesForItsTtl(h, cache, 'lease', async () => {
          const from = Date.now();
          assert.equal(await cache.setIfAbsent('lease', 'owner-1', { ttlMs: SHORT_TTL_MS }), true);
          const taken = await cache.setIfAbsent('lease', 'owner-2', { ttlMs: SHORT_TTL_MS });
          const holder = await cache.get('lease');
          // Only when both answered before the lease could have run out (counted from before it was
          // taken): a process stalled past the TTL proves nothing, and the helper tries again.
          if (Date.now() - from < SHORT_TTL_MS) {
            assert.equal(taken, false, 'setIfAbsent took a lease that was held');
            assert.equal(holder, 'owner-1');
          }
        });
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
        await assertLivesForItsTtl(h, cache, '{b}short', () =>
          cache.batch([
            { type: 'set', key: '{b}short', value: 'v', ttlMs: SHORT_TTL_MS },
            { type: 'set', key: '{b}plain', value: 'v' },
          ]),
        );
        assert.equal(await cache.get('{b}plain'), 'v');
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
          { type: 'set', key: '{b}first', value: 1 },
          { type: 'set', key: '{b}second', value: 2, ttlMs },
        ]);
        for (const key of ['set', 'lease', '{b}first', '{b}second']) {
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
