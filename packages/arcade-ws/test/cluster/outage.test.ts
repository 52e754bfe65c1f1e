import { waitFor } from '@arcade/test-support';
import { STORAGE_FAILURE_BOUND_MS, STORAGE_RECOVERY_BOUND_MS, TIMING_SLACK_MS } from '../support/bounds';
import { Cluster, type ClusterInstance, type Outcome, waitForRoomDelivery } from '../support/cluster';

// Guarantee 6 of docs/design.md: Redis going away does not crash an instance, and it recovers by itself.
jest.setTimeout(90_000);

interface ConnectionJson {
  id: string;
  rooms: string[];
}

const failBoundMs = STORAGE_FAILURE_BOUND_MS + TIMING_SLACK_MS;
const recoveryBoundMs = STORAGE_RECOVERY_BOUND_MS + TIMING_SLACK_MS;

let cluster: Cluster;

beforeEach(async () => {
  cluster = await Cluster.start({ instances: 2, leaseMs: 2000 });
});

afterEach(() => cluster?.close());

function expectUnavailable(outcome: Outcome, call: string): void {
  expect({ call, ok: outcome.ok }).toEqual({ call, ok: false });
  if (outcome.ok) return;
  expect({ call, name: outcome.error.name }).toEqual({ call, name: 'StorageUnavailableError' });
  expect(outcome.error.code).toBe('STORAGE_UNAVAILABLE');
  expect(outcome.elapsedMs).toBeLessThanOrEqual(failBoundMs);
}

/** Calls that need Redis, made on `instance`, fail with StorageUnavailableError in bounded time. */
async function expectCallsThatNeedRedisToFail(
  instance: ClusterInstance,
  localId: string,
  remoteId: string,
): Promise<void> {
  const needRedis: Array<[string, unknown[]]> = [
    ['getAllConnections', []],
    ['getRoomMembers', ['room']],
    ['joinRoom', [localId, 'other']],
    ['emitToConnection', [remoteId, 'x']],
    ['updateConnectionMetadata', [remoteId, { x: 1 }]],
  ];
  const outcomes = await Promise.all(needRedis.map(([fn, args]) => instance.settle(fn, ...args)));
  for (const [index, outcome] of outcomes.entries()) expectUnavailable(outcome, needRedis[index]![0]);
}

it('keeps local delivery during a Redis outage and resumes cross-instance delivery after a restart', async () => {
  const [a, b] = cluster.instances as [ClusterInstance, ClusterInstance];
  const [a1, a2] = await a.connectMany(2);
  const [b1] = await b.connectMany(1);
  for (const connected of [a1!, a2!, b1!]) await a.call('joinRoom', connected.id, 'room');
  await b.call('emitToRoom', 'room', 'before');
  for (const connected of [a1!, a2!, b1!]) expect(await connected.client.nextText()).toBe('before');

  await cluster.redis.kill();

  // Local delivery goes on, and the call still rejects: the members on B did not get it.
  expectUnavailable(await a.settle('emitToRoom', 'room', 'during outage'), 'emitToRoom');
  expect(await a1!.client.nextText()).toBe('during outage');
  expect(await a2!.client.nextText()).toBe('during outage');
  expect(await a.call('emitTo', a1!.id, 'direct')).toBe(true);
  expect(await a1!.client.nextText()).toBe('direct');
  await a2!.client.send('echo during outage');
  expect(await a2!.client.nextText()).toBe('echo during outage');

  await expectCallsThatNeedRedisToFail(a, a1!.id, b1!.id);
  expect(a.isRunning && b.isRunning).toBe(true);

  await cluster.redis.restart();

  // Cross-instance delivery resumes by itself.
  await waitForRoomDelivery(a, b1!, 'room', 'resumed', recoveryBoundMs);

  // Each instance rewrote its own connections and memberships into the empty Redis.
  const everyone = [a1!.id, a2!.id, b1!.id].sort();
  await waitFor(
    async () => {
      const members = await b.call<string[]>('getRoomMembers', 'room');
      const all = await a.call<ConnectionJson[]>('getAllConnections');
      return [...members].sort().join() === everyone.join() && all.length === 3;
    },
    { description: 'storage to be rewritten', timeoutMs: recoveryBoundMs, intervalMs: 100 },
  );
  expect(await b.call<ConnectionJson>('getConnectionInfo', a1!.id)).toMatchObject({ rooms: ['room'] });
  // Each instance rewrote its own lease too: its key is back in the restarted, empty Redis, expiring
  // (a key without TTL, -1, would outlive a crash; a missing one, -2, lets the others reap it).
  const inspector = await cluster.inspector();
  await waitFor(
    async () => {
      const ttls = await Promise.all([a, b].map((instance) => inspector.ttlMs(cluster.leaseKey(instance))));
      return ttls.every((ttl) => ttl > 0);
    },
    { description: 'both leases to be rewritten', timeoutMs: recoveryBoundMs },
  );

  // Remote operations work again.
  expect(await a.call('joinRoom', b1!.id, 'after')).toBe(true);
  await a.call('emitToRoom', 'after', 'after restart');
  expect(await b1!.client.nextText((frame) => !frame.text.startsWith('resumed '))).toBe('after restart');
  expect(await a.call('emitToConnection', b1!.id, 'direct again')).toBe(true);
  expect(await b1!.client.nextText('direct again')).toBe('direct again');
  expect(a.isRunning && b.isRunning).toBe(true);
});

it('serves connections opened during an outage, forgets the ones closed during it, once Redis is back', async () => {
  const [a, b] = cluster.instances as [ClusterInstance, ClusterInstance];
  const [survivor] = await b.connectMany(1);
  const [leaving] = await a.connectMany(1);
  await a.call('joinRoom', leaving!.id, 'room');

  await cluster.redis.kill();
  await leaving!.client.close();
  // A connection opened during the outage is served locally.
  const late = await a.connect();
  await late.client.send('echo');
  expect(await late.client.nextText()).toBe('echo');
  await waitFor(async () => !(await a.info()).localConnectionIds.includes(leaving!.id), {
    description: 'A to drop the closed connection locally',
  });
  await cluster.redis.restart();

  const expected = [survivor!.id, late.id].sort();
  await waitFor(
    async () => {
      const all = await b.call<ConnectionJson[]>('getAllConnections');
      return (
        all
          .map((info) => info.id)
          .sort()
          .join() === expected.join()
      );
    },
    {
      description: 'the registry to hold exactly the live connections',
      timeoutMs: recoveryBoundMs,
    },
  );
  expect(await b.call('emitToConnection', late.id, 'found you')).toBe(true);
  expect(await late.client.nextText()).toBe('found you');
  expect(await b.call('getRoomMembers', 'room')).toEqual([]);
  expect(a.isRunning && b.isRunning).toBe(true);
});

it('fails calls within the bound while Redis hangs, and delivers across instances again once it answers', async () => {
  const [a, b] = cluster.instances as [ClusterInstance, ClusterInstance];
  const [a1] = await a.connectMany(1);
  const [b1] = await b.connectMany(1);
  for (const connected of [a1!, b1!]) await b.call('joinRoom', connected.id, 'room');

  // A hung Redis keeps its connections open and answers nothing: only the deadlines can fail the calls.
  await cluster.redis.pause();
  expectUnavailable(await a.settle('emitToRoom', 'room', 'while frozen'), 'emitToRoom');
  expect(await a1!.client.nextText()).toBe('while frozen');
  await expectCallsThatNeedRedisToFail(a, a1!.id, b1!.id);
  expect(await a.call('emitTo', a1!.id, 'direct')).toBe(true);
  expect(await a1!.client.nextText()).toBe('direct');
  await cluster.redis.resume();

  await waitForRoomDelivery(a, b1!, 'room', 'thawed', recoveryBoundMs);
  await waitFor(
    async () =>
      [...(await b.call<string[]>('getRoomMembers', 'room'))].sort().join() ===
      [a1!.id, b1!.id].sort().join(),
    { description: 'the memberships to be in storage again', timeoutMs: recoveryBoundMs, intervalMs: 100 },
  );
  expect(a.isRunning && b.isRunning).toBe(true);
});
