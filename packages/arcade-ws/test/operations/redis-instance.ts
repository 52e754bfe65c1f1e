import { RedisCacheManager } from '@arcade/cache-redis';
import { type App, type ServerOptions, silentLogger } from '@arcade/core';
import type { TestClient } from '@arcade/test-support';
import { startServer, type TestServer } from '../support/server';

/** A WebSocket route whose clients join the room named in the path and are told their id. */
function defineRoutes(app: App): void {
  app.route.get('/ws/rooms/:room').handleWebSocket((_ctx, websocket) => websocket.listen(() => {}), {
    onConnect: async (ctx, websocket, id) => {
      await app.joinRoom(id, ctx.pathParameters.room as string);
      websocket.add(id);
    },
  });
}

/**
 * One instance on a real Redis (its own `keyPrefix`, so the tests of a file do not meet), with
 * metrics and health endpoints on. A short lease makes the maintenance loop, and its storage calls
 * during an outage, frequent.
 */
export function startRedisInstance(
  url: string,
  keyPrefix: string,
  serverOptions: Partial<Omit<ServerOptions, 'port' | 'init'>> = {},
): Promise<TestServer> {
  return startServer(defineRoutes, {
    setup: async (app) => {
      // Silent: the outage test stops Redis on purpose.
      const cache = new RedisCacheManager({ url, keyPrefix, maxReconnectDelayMs: 100, logger: silentLogger });
      await cache.init();
      await app.initializeWebSocketStorage(cache, { instanceLeaseMs: 900 });
    },
    serverOptions: { metrics: {}, health: {}, ...serverOptions },
  });
}

/** Opens a client in `room` on `server`; resolves it with its connection id. */
export async function joinAs(server: TestServer, room: string): Promise<{ client: TestClient; id: string }> {
  const client = await server.connect(`/ws/rooms/${room}`);
  return { client, id: await client.nextText() };
}
