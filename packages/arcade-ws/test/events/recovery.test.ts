import { CacheError, type CacheManager } from '@arcade/cache';
import { createMemoryStore, MemoryCacheManager } from '@arcade/cache-memory';
import { RedisCacheManager } from '@arcade/cache-redis';
import { type RedisTestServer, startRedisServer } from '@arcade/cache-redis/testing';
import { type HoldPoint, holdNextCall, TestClient } from '@arcade/test-support';
import type { RoomPosition } from '@arcade/ws';
import { nanoid } from 'nanoid';
import { startServer, type TestServer } from '../support/server';
import { ProtocolClient } from './support/protocol-client';
import { defineLineRoute, emitLines, lines, sequenceOf } from './support/recovery';

// Recovery of missed room messages (docs/events-protocol.md, "Joining, and recovery without gap or
// duplicate") on every storage: the private store (one instance), a shared in-process store and Redis
// (the client on one instance, the emits from another). Real instance processes: cluster-recovery.test.ts.
jest.setTimeout(30_000);

const ROOM = 'news';
const HISTORY_SIZE = 5;

let redis: RedisTestServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(() => redis.stop());

/** Where clients connect (`a`) and where the emits come from (`b`, another instance on shared storage). */
interface Setup {
  readonly a: TestServer;
  readonly b: TestServer;
  /** `a`'s storage, whose history reads a test holds; none for the private store (its reads do not wait). */
  readonly storage: CacheManager | undefined;
}

let servers: TestServer[] = [];

async function serve(cache?: CacheManager): Promise<TestServer> {
  const server = await startServer(defineLineRoute, {
    setup: cache ? (app) => app.initializeWebSocketStorage(cache) : undefined,
    serverOptions: { webSocket: { history: { size: HISTORY_SIZE } } },
  });
  servers.push(server);
  return server;
}

const setups: ReadonlyArray<[name: string, start: () => Promise<Setup>]> = [
  [
    'the private store',
    async () => {
      const only = await serve();
      return { a: only, b: only, storage: undefined };
    },
  ],
  [
    'a shared MemoryCacheManager',
    async () => {
      const store = createMemoryStore();
      const storage = new MemoryCacheManager({ store });
      return { a: await serve(storage), b: await serve(new MemoryCacheManager({ store })), storage };
    },
  ],
  [
    'Redis',
    async () => {
      const keyPrefix = `events-${nanoid(6)}:`;
      const storage = new RedisCacheManager({ url: redis.url, keyPrefix });
      const other = new RedisCacheManager({ url: redis.url, keyPrefix });
      return { a: await serve(storage), b: await serve(other), storage };
    },
  ],
];

afterEach(async () => {
  await TestClient.terminateAll();
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
});

describe.each(setups)('on %s', (_name, start) => {
  let setup: Setup;

  beforeEach(async () => {
    setup = await start();
  });

  async function connect(): Promise<ProtocolClient> {
    return ProtocolClient.connect(setup.a.wsUrl('/events'));
  }

  /** A client that received lines 1..`seen` live, then went away: resolves the position it holds. */
  async function clientThatSaw(seen: number): Promise<RoomPosition> {
    const first = await connect();
    expect(await first.join(ROOM)).toMatchObject({ data: { recovered: true, position: null } });
    await emitLines(setup.b.app, ROOM, 1, seen);
    const frames = await first.waitForHistoryFrames(ROOM, seen);
    expect(frames.map((frame) => frame.data)).toEqual(Array.from({ length: seen }, (_, i) => ({ n: i + 1 })));
    await first.close();
    const last = frames[seen - 1];
    if (!last) throw new Error('no frame');
    return { epoch: last.epoch, offset: last.offset };
  }

  it('replays exactly the missed messages, in order, before the reply, then live ones', async () => {
    const seen = await clientThatSaw(2);
    const newest = await emitLines(setup.b.app, ROOM, 3, 5);
    const client = await connect();
    expect(await client.join(ROOM, seen)).toMatchObject({ data: { recovered: true, position: newest } });
    await emitLines(setup.b.app, ROOM, 6, 6);
    await client.waitForHistoryFrames(ROOM, 4);
    expect(sequenceOf(client, ROOM)).toEqual([...lines(3, 5), 'res', 'h6']);
    expect(client.historyFramesOf(ROOM).map((frame) => frame.offset)).toEqual([3, 4, 5, 6]);
  });

  it('replays nothing when nothing was missed', async () => {
    const seen = await clientThatSaw(2);
    const client = await connect();
    expect(await client.join(ROOM, seen)).toMatchObject({ data: { recovered: true, position: seen } });
    await emitLines(setup.b.app, ROOM, 3, 3);
    await client.waitForHistoryFrames(ROOM, 1);
    expect(sequenceOf(client, ROOM)).toEqual(['res', 'h3']);
  });

  it('answers recovered: false with the current position, and replays nothing, for a stale epoch', async () => {
    const seen = await clientThatSaw(1);
    const newest = await emitLines(setup.b.app, ROOM, 2, 3);
    const client = await connect();
    expect(await client.join(ROOM, { epoch: `${seen.epoch}-stale`, offset: seen.offset })).toMatchObject({
      data: { recovered: false, position: newest },
    });
    await emitLines(setup.b.app, ROOM, 4, 4);
    await client.waitForHistoryFrames(ROOM, 1);
    expect(sequenceOf(client, ROOM)).toEqual(['res', 'h4']);
  });

  it('answers recovered: false when more messages were missed than the history keeps', async () => {
    const seen = await clientThatSaw(1);
    const newest = await emitLines(setup.b.app, ROOM, 2, 2 + HISTORY_SIZE);
    const client = await connect();
    expect(await client.join(ROOM, seen)).toMatchObject({ data: { recovered: false, position: newest } });
    expect(sequenceOf(client, ROOM)).toEqual(['res']);
  });

  it('answers recovered: false for a room whose history is gone', async () => {
    const client = await connect();
    expect(await client.join('never-written', { epoch: 'old', offset: 3 })).toMatchObject({
      data: { recovered: false, position: null },
    });
  });
});

// Messages emitted on the other instance while the history read is in flight: held at either point,
// they must arrive exactly once, in order, after the replay.
describe.each(setups.slice(1))('on %s, while the history read is in flight', (_name, start) => {
  let setup: Setup;
  let storage: CacheManager;

  beforeEach(async () => {
    setup = await start();
    if (!setup.storage) throw new Error('a shared storage setup holds its reads');
    storage = setup.storage;
  });

  it.each<[HoldPoint, boolean, string[]]>([
    // Appended before the read ran: part of the replay; their live copies (held back, or late) dropped.
    ['before', true, [...lines(3, 7), 'res', 'h8']],
    ['before', false, [...lines(3, 7), 'res', 'h8']],
    // Appended after the read ran: held back, released after the reply.
    ['after', true, [...lines(3, 4), 'res', ...lines(5, 8)]],
    ['after', false, [...lines(3, 4), 'res', ...lines(5, 8)]],
  ])('emits held %s the read (delivered to this instance first: %s) arrive once, in order', async (point, settled, expected) => {
    // A member that was there all along: once it has line 7, this instance has delivered line 7.
    const witness = await ProtocolClient.connect(setup.a.wsUrl('/events'));
    await witness.join(ROOM);
    await emitLines(setup.b.app, ROOM, 1, 2);
    const seen = (await witness.waitForHistoryFrames(ROOM, 2))[1];
    await emitLines(setup.b.app, ROOM, 3, 4);

    const held = holdNextCall(storage, 'readLog', point);
    const client = await ProtocolClient.connect(setup.a.wsUrl('/events'));
    const joining = client.join(ROOM, { epoch: seen?.epoch ?? '', offset: 2 });
    await held.reached;
    await emitLines(setup.b.app, ROOM, 5, 7);
    if (settled) await witness.waitForHistoryFrames(ROOM, 7);
    held.release();
    expect(await joining).toMatchObject({ data: { recovered: true } });
    await emitLines(setup.b.app, ROOM, 8, 8);
    await client.waitForHistoryFrames(ROOM, 6);
    await witness.waitForHistoryFrames(ROOM, 8);
    expect(sequenceOf(client, ROOM)).toEqual(expected);
    expect(sequenceOf(witness, ROOM)).toEqual(['res', ...lines(1, 8)]);
  });

  it('answers STORAGE_UNAVAILABLE when the read fails, sends nothing of the room, and a retry recovers', async () => {
    // A member that stays: once it has a line, this instance has delivered that line.
    const witness = await ProtocolClient.connect(setup.a.wsUrl('/events'));
    await witness.join(ROOM);
    await emitLines(setup.b.app, ROOM, 1, 2);
    const seen = (await witness.waitForHistoryFrames(ROOM, 2))[1];
    await emitLines(setup.b.app, ROOM, 3, 4);
    const since = { epoch: seen?.epoch ?? '', offset: 2 };

    const held = holdNextCall(storage, 'readLog', 'before');
    const client = await ProtocolClient.connect(setup.a.wsUrl('/events'));
    const joining = client.join(ROOM, since);
    await held.reached;
    // The client is a member while the read runs: line 5 is held back for it, then dropped with the join.
    await emitLines(setup.b.app, ROOM, 5, 5);
    await witness.waitForHistoryFrames(ROOM, 5);
    held.fail(new CacheError('UNAVAILABLE', 'the storage went away'));
    expect(await joining).toMatchObject({ t: 'err', code: 'STORAGE_UNAVAILABLE' });
    expect(await setup.a.app.getRoomMembers(ROOM)).toHaveLength(1);
    await emitLines(setup.b.app, ROOM, 6, 6);
    await witness.waitForHistoryFrames(ROOM, 6);

    expect(await client.join(ROOM, since)).toMatchObject({ data: { recovered: true } });
    expect(sequenceOf(client, ROOM)).toEqual([...lines(3, 6), 'res']);
  });
});
