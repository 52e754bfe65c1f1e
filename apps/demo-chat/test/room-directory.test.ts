import { MemoryCacheManager } from '@arcade/cache-memory';
import { RedisCacheManager } from '@arcade/cache-redis';
import { type RedisTestServer, startRedisServer } from '@arcade/cache-redis/testing';
import { silentLogger } from '@arcade/core';
import { httpRequest, RecordingLogger, waitFor } from '@arcade/test-support';
import { ChatConfigError, type ChatServer, createChatServer, type RoomSummary } from '../src';
import { RoomDirectory } from '../src/room-directory';
import { ChatClient } from './support/chat-client';
import { UNREACHED_LIMITS } from './support/limits';
import { type ProbedCache, probeCache } from './support/probed-cache';
import { RawEventsClient } from './support/raw-events-client';

const DIRECTORY_KEY = 'demo-chat:room-directory';

let redis: RedisTestServer;
const clients: (ChatClient | RawEventsClient)[] = [];

async function clientOn(server: ChatServer, name: string): Promise<ChatClient> {
  const client = await ChatClient.connect(server.url, name);
  clients.push(client);
  return client;
}

async function listedOver(server: ChatServer): Promise<RoomSummary[]> {
  return (await httpRequest(`${server.url}/api/rooms`)).json<{ rooms: RoomSummary[] }>().rooms;
}

beforeAll(async () => {
  redis = await startRedisServer();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

afterAll(async () => {
  await redis?.stop();
});

describe('a room listing on Redis', () => {
  let counted: ProbedCache;
  let server: ChatServer;

  beforeAll(async () => {
    counted = probeCache(new RedisCacheManager({ url: redis.url }));
    server = await createChatServer({
      port: 0,
      host: '127.0.0.1',
      cache: counted.cache,
      clientLimits: UNREACHED_LIMITS,
      // No refresh of the directory entry during the test: it would be a storage call of its own.
      roomDirectory: { leaseMs: 3_600_000 },
      logger: new RecordingLogger(),
    });
  });

  afterAll(async () => {
    await server?.close();
    await counted?.cache.dispose();
  });

  /**
   * The storage calls recorded since the last reset, leaving out @arcade/ws's lease renewal, which
   * runs on its own timer (packages/arcade-ws/docs/cluster.md, "ws:lease", "ws:instances", "ws:reap").
   */
  function callsOfTheListing() {
    const liveness = /^ws:(lease:|instances$|reap:)/;
    return counted.calls.filter((call) => !call.keys.every((key) => liveness.test(key)));
  }

  /** `count` clients, each alone in its own room, all done joining. */
  async function fillRooms(from: number, to: number): Promise<void> {
    for (let start = from; start < to; start += 20) {
      await Promise.all(
        Array.from({ length: Math.min(20, to - start) }, async (_, offset) => {
          const client = await clientOn(server, 'Filler');
          // Answered after the join's notice and directory write (the connection's frames run in order).
          await client.join(`room-${start + offset}`);
        }),
      );
    }
  }

  async function measure(expectedRooms: number): Promise<void> {
    const asker = clients[0] as ChatClient;
    counted.reset();
    expect(await asker.client.request('listRooms')).toHaveLength(expectedRooms);
    expect(callsOfTheListing()).toEqual([{ method: 'setMembers', keys: [DIRECTORY_KEY] }]);

    counted.reset();
    expect(await listedOver(server)).toHaveLength(expectedRooms);
    expect(callsOfTheListing()).toEqual([{ method: 'setMembers', keys: [DIRECTORY_KEY] }]);
  }

  it('costs one storage call for 1 room and for 200 rooms, by listRooms and GET /api/rooms', async () => {
    await fillRooms(0, 1);
    await measure(1);
    await fillRooms(1, 200);
    await measure(200);
  });
});

describe('room listings of two instances on one Redis', () => {
  let a: ChatServer;
  let b: ChatServer;

  beforeAll(async () => {
    const options = { port: 0, host: '127.0.0.1', redisUrl: redis.url, clientLimits: UNREACHED_LIMITS };
    a = await createChatServer({ ...options, logger: new RecordingLogger() });
    b = await createChatServer({ ...options, logger: new RecordingLogger() });
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('count the members of both instances, and follow leaves, closes and instances going away', async () => {
    // Ada speaks the protocol by hand, to join her room twice.
    const ada = await RawEventsClient.connect(a.url, 'Ada');
    clients.push(ada);
    const bea = await clientOn(b, 'Bea');
    const cy = await clientOn(b, 'Cy');
    expect(await ada.answer(ada.join('shared'))).toMatchObject({ t: 'res' });
    // Answered after what her join changed, the directory's write included (her frames run in order).
    await ada.answer(ada.request('roomView', { room: 'shared', history: false }));
    await bea.join('shared');
    await cy.join('solo');
    const both = [
      { name: 'shared', memberCount: 2 },
      { name: 'solo', memberCount: 1 },
    ];
    expect(await listedOver(a)).toEqual(both);
    // Joining the room one is in again still counts one member.
    expect(await ada.answer(ada.join('shared'))).toMatchObject({ t: 'res' });
    expect(await listedOver(b)).toEqual(both);
    expect(await ada.answer(ada.request('listRooms'))).toMatchObject({ data: both });

    await cy.client.leave('solo');
    expect(await listedOver(a)).toEqual([{ name: 'shared', memberCount: 2 }]);

    // Cy moves to Ada's room on another instance: counted there, at once, from either instance.
    await cy.join('shared');
    expect(await listedOver(a)).toEqual([{ name: 'shared', memberCount: 3 }]);

    await bea.close();
    await waitFor(async () => (await listedOver(a))[0]?.memberCount === 2, {
      description: "Bea's closed connection leaving the count",
    });

    // A third instance that closes takes its members out of every listing.
    const c = await createChatServer({
      port: 0,
      host: '127.0.0.1',
      redisUrl: redis.url,
      logger: new RecordingLogger(),
    });
    try {
      const dee = await ChatClient.connect(c.url, 'Dee');
      clients.push(dee);
      await dee.join('shared');
      expect(await listedOver(b)).toEqual([{ name: 'shared', memberCount: 3 }]);
    } finally {
      await c.close();
    }
    expect(await listedOver(b)).toEqual([{ name: 'shared', memberCount: 2 }]);
  });

  it('counts the members again once a restarted Redis comes back empty', async () => {
    const ada = await clientOn(a, 'Ada');
    await ada.join('survivor');
    await redis.kill();
    await redis.restart();
    await waitFor(
      async () =>
        (await listedOver(b)).some((room) => room.name === 'survivor' && room.memberCount === 1) || undefined,
      { description: 'the room directory rewritten after the restart', timeoutMs: 20_000 },
    );
  });
});

describe('RoomDirectory entries', () => {
  const leaseMs = 30_000;
  let clock = 1_000_000;
  let cache: MemoryCacheManager;
  const directories: RoomDirectory[] = [];

  function directory(instance: string, on: MemoryCacheManager | ProbedCache['cache'] = cache): RoomDirectory {
    const created = new RoomDirectory(
      on,
      'demo-chat:',
      () => instance,
      () => silentLogger,
      {
        leaseMs,
        now: () => clock,
      },
    );
    directories.push(created);
    return created;
  }

  beforeEach(async () => {
    cache = new MemoryCacheManager();
    await cache.init();
  });

  afterEach(async () => {
    await Promise.all(directories.splice(0).map((created) => created.close()));
    await cache.dispose();
  });

  it('leave the listings once their instance has not rewritten them for leaseMs, and are removed then', async () => {
    const dead = directory('dead');
    const alive = directory('alive');
    const reader = directory('reader');
    await dead.entered('x');
    await dead.entered('x');
    await alive.entered('x');
    await alive.entered('y');
    expect(await reader.list()).toEqual([
      { name: 'x', memberCount: 3 },
      { name: 'y', memberCount: 1 },
    ]);

    clock += leaseMs + 1;
    // The live instance rewrites its entry (its timer does this every leaseMs / 3); the dead one cannot.
    await alive.entered('z');
    await alive.left('z');
    expect(await reader.list()).toEqual([
      { name: 'x', memberCount: 1 },
      { name: 'y', memberCount: 1 },
    ]);
    const entries = await cache.setMembers(DIRECTORY_KEY);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toContain('"alive"');
  });

  it('are skipped and removed when unreadable', async () => {
    await cache.setAdd(DIRECTORY_KEY, 'not json', '{"instance":"x"}');
    const live = directory('live');
    await live.entered('lobby');
    expect(await live.list()).toEqual([{ name: 'lobby', memberCount: 1 }]);
    expect(await cache.setMembers(DIRECTORY_KEY)).toHaveLength(1);
  });

  it('are written once for changes made together, and removed on close', async () => {
    const counted = probeCache(cache);
    const busy = directory('busy', counted.cache);
    await Promise.all(Array.from({ length: 50 }, (_, i) => busy.entered(`room-${i % 5}`)));
    expect(counted.calls.filter((call) => call.method === 'batch')).toHaveLength(1);
    expect((await busy.list()).map((room) => room.memberCount)).toEqual([10, 10, 10, 10, 10]);

    await busy.close();
    expect(await cache.setMembers(DIRECTORY_KEY)).toEqual([]);
    await busy.entered('after-close');
    expect(await cache.setMembers(DIRECTORY_KEY)).toEqual([]);
  });

  it('refuses a lease that leaves no time to rewrite', () => {
    expect(() => directory('x', cache)).not.toThrow();
    expect(
      () =>
        new RoomDirectory(
          cache,
          'demo-chat:',
          () => 'x',
          () => silentLogger,
          { leaseMs: 0 },
        ),
    ).toThrow(ChatConfigError);
  });
});
