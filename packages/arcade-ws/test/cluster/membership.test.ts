import { waitFor } from '@arcade/test-support';
import { Cluster, type ClusterClient, type ClusterInstance } from '../support/cluster';
import { keysMentioning, keysNotMentioning } from '../support/tracking-cache';

// Guarantees 4 (atomic membership) and 8 (hygiene) of docs/design.md, with two real instances.
jest.setTimeout(90_000);

interface ConnectionJson {
  id: string;
  rooms: string[];
}

let cluster: Cluster;
let a: ClusterInstance;
let b: ClusterInstance;
const rooms = ['target', 'source', 'stream:42', 'salle 🎉'];

beforeAll(async () => {
  cluster = await Cluster.start({ instances: 2 });
  [a, b] = cluster.instances as [ClusterInstance, ClusterInstance];
});

afterAll(() => cluster?.close());

describe('guarantee 4: concurrent joins and leaves from two instances lose nothing', () => {
  let clients: ClusterClient[];

  beforeAll(async () => {
    clients = [...(await a.connectMany(50)), ...(await b.connectMany(50))];
  });

  afterAll(async () => {
    await Promise.all(clients.map((connected) => connected.client.close()));
  });

  it('200 concurrent joins and leaves leave exactly the expected members', async () => {
    const ids = clients.map((connected) => connected.id);
    // Everyone starts in 'source'.
    await a.batch(ids.map((id) => ({ fn: 'joinRoom', args: [id, 'source'] })));
    expect((await b.call<string[]>('getRoomMembers', 'source')).length).toBe(100);

    // A joins the even ones to 'target' and removes the odd ones from 'source'; B does the mirror
    // image. 200 operations in flight at once, half of them for connections on the other instance.
    const plan = (instance: ClusterInstance, parity: number) =>
      instance.batch(
        ids.map((id, index) =>
          index % 2 === parity
            ? { fn: 'joinRoom', args: [id, 'target'] }
            : { fn: 'leaveRoom', args: [id, 'source'] },
        ),
      );
    const outcomes = (await Promise.all([plan(a, 0), plan(b, 1)])).flat();
    expect(outcomes.filter((outcome) => !(outcome.ok && outcome.value === true))).toEqual([]);

    for (const instance of [a, b]) {
      expect([...(await instance.call<string[]>('getRoomMembers', 'target'))].sort()).toEqual(
        [...ids].sort(),
      );
      expect(await instance.call('getRoomMembers', 'source')).toEqual([]);
    }
    const all = await a.call<ConnectionJson[]>('getAllConnections');
    expect(all).toHaveLength(100);
    for (const info of all) expect(info.rooms).toEqual(['target']);

    // And delivery follows the membership: one emit reaches all 100 on both instances.
    await b.call('emitToRoom', 'target', 'all of you');
    for (const connected of clients) expect(await connected.client.nextText()).toBe('all of you');
  });

  it('concurrent joins of one connection to many rooms from both instances are all kept', async () => {
    const [first] = clients;
    const manyRooms = Array.from({ length: 40 }, (_, index) => `many-${index}`);
    const half = (instance: ClusterInstance, parity: number) =>
      instance.batch(
        manyRooms
          .filter((_, index) => index % 2 === parity)
          .map((room) => ({ fn: 'joinRoom', args: [first!.id, room] })),
      );
    await Promise.all([half(a, 0), half(b, 1)]);
    const info = await b.call<ConnectionJson>('getConnectionInfo', first!.id);
    expect([...info.rooms].sort()).toEqual(['target', ...manyRooms].sort());
    await Promise.all(manyRooms.map((room) => a.call('leaveRoom', first!.id, room)));
  });
});

describe('guarantee 8: hygiene', () => {
  it('leaves no key or set naming a closed connection or its rooms, then nothing of stopped instances', async () => {
    const clients = [...(await a.connectMany(5)), ...(await b.connectMany(5))];
    for (const [index, connected] of clients.entries()) {
      await a.call('joinRoom', connected.id, rooms[index % rooms.length]);
      await b.call('updateConnectionMetadata', connected.id, { label: `client-${index}` });
    }
    const inspector = await cluster.inspector();
    const ids = clients.map((connected) => connected.id);
    expect(keysMentioning(await inspector.snapshot(), ids).length).toBeGreaterThan(0);

    await Promise.all(clients.map((connected) => connected.client.close()));
    await waitFor(async () => (await a.call<unknown[]>('getAllConnections')).length === 0, {
      description: 'every connection to leave the registry',
    });
    // Connections from the previous tests closed too; none of them may be named anywhere.
    const everyId = [...ids, ...a.connectedIds, ...b.connectedIds];
    const roomNames = [...rooms, 'target', 'source', 'many-'];
    const stored = await inspector.snapshot();
    expect(keysMentioning(stored, [...everyId, ...roomNames])).toEqual([]);
    // What is left belongs to the live instances only: their leases and the registry of instances.
    expect(keysNotMentioning(stored, [a.instanceId, b.instanceId])).toEqual([]);

    // With both instances stopped gracefully, nothing of theirs is left either.
    await Promise.all([a.stop(), b.stop()]);
    expect(keysMentioning(await inspector.snapshot(), [a.instanceId, b.instanceId, ...everyId])).toEqual([]);
  });
});
