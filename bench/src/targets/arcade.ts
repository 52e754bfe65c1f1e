import { MemoryCacheManager } from '@arcade/cache-memory';
import { RedisCacheManager } from '@arcade/cache-redis';
import { createConsoleLogger, route, runServer } from '@arcade/core';
import { emitToRoom, initializeWebSocketStorage, joinRoom } from '@arcade/ws';
import { JSON_BODY, JSON_PATH } from './http-routes';
import { redisClusterNodes, redisUrl, reportError, serveUnderRunner } from './serve';

/**
 * Arcade through its public API only, as a user would write it:
 * - `/ws/bench/:room` joins the room in `onConnect` and `emitToRoom`s every text message unchanged;
 * - `/ws/echo` sends every message back with `websocket.add`;
 * - `/json` and `/users/:id` for the HTTP scenario.
 * Storage, as an app chooses it:
 * - nothing set: no storage call at all (the embedded in-memory default; target `arcade`);
 * - `ARCADE_STORAGE=default`: `initializeWebSocketStorage()` (target `arcade-default`);
 * - `ARCADE_STORAGE=memory`: `initializeWebSocketStorage(new MemoryCacheManager())`, a shared store in
 *   one process, as a custom adapter is (target `arcade-memory`);
 * - `REDIS_URL`: `new RedisCacheManager({ url })` (targets `arcade-redis`, and every target of the
 *   cluster scenario); `REDIS_CLUSTER_NODES`: a Redis Cluster (sharded pub/sub),
 *   `new RedisCacheManager({ cluster })` with those seed nodes.
 *
 * With `ARCADE_HISTORY=1` (target `arcade-history`)
 * every emit is `emitToRoom(room, data, { history: true })`, with the default history bounds (100
 * messages, 10 minutes); otherwise the call is exactly `emitToRoom(room, data)`, as a user without
 * history writes it. The per-connection rate limit is turned off (a
 * publisher sends far more than its default 100 messages/s, and neither `ws` nor Socket.IO limits);
 * the logger writes warnings and errors only, as a production deployment would.
 */
serveUnderRunner(async () => {
  const url = redisUrl();
  const cluster = redisClusterNodes();
  const storage = process.env.ARCADE_STORAGE || undefined;
  const emitOptions = process.env.ARCADE_HISTORY === '1' ? { history: true } : undefined;
  const server = await runServer({
    port: 0,
    host: '127.0.0.1',
    logger: createConsoleLogger({ level: 'warn' }),
    webSocket: { rateLimit: false },
    init: async () => {
      if (cluster !== undefined) await initializeWebSocketStorage(new RedisCacheManager({ cluster }));
      else if (url !== undefined) await initializeWebSocketStorage(new RedisCacheManager({ url }));
      else if (storage === 'memory') await initializeWebSocketStorage(new MemoryCacheManager());
      else if (storage === 'default') await initializeWebSocketStorage();
      else if (storage !== undefined) throw new Error(`unknown ARCADE_STORAGE=${storage} (default, memory)`);
      route.get('/ws/bench/:room').handleWebSocket(
        (ctx, websocket) => {
          const room = ctx.pathParameters.room!;
          websocket.listen((data) => {
            if (typeof data === 'string') emitToRoom(room, data, emitOptions).catch(reportError);
          });
        },
        {
          onConnect: async (ctx, _websocket, id) => {
            await joinRoom(id, ctx.pathParameters.room!);
          },
        },
      );
      route.get('/ws/echo').handleWebSocket((_ctx, websocket) => {
        websocket.listen((data) => websocket.add(data));
      });
      route.get(JSON_PATH).handle(() => JSON_BODY);
      route.get('/users/:id').handle((ctx) => ({ id: ctx.pathParameters.id }));
    },
  });
  return { port: server.port, close: () => server.close() };
});
