import { setTimeout as delay } from 'node:timers/promises';
import { CacheError } from '@arcade/cache';
import { createMemoryStore, MemoryCacheManager } from '@arcade/cache-memory';
import { waitFor } from '@arcade/test-support';
import { storageKeys } from '../../src/registry/keys';
import { reapBoundMs } from '../support/bounds';
import { keysMentioning, type StoredKey } from '../support/tracking-cache';
import { OutageCache } from './outage-cache';
import { TestCluster, type TestInstance } from './support';

// Leases (guarantee 5 of docs/design.md) from the storage's side: a live instance keeps its lease and
// its records for as long as it runs, whatever the survivors do; a dead one is removed completely
// (guarantee 8: no key, set or member names it or its connections afterwards).

let cluster: TestCluster;

beforeEach(() => {
  cluster = new TestCluster();
});

afterEach(() => cluster.stop());

/** Every live key of the shared store with what it holds, in the form `keysMentioning` reads. */
function storedKeys(): StoredKey[] {
  return cluster.keys().map((key): StoredKey => {
    const entry = cluster.store.peek(key);
    if (entry?.kind === 'set') return { key, kind: 'set', content: [...entry.members] };
    if (entry?.kind === 'log') return { key, kind: 'log', content: [] };
    return { key, kind: 'value', content: [JSON.stringify(entry?.value)] };
  });
}

function leaseKey(instance: TestInstance): string {
  return storageKeys.lease(instance.app.serverInstanceId);
}

/** When the instance's lease lapses, by the store's clock (`undefined`: no lease, or one without a TTL). */
function leaseExpiry(instance: TestInstance): number | undefined {
  const lease = cluster.store.peek(leaseKey(instance));
  return lease?.kind === 'value' ? lease.expiresAt : undefined;
}

it('renews its lease while it still holds, not only once it has lapsed', async () => {
  // The store's clock stands still unless moved: only a renewal can move the lease's expiry.
  let now = 0;
  cluster = new TestCluster(createMemoryStore({ now: () => now }));
  const leaseMs = 600;
  const instance = await cluster.start({ instanceLeaseMs: leaseMs });
  expect(leaseExpiry(instance)).toBe(leaseMs);
  now = leaseMs / 2;
  await waitFor(() => leaseExpiry(instance) === now + leaseMs, {
    description: 'the lease to be renewed for a whole lease from now',
  });
});

it('a live instance keeps its lease and its records over several leases, next to a live survivor', async () => {
  const leaseMs = 600;
  const [a, b] = [
    await cluster.start({ instanceLeaseMs: leaseMs }),
    await cluster.start({ instanceLeaseMs: leaseMs }),
  ];
  const onA = await a.connect();
  await a.app.joinRoom(onA.id, 'room');
  const expected = [
    leaseKey(a),
    leaseKey(b),
    storageKeys.connection(onA.id),
    storageKeys.room('room'),
    storageKeys.instances,
  ];

  // Each instance renews three times per lease and checks the other's lease as often: a renewal
  // that did not happen, or a live instance taken for dead, shows within one lease.
  const until = performance.now() + 3 * leaseMs;
  while (performance.now() < until) {
    expect(expected.filter((key) => cluster.store.read(key) === undefined)).toEqual([]);
    expect(await b.app.getRoomMembers('room')).toEqual([onA.id]);
    await delay(20);
  }
  expect(await a.cache.setMembers(storageKeys.instances)).toEqual(
    expect.arrayContaining([a.app.serverInstanceId, b.app.serverInstanceId]),
  );
});

it('survivors remove an instance that died after renewing its lease, and nothing names it or its connections', async () => {
  const leaseMs = 300;
  const survivor = await cluster.start({ instanceLeaseMs: leaseMs });
  const doomed = await cluster.start({ instanceLeaseMs: leaseMs });
  const alive = await survivor.connect();
  const lost = [await doomed.connect(), await doomed.connect()];
  for (const connection of [alive, ...lost]) await survivor.app.joinRoom(connection.id, 'room');

  // Let the doomed instance renew its lease (a `set` over the one it took at start) before it dies.
  const firstExpiry = leaseExpiry(doomed);
  await waitFor(() => leaseExpiry(doomed) !== firstExpiry, {
    description: 'the doomed instance to renew its lease',
  });
  await doomed.cache.dispose();

  const names = [doomed.app.serverInstanceId, ...lost.map((connection) => connection.id)];
  await waitFor(() => keysMentioning(storedKeys(), names).length === 0, {
    description: 'no stored key, set or member to name the dead instance or its connections',
    timeoutMs: reapBoundMs(leaseMs),
  });
  expect(await survivor.cache.setMembers(storageKeys.instances)).toEqual([survivor.app.serverInstanceId]);
  expect(await survivor.app.getRoomMembers('room')).toEqual([alive.id]);
});

/** Storage whose connection drops once, on the listing of one key (set `failOn`), and only then. */
class DropsOnce extends OutageCache {
  failOn: string | undefined;

  override setMembers(key: string): Promise<string[]> {
    if (key !== this.failOn) return super.setMembers(key);
    this.failOn = undefined;
    return Promise.reject(new CacheError('UNAVAILABLE', 'connection lost in the middle of a reap (test)'));
  }
}

it('a survivor that fails in the middle of a reap leaves the lock to lapse, and the dead instance is still removed', async () => {
  const leaseMs = 300;
  const storage = new DropsOnce(new MemoryCacheManager({ store: cluster.store }));
  const survivor = await cluster.start({ instanceLeaseMs: leaseMs }, storage);
  const doomed = await cluster.start({ instanceLeaseMs: leaseMs });
  const lost = await doomed.connect();
  await survivor.app.joinRoom(lost.id, 'room');
  // The survivor takes the reap lock, then cannot list the dead instance's connections.
  storage.failOn = storageKeys.instanceConnections(doomed.app.serverInstanceId);
  await doomed.cache.dispose();

  // The lock is held for one lease: one more lease than a reap that goes through at once.
  await waitFor(() => keysMentioning(storedKeys(), [doomed.app.serverInstanceId, lost.id]).length === 0, {
    description: 'the dead instance to be removed once the abandoned reap lock lapsed',
    timeoutMs: reapBoundMs(leaseMs) + leaseMs,
  });
  expect(storage.failOn).toBeUndefined();
  expect(await survivor.app.getRoomMembers('room')).toEqual([]);
});
