import { RedisCacheManager } from '@arcade/cache-redis';
import { type RedisTestServer, startRedisServer } from '@arcade/cache-redis/testing';
import { waitFor } from '@arcade/test-support';
import { nanoid } from 'nanoid';
import { InvalidRoomNameError } from '../../src/index';
import type { ReplyHeader } from '../../src/registry/control';
import { decodeEnvelope, encodeEnvelope } from '../../src/registry/envelope';
import { channelNames } from '../../src/registry/keys';
import { type RecordingConnection, TestCluster, type TestInstance } from './support';

// Issue 14, bug 3, on the real Redis adapter: Redis stores a lone surrogate as U+FFFD, so without a
// check `secret\ud800` and `secret\udbff` (instance B) are the key and channel of `secret\ufffd` (A).
// Room names are rejected; a connection id is made by the server (a nanoid), so one with a lone
// surrogate is an id no connection has, answered as such.
jest.setTimeout(60_000);

const VICTIM_ROOM = 'secret\ufffd';

let redis: RedisTestServer;
let cluster: TestCluster;
let a: TestInstance;
let b: TestInstance;
let victim: RecordingConnection;

beforeAll(async () => {
  redis = await startRedisServer();
});

afterAll(() => redis?.stop());

beforeEach(async () => {
  cluster = new TestCluster();
  const keyPrefix = `room-name-${nanoid(6)}:`;
  a = await cluster.start({}, new RedisCacheManager({ url: redis.url, keyPrefix }));
  b = await cluster.start({}, new RedisCacheManager({ url: redis.url, keyPrefix }));
  victim = await a.connect();
});

afterEach(() => cluster.stop());

/** What a call settled with, so that every call runs before the first expectation. */
function settle<T>(call: () => Promise<T>): Promise<PromiseSettledResult<T>> {
  return call().then(
    (value) => ({ status: 'fulfilled', value }),
    (reason: unknown) => ({ status: 'rejected', reason }),
  );
}

it('rejects names with a lone surrogate on every room function; nothing reaches the room they collide with', async () => {
  expect(await a.app.joinRoom(victim.id, VICTIM_ROOM)).toBe(true);
  const intruder = await b.connect();

  const outcomes = {
    emitToRoom: await settle(() => b.app.emitToRoom('secret\udbff', 'leaked')),
    joinRoom: await settle(() => b.app.joinRoom(intruder.id, 'secret\ud800')),
    leaveRoom: await settle(() => b.app.leaveRoom(victim.id, 'secret\ud800')),
    getRoomMembers: await settle(() => b.app.getRoomMembers('secret\udbff')),
  };
  // From B as well, after B's other publishes: it arrives after anything B sent to the channel.
  await b.app.emitToRoom(VICTIM_ROOM, 'for the room');
  await waitFor(() => victim.received.includes('for the room'), { description: 'the room message' });

  expect(victim.received).toEqual(['for the room']);
  expect(await a.app.getRoomMembers(VICTIM_ROOM)).toEqual([victim.id]);
  expect((await a.app.getConnectionInfo(victim.id))?.rooms).toEqual(new Set([VICTIM_ROOM]));
  for (const [fn, outcome] of Object.entries(outcomes)) {
    expect([fn, outcome]).toEqual([fn, { status: 'rejected', reason: expect.any(InvalidRoomNameError) }]);
  }
  expect(outcomes.emitToRoom).toMatchObject({
    reason: { code: 'INVALID_ROOM_NAME', message: expect.stringContaining('"secret\\udbff"') },
  });
});

it('the instance holding a connection rejects such a name in a request from a peer that did not check it', async () => {
  // A peer that does not check names (an older version during a rolling upgrade) asks A directly.
  const peer = `peer-${nanoid(6)}`;
  const replies: ReplyHeader[] = [];
  const unsubscribe = await b.cache.subscribe(channelNames.instance(peer), (message) => {
    const envelope = decodeEnvelope(message);
    if (envelope?.kind === 'reply') replies.push(envelope.header as ReplyHeader);
  });
  const request = { op: 'join', connectionId: victim.id, room: 'secret\ud800' } as const;
  await b.cache.publish(
    channelNames.instance(a.manager.instanceId),
    encodeEnvelope('request', { s: peer, r: '1', q: request } as never),
  );
  await waitFor(() => replies.length > 0, { description: "A's reply" });
  await unsubscribe();

  expect(await a.app.getRoomMembers(VICTIM_ROOM)).toEqual([]);
  expect((await a.app.getConnectionInfo(victim.id))?.rooms).toEqual(new Set());
  expect(replies).toEqual([
    expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'INVALID_ROOM_NAME' }) }),
  ]);
});

it('a connection id with a lone surrogate is an unknown id: false or null, and excludes nobody', async () => {
  const forged = `${victim.id}\ud800`;
  expect(await a.app.joinRoom(victim.id, 'lobby')).toBe(true);

  expect(await b.app.emitToConnection(forged, 'not for the victim')).toBe(false);
  expect(await b.app.getConnectionInfo(forged)).toBeNull();
  expect(await b.app.joinRoom(forged, 'lobby')).toBe(false);
  expect(await b.app.leaveRoom(forged, 'lobby')).toBe(false);
  expect(await b.app.updateConnectionMetadata(forged, { name: 'intruder' })).toBe(false);
  expect(await b.app.disconnect(forged)).toBe(false);
  await b.app.emitToRoom('lobby', 'for the room', { exclude: forged });
  await waitFor(() => victim.received.includes('for the room'), { description: 'the room message' });

  expect(victim.received).toEqual(['for the room']);
  expect(victim.isOpen).toBe(true);
  const info = await b.app.getConnectionInfo(victim.id);
  expect(info?.rooms).toEqual(new Set(['lobby']));
  expect(info?.metadata).not.toHaveProperty('name');
});
