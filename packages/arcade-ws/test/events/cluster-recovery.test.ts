import { RedisCacheManager } from '@arcade/cache-redis';
import { type HoldPoint, holdNextCall, TestClient } from '@arcade/test-support';
import type { RoomPosition } from '@arcade/ws';
import { Cluster, type ClusterInstance } from '../support/cluster';
import { startServer, type TestServer } from '../support/server';
import { ProtocolClient } from './support/protocol-client';
import { defineLineRoute, lines, sequenceOf } from './support/recovery';

// Recovery across two real instances on one real redis-server: the protocol clients are on this
// process's instance (whose history reads a test can hold), the emits come from an instance process
// (test/cluster/fixtures/instance.js), during the outage of a client and during its history read.
jest.setTimeout(60_000);

const ROOM = 'cluster-news';
const HISTORY = { size: 20 };

let cluster: Cluster;
let emitter: ClusterInstance;
/** The storage of this process's instance, whose history reads a test holds. */
let storage: RedisCacheManager;
let server: TestServer;

beforeAll(async () => {
  cluster = await Cluster.start({ instances: 1, history: HISTORY });
  emitter = cluster.instance(0);
  // The instance process uses the adapter's default key prefix: so does this one.
  storage = new RedisCacheManager({ url: cluster.redis.url });
  server = await startServer(defineLineRoute, {
    setup: (app) => app.initializeWebSocketStorage(storage),
    serverOptions: { webSocket: { history: HISTORY } },
  });
});

afterAll(async () => {
  await TestClient.terminateAll();
  await server?.close();
  await cluster?.close();
});

let room: string;
let round = 0;
beforeEach(() => {
  round += 1;
  room = `${ROOM}-${round}`;
});

/** Lines `from..to` emitted with history by the instance process, one after the other. */
async function emitRemotely(from: number, to: number): Promise<RoomPosition> {
  let position: RoomPosition | undefined;
  for (let n = from; n <= to; n += 1) {
    position = await emitter.call<RoomPosition>(
      'emitToRoom',
      room,
      { event: 'line', data: { n } },
      { history: true },
    );
  }
  if (!position) throw new Error('emitRemotely needs from <= to');
  return position;
}

async function connect(): Promise<ProtocolClient> {
  return ProtocolClient.connect(server.wsUrl('/events'));
}

it('replays what another instance emitted while the client was away, then live ones', async () => {
  const first = await connect();
  await first.join(room);
  await emitRemotely(1, 3);
  const seen = (await first.waitForHistoryFrames(room, 3))[2];
  await first.close();
  const newest = await emitRemotely(4, 9);
  const client = await connect();
  expect(await client.join(room, { epoch: seen?.epoch ?? '', offset: 3 })).toMatchObject({
    data: { recovered: true, position: newest },
  });
  await emitRemotely(10, 11);
  await client.waitForHistoryFrames(room, 8);
  expect(sequenceOf(client, room)).toEqual([...lines(4, 9), 'res', 'h10', 'h11']);
});

it.each<[HoldPoint, string[]]>([
  ['before', [...lines(3, 7), 'res', 'h8']],
  ['after', [...lines(3, 4), 'res', ...lines(5, 8)]],
])('delivers once, in order, what another instance emits while the read is held %s it runs', async (point, expected) => {
  const witness = await connect();
  await witness.join(room);
  await emitRemotely(1, 2);
  const seen = (await witness.waitForHistoryFrames(room, 2))[1];
  await emitRemotely(3, 4);

  const held = holdNextCall(storage, 'readLog', point);
  const client = await connect();
  const joining = client.join(room, { epoch: seen?.epoch ?? '', offset: 2 });
  await held.reached;
  await emitRemotely(5, 7);
  await witness.waitForHistoryFrames(room, 7);
  held.release();
  expect(await joining).toMatchObject({ data: { recovered: true } });
  await emitRemotely(8, 8);
  await client.waitForHistoryFrames(room, 6);
  await witness.waitForHistoryFrames(room, 8);
  expect(sequenceOf(client, room)).toEqual(expected);
});
