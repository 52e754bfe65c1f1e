import { RedisCacheManager } from '@arcade/cache-redis';
import { waitFor } from '@arcade/test-support';
import { nanoid } from 'nanoid';
import { type ConnectionInfo, type ConnectionsPage, StorageUnavailableError } from '../../src/index';
import { type Received, TestCluster, type TestInstance, useRedisServer } from './support';

// The same protocol on the real Redis adapter: real pub/sub, real TTLs, a real outage.
jest.setTimeout(60_000);

const redis = useRedisServer();
let cluster: TestCluster;

afterEach(() => cluster?.stop());

/** Instances on their own key prefix, so that tests never see each other's keys. */
async function startInstances(count: number, instanceLeaseMs?: number): Promise<TestInstance[]> {
  cluster = new TestCluster();
  const keyPrefix = `test-${nanoid(6)}:`;
  const instances: TestInstance[] = [];
  for (let index = 0; index < count; index += 1) {
    const cache = new RedisCacheManager({ url: redis.url, keyPrefix });
    instances.push(await cluster.start(instanceLeaseMs === undefined ? {} : { instanceLeaseMs }, cache));
  }
  return instances;
}

it('delivers room messages byte-exact between instances and joins remote connections before resolving', async () => {
  const [a, b] = await startInstances(2);
  const onB = await b!.connect();
  expect(await a!.app.joinRoom(onB.id, 'exact')).toBe(true);
  const messages: Received[] = ['{"looks":"like json"}', '123', '', 'héllo 🎲', new Uint8Array([0, 1, 255])];
  for (const message of messages) await a!.app.emitToRoom('exact', message);
  expect(await onB.waitForCount(messages.length)).toEqual(messages);
  expect(await a!.app.emitToConnection(onB.id, 'direct')).toBe(true);
  expect(await onB.next()).toBe('direct');
  expect(await a!.app.getRoomMembers('exact')).toEqual([onB.id]);
  await b!.close(onB);
  expect(await a!.app.getRoomMembers('exact')).toEqual([]);
  expect(await a!.app.getAllConnections()).toEqual([]);
});

it('getConnectionsPage walks the connections of every instance on Redis, page by page', async () => {
  const [a, b] = await startInstances(2);
  const connections = [
    ...(await Promise.all(Array.from({ length: 3 }, () => a!.connect()))),
    ...(await Promise.all(Array.from({ length: 4 }, () => b!.connect()))),
  ];
  await a!.app.updateConnectionMetadata(connections[5]!.id, { name: 'ada' });
  const listed: ConnectionInfo[] = [];
  let cursor: string | null = null;
  do {
    const page: ConnectionsPage = await a!.app.getConnectionsPage({ cursor, limit: 2 });
    expect(page.connections.length).toBeLessThanOrEqual(2);
    listed.push(...page.connections);
    cursor = page.nextCursor;
  } while (cursor);
  expect(listed.map((info) => info.id).sort()).toEqual(connections.map((connection) => connection.id).sort());
  expect(listed.find((info) => info.id === connections[5]!.id)?.metadata).toMatchObject({ name: 'ada' });
});

it('cleans up after an instance whose storage connection died, once its lease expires', async () => {
  const [survivor, doomed] = await startInstances(2, 500);
  const lost = await doomed!.connect();
  await survivor!.app.joinRoom(lost.id, 'room');
  await doomed!.cache.dispose();
  await waitFor(async () => (await survivor!.app.getRoomMembers('room')).length === 0, {
    description: 'the survivor to drop the dead member',
  });
  expect(await survivor!.app.getConnectionInfo(lost.id)).toBeNull();
  expect(await survivor!.app.emitToConnection(lost.id, 'x')).toBe(false);
});

it('keeps local delivery through a Redis outage and restores everything once Redis is back, empty', async () => {
  const [a, b] = await startInstances(2, 1000);
  const [a1, a2, b1] = [await a!.connect(), await a!.connect(), await b!.connect()];
  for (const connection of [a1!, a2!, b1!]) await a!.app.joinRoom(connection.id, 'room');

  await redis.server.kill();

  // Delivered to the local members, and rejected all the same: the cross-instance publish failed.
  await expect(a!.app.emitToRoom('room', 'during outage')).rejects.toBeInstanceOf(StorageUnavailableError);
  expect(a1!.received).toEqual(['during outage']);
  expect(a2!.received).toEqual(['during outage']);
  expect(a!.app.emitTo(a1!.id, 'direct')).toBe(true);
  await expect(a!.app.joinRoom(a1!.id, 'other')).rejects.toBeInstanceOf(StorageUnavailableError);
  await expect(a!.app.getRoomMembers('room')).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });

  await redis.server.restart();

  let round = 0;
  await waitFor(
    async () => {
      await a!.app.emitToRoom('room', `resumed ${round++}`).catch(() => undefined);
      return b1!.received.some((message) => typeof message === 'string' && message.startsWith('resumed'));
    },
    { description: 'cross-instance delivery to resume after the restart', timeoutMs: 20_000 },
  );
  await waitFor(
    async () => {
      const members = await b!.app.getRoomMembers('room').catch(() => []);
      return members.length === 3;
    },
    { description: 'the room to be restored after the restart', timeoutMs: 20_000 },
  );
  expect((await b!.app.getAllConnections()).map((info) => info.id).sort()).toEqual(
    [a1!.id, a2!.id, b1!.id].sort(),
  );
  expect(await b!.app.joinRoom(a1!.id, 'after')).toBe(true);
  await b!.app.emitToRoom('after', 'after restart');
  await waitFor(() => a1!.received.includes('after restart'), {
    description: 'the message sent after the restart',
  });
});
