import { waitFor } from '@arcade/test-support';
import { elapsedSince, reapBoundMs } from '../support/bounds';
import { Cluster, type ClusterInstance } from '../support/cluster';
import { keysMentioning, keysNotMentioning } from '../support/tracking-cache';

// Guarantee 5 of docs/design.md: the survivors clean up after an instance that died without cleaning up.
jest.setTimeout(60_000);

interface ConnectionJson {
  id: string;
  serverInstanceId: string;
}

// Long enough that a sweep late by a lease or more overshoots the bound by more than the slack.
const leaseMs = 2000;
const cleanupBoundMs = reapBoundMs(leaseMs);

/** Milliseconds left of the cleanup bound for a death at `diedAt` (a `performance.now()` reading). */
function cleanupTimeLeft(diedAt: number): number {
  return Math.max(0, cleanupBoundMs - elapsedSince(diedAt));
}

let cluster: Cluster;

beforeEach(async () => {
  cluster = await Cluster.start({ instances: 3, leaseMs });
});

afterEach(() => cluster?.close());

it('removes the connections and memberships of a SIGKILLed instance within the configured lease', async () => {
  const [a, b, c] = cluster.instances as [ClusterInstance, ClusterInstance, ClusterInstance];
  const survivors = [...(await a.connectMany(2)), ...(await c.connectMany(1))];
  const doomed = await b.connectMany(4);
  for (const connected of [...survivors, ...doomed]) await a.call('joinRoom', connected.id, 'shared');
  for (const connected of doomed) {
    await c.call('joinRoom', connected.id, `only-b:${connected.id}`);
    await c.call('updateConnectionMetadata', connected.id, { owner: 'b' });
  }
  const doomedIds = doomed.map((connected) => connected.id);
  const survivorIds = survivors.map((connected) => connected.id).sort();

  await b.kill('SIGKILL');
  const diedAt = performance.now();

  const inspector = await cluster.inspector();
  await waitFor(
    async () => {
      const all = await a.call<ConnectionJson[]>('getAllConnections');
      const members = await c.call<string[]>('getRoomMembers', 'shared');
      return (
        all.every((info) => info.serverInstanceId !== b.instanceId) && members.length === survivors.length
      );
    },
    { description: "the survivors to remove B's connections", timeoutMs: cleanupTimeLeft(diedAt) },
  );
  await waitFor(
    async () => keysMentioning(await inspector.snapshot(), [...doomedIds, b.instanceId]).length === 0,
    {
      description: "every stored trace of B's connections and lease to go",
      timeoutMs: cleanupTimeLeft(diedAt),
    },
  );

  // Every stored key left belongs to a survivor or to one of its connections.
  expect(keysNotMentioning(await inspector.snapshot(), [a.instanceId, c.instanceId, ...survivorIds])).toEqual(
    [],
  );
  expect((await c.call<ConnectionJson[]>('getAllConnections')).map((info) => info.id).sort()).toEqual(
    survivorIds,
  );
  expect([...(await a.call<string[]>('getRoomMembers', 'shared'))].sort()).toEqual(survivorIds);
  for (const id of doomedIds) {
    expect(await a.call('getConnectionInfo', id)).toBeNull();
    expect(await a.call('getRoomMembers', `only-b:${id}`)).toEqual([]);
    expect(await c.call('emitToConnection', id, 'anyone?')).toBe(false);
  }

  // The survivors keep working together.
  await c.call('emitToRoom', 'shared', 'still here');
  for (const connected of survivors) expect(await connected.client.nextText()).toBe('still here');
});

it('a survivor that is alone in the cluster still sweeps the dead instance', async () => {
  const [a, b, c] = cluster.instances as [ClusterInstance, ClusterInstance, ClusterInstance];
  const doomed = [...(await b.connectMany(2)), ...(await c.connectMany(2))];
  for (const connected of doomed) await a.call('joinRoom', connected.id, 'room');
  await Promise.all([b.kill('SIGKILL'), c.kill('SIGKILL')]);
  const diedAt = performance.now();
  await waitFor(async () => (await a.call<unknown[]>('getAllConnections')).length === 0, {
    description: 'the last survivor to remove the connections of both dead instances',
    timeoutMs: cleanupTimeLeft(diedAt),
  });
  expect(await a.call('getRoomMembers', 'room')).toEqual([]);
});

it('answers false for connections of an instance that has just died', async () => {
  const [a, b] = cluster.instances as [ClusterInstance, ClusterInstance];
  const [doomed] = await b.connectMany(1);
  await a.call('joinRoom', doomed!.id, 'room');
  await b.kill('SIGKILL');
  expect(await a.call('joinRoom', doomed!.id, 'other')).toBe(false);
  expect(await a.call('leaveRoom', doomed!.id, 'room')).toBe(false);
  expect(await a.call('emitToConnection', doomed!.id, 'anyone?')).toBe(false);
  expect(await a.call('updateConnectionMetadata', doomed!.id, { x: 1 })).toBe(false);
  expect(await a.call('disconnect', doomed!.id)).toBe(false);
});

it('re-registers an instance that was frozen past its lease once it runs again', async () => {
  const [a, b] = cluster.instances as [ClusterInstance, ClusterInstance];
  const [sleeper] = await b.connectMany(1);
  await a.call('joinRoom', sleeper!.id, 'room');
  await a.call('updateConnectionMetadata', sleeper!.id, { nap: true });

  b.signal('SIGSTOP');
  const frozenAt = performance.now();
  await waitFor(async () => (await a.call<unknown[]>('getAllConnections')).length === 0, {
    description: 'the survivors to clean up the frozen instance',
    timeoutMs: cleanupTimeLeft(frozenAt),
  });
  b.signal('SIGCONT');

  // Its client never left: the instance writes its lease, connection and membership back.
  await waitFor(async () => (await a.call<string[]>('getRoomMembers', 'room'))[0] === sleeper!.id, {
    description: 'the resumed instance to write its state back',
    timeoutMs: cleanupBoundMs,
  });
  expect(await a.call('getConnectionInfo', sleeper!.id)).toMatchObject({
    serverInstanceId: b.instanceId,
    rooms: ['room'],
    metadata: { nap: true },
  });
  await a.call('emitToRoom', 'room', 'good morning');
  expect(await sleeper!.client.nextText()).toBe('good morning');
});
