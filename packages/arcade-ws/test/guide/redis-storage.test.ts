import { RedisCacheManager } from '@arcade/cache-redis';
import { type RedisTestServer, startRedisServer } from '@arcade/cache-redis/testing';
import type { App } from '@arcade/core';
import { RedisInspector } from '../support/redis-inspect';
import { startServer, type TestServer } from '../support/server';

// The guide's "Redis-backed storage" setup on one instance: init the cache with host and port,
// hand it to initializeWebSocketStorage, run the server, and dispose on shutdown.
function defineRoutes(app: App): void {
  app.route.get('/ws/chat/:roomId').handleWebSocket(
    (ctx, websocket, id) => {
      websocket.listen((data) => {
        void app.emitToRoom(ctx.pathParameters.roomId!, `${id}: ${String(data)}`);
      });
    },
    {
      onConnect: async (ctx, websocket, id) => {
        await app.joinRoom(id, ctx.pathParameters.roomId!);
        websocket.add(id);
      },
    },
  );
}

describe('guide: Redis-backed storage on one instance', () => {
  let redis: RedisTestServer;
  let inspector: RedisInspector;
  let server: TestServer;

  beforeAll(async () => {
    redis = await startRedisServer();
    inspector = await RedisInspector.open(redis.port);
  });

  afterAll(async () => {
    await inspector?.close();
    await redis?.stop();
  });

  beforeEach(async () => {
    server = await startServer(defineRoutes, {
      setup: async (app) => {
        const redisCache = new RedisCacheManager();
        await redisCache.init({ host: '127.0.0.1', port: redis.port, secure: false });
        await app.initializeWebSocketStorage(redisCache);
      },
    });
  });

  afterEach(async () => {
    await server.close();
    // After server.close() the storage is disposed; a later dispose is a harmless no-op.
    await server.app.disposeWebSocketStorage();
  });

  it('keeps rooms and connections in Redis while they live, and leaves nothing after close', async () => {
    const alice = await server.connect('/ws/chat/lobby');
    const aliceId = await alice.nextText();
    const bob = await server.connect('/ws/chat/lobby');
    const bobId = await bob.nextText();
    expect([...(await server.app.getRoomMembers('lobby'))].sort()).toEqual([aliceId, bobId].sort());
    const stored = await inspector.snapshot();
    expect(stored.some((key) => key.key.includes(aliceId))).toBe(true);
    expect(stored.some((key) => key.content.includes(bobId))).toBe(true);

    await alice.send('hello');
    expect(await bob.nextText()).toBe(`${aliceId}: hello`);

    await server.close();
    expect(await inspector.snapshot()).toEqual([]);
  });
});
