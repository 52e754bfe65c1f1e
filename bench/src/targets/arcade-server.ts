import { MemoryCacheManager } from '@arcade/cache-memory';
import { RedisCacheManager } from '@arcade/cache-redis';
import { createConsoleLogger, route, runServer } from '@arcade/core';
import { type EventsMap, emitToRoom, eventEmitter, initializeWebSocketStorage, joinRoom } from '@arcade/ws';
import { JSON_BODY, JSON_PATH } from './http-routes';
import { type RunningTarget, redisClusterNodes, redisUrl, reportError } from './serve';

/** The room route's events: the publisher's `m`, re-emitted unchanged to the room. */
interface RoomEvents extends EventsMap {
  toServer: { m: string };
  toClient: { m: string };
}

/** The echo route's one request: `echo` answers its payload. */
interface EchoEvents extends EventsMap {
  toServer: { echo: (data: string) => string };
  toClient: Record<never, never>;
}

/** What the environment switches (`TARGETS` in src/processes.ts sets it per target). */
export type ArcadeEnv = Partial<
  Record<'ARCADE_STORAGE' | 'ARCADE_HISTORY' | 'ARCADE_EVENTS' | 'ARCADE_METRICS', string | undefined>
>;

/** The two WebSocket routes, as a `handleWebSocket` app writes them: raw frames in and out. */
function rawRoutes(emitOptions: { history: true } | undefined): void {
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
}

/**
 * The same two routes on the events protocol (`handleEvents`, subprotocol `arcade.events.v1`), as an
 * app on `@arcade/client` writes them. The room is in the URL, so the server joins it in `onConnect`
 * (as `rawRoutes` does), not the client with a `join` frame: that is what an app whose URL names the
 * room does, and it keeps the join path the same as `arcade`'s, so the two differ by the protocol's
 * framing and dispatch alone. No schema: validation would measure the schema library.
 */
function eventRoutes(emitOptions: { history: true } | undefined): void {
  const rooms = eventEmitter<RoomEvents>();
  route.get('/ws/bench/:room').handleEvents<RoomEvents>({
    events: {
      m: async (data, socket) => {
        await rooms.toRoom(socket.ctx.pathParameters.room!, emitOptions).emit('m', data);
      },
    },
    onConnect: async (socket) => {
      await socket.join(socket.ctx.pathParameters.room!);
    },
  });
  route.get('/ws/echo').handleEvents<EchoEvents>({ events: { echo: (data) => data } });
}

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
 * With `ARCADE_HISTORY=1` (target `arcade-history`) every emit is `emitToRoom(room, data, { history:
 * true })`, with the default history bounds (100 messages, 10 minutes); otherwise the call is exactly
 * `emitToRoom(room, data)`, as a user without history writes it. With `ARCADE_EVENTS=1` (target
 * `arcade-events`) the two WebSocket routes speak the events protocol ({@link eventRoutes}). With
 * `ARCADE_METRICS=1` (target `arcade-metrics`) the server counts its Prometheus metrics
 * (`runServer({ metrics: {} })`: prom-client, a private registry, `/metrics` served). The per-connection
 * rate limit is turned off (a publisher sends far more than its default 100 messages/s, and neither
 * `ws` nor Socket.IO limits); the logger writes warnings and errors only, as a production deployment
 * would.
 */
export async function startArcade(env: ArcadeEnv): Promise<RunningTarget> {
  const url = redisUrl();
  const cluster = redisClusterNodes();
  const storage = env.ARCADE_STORAGE || undefined;
  const emitOptions = env.ARCADE_HISTORY === '1' ? ({ history: true } as const) : undefined;
  const server = await runServer({
    port: 0,
    host: '127.0.0.1',
    logger: createConsoleLogger({ level: 'warn' }),
    webSocket: { rateLimit: false },
    ...(env.ARCADE_METRICS === '1' ? { metrics: {} } : {}),
    init: async () => {
      if (cluster !== undefined) await initializeWebSocketStorage(new RedisCacheManager({ cluster }));
      else if (url !== undefined) await initializeWebSocketStorage(new RedisCacheManager({ url }));
      else if (storage === 'memory') await initializeWebSocketStorage(new MemoryCacheManager());
      else if (storage === 'default') await initializeWebSocketStorage();
      else if (storage !== undefined) throw new Error(`unknown ARCADE_STORAGE=${storage} (default, memory)`);
      if (env.ARCADE_EVENTS === '1') eventRoutes(emitOptions);
      else rawRoutes(emitOptions);
      route.get(JSON_PATH).handle(() => JSON_BODY);
      route.get('/users/:id').handle((ctx) => ({ id: ctx.pathParameters.id }));
    },
  });
  return { port: server.port, close: () => server.close() };
}
