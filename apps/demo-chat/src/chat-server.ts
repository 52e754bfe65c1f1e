import path from 'node:path';
import type { CacheManager } from '@arcade/cache';
import { MemoryCacheManager } from '@arcade/cache-memory';
import { RedisCacheManager } from '@arcade/cache-redis';
import { type App, createApp, type Logger } from '@arcade/core';
import { eventEmitter } from '@arcade/ws';
import type { ChatEvents } from './chat-events';
import { registerChatRoute } from './chat-route';
import type { ChatServices } from './chat-services';
import { type ClientLimitOptions, ClientLimits, resolveClientLimits } from './client-limits';
import { registerClientModule } from './client-module';
import { type ChatHistoryOptions, HISTORY_LENGTH, HISTORY_TTL_MS } from './history';
import { registerHttpRoutes } from './http-routes';
import { operationsOptions, registerChatMetrics, registerMetricsOff } from './operations';
import { type AllowedOrigins, OriginPolicy } from './origin-policy';
import type { MessageRateLimit } from './rate-limiter';
import { RoomDirectory, type RoomDirectoryOptions } from './room-directory';
import { sendSecurityHeaders } from './security-headers';
import { MAX_NAME_LENGTH, MAX_ROOM_LENGTH, MAX_TEXT_LENGTH } from './validation';
import { guardWebSocketUpgrade } from './websocket-guard';

/** The interface the chat listens on unless told otherwise: loopback, reachable from this machine only. */
export const DEFAULT_HOST = '127.0.0.1';

/** Options of {@link createChatServer}. */
export interface ChatServerOptions {
  /** TCP port; 0 picks a free one. @default 3000 */
  port?: number;
  /**
   * Interface to listen on. `0.0.0.0` (or `::`) opens the chat to the network.
   * @default '127.0.0.1' (this machine only)
   */
  host?: string;
  /**
   * Redis URL (`redis://host:port/db`). When set, the server is one node of a cluster: connections,
   * rooms and history are shared with every other node on the same Redis. @default in-memory storage
   */
  redisUrl?: string;
  /**
   * Seed nodes of a Redis Cluster (`redis://host:port` or `rediss://host:port` URLs): the same as
   * `redisUrl`, on a Redis Cluster (keys spread over its shards, sharded pub/sub). Not together with
   * `redisUrl`. @default in-memory storage
   */
  redisClusterNodes?: readonly string[];
  /**
   * A CacheManager to use instead of creating one (for embedding and tests). The server initialises it
   * but does not dispose it: its creator does. Takes precedence over `redisUrl` and `redisClusterNodes`.
   */
  cache?: CacheManager;
  /** Bearer token of the admin API (`GET /api/ws/connections`, `POST /api/broadcast`). @default admin API disabled */
  adminToken?: string;
  /**
   * Bearer token of `GET /metrics` (Prometheus text). Without it metrics are off: prom-client is not
   * loaded, nothing is counted, and `/metrics` answers 403 saying how to turn them on.
   * @default metrics off
   */
  metricsToken?: string;
  /**
   * How long `drain()` (SIGTERM in `dist/main.js`) keeps serving HTTP with readiness answering 503,
   * before it closes every WebSocket with 1012: the time the load balancer needs to notice.
   * @default 0
   */
  drainDelayMs?: number;
  /**
   * Chat and private messages per client address (all its connections together: reconnecting gives
   * no fresh budget), counted by each instance; the same as `clientLimits.chat`, which wins when both
   * are given. @default { messages: 5, perMs: 5000 }
   */
  rateLimit?: MessageRateLimit;
  /**
   * The budgets of each client address: new and open connections, and every frame type (see
   * `ClientLimitOptions`). Those left out keep their defaults. An invalid one throws `ChatConfigError`.
   * @default DEFAULT_CLIENT_LIMITS
   */
  clientLimits?: Partial<ClientLimitOptions>;
  /**
   * Origins allowed to open the WebSocket besides the page's own (the request's `Host`), or `'any'`.
   * A handshake without `Origin` (a program, not a browser) is accepted; see `OriginPolicy`.
   * An entry that is not an origin throws `ChatConfigError`. @default [] (the page's own origin only)
   */
  allowedOrigins?: AllowedOrigins;
  /** How the room directory keeps its entries fresh. @default { leaseMs: 30000 } */
  roomDirectory?: RoomDirectoryOptions;
  /** Bounds of each room's history. @default { size: 50, ttlMs: 600000 } */
  history?: ChatHistoryOptions;
  /** Where the page's files are. @default the app's `public/` folder */
  staticFilesDirectory?: string;
  /** Logger for the server and the chat. @default the @arcade/core console logger */
  logger?: Logger;
  /**
   * The app to register routes on (its WebSocket functions then reach this server's connections and
   * rooms). @default a fresh `createApp()`, so several servers can share a process
   */
  app?: App;
}

/** A running chat server. */
export interface ChatServer {
  /** Base URL, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  /** The interface listened on, e.g. `127.0.0.1`. */
  readonly host: string;
  readonly port: number;
  /** The @arcade/ws instance id of this node. */
  readonly serverInstanceId: string;
  /** Closes every socket (1001), cleans this node's records from storage and releases the cache it created. Idempotent. */
  close(): Promise<void>;
  /**
   * Takes this node out of rotation for a rolling deploy: `/readyz` answers 503 and new WebSocket
   * upgrades are refused at once; after `drainDelayMs` every WebSocket is closed with 1012 (Service
   * Restart: the page reconnects at once, to another instance), then the rest is as `close()`.
   * Idempotent; `close()` during the delay ends it.
   */
  drain(): Promise<void>;
}

/** Key prefix of the chat's own data (the room directory) inside the shared cache. */
const CHAT_KEY_PREFIX = 'demo-chat:';

/** Where `public/` is, from `src/` (ts-jest) as from `dist/` (node). */
const DEFAULT_STATIC_DIRECTORY = path.resolve(__dirname, '..', 'public');

function createCache(options: ChatServerOptions): { cache: CacheManager; owned: boolean } {
  if (options.cache) return { cache: options.cache, owned: false };
  if (options.redisUrl && options.redisClusterNodes) {
    throw new Error('Give createChatServer redisUrl (one Redis server) or redisClusterNodes, not both.');
  }
  if (options.redisClusterNodes) {
    return { cache: new RedisCacheManager({ cluster: options.redisClusterNodes }), owned: true };
  }
  if (options.redisUrl) return { cache: new RedisCacheManager({ url: options.redisUrl }), owned: true };
  return { cache: new MemoryCacheManager(), owned: true };
}

/** Apps that already send the security headers (an app given in `options.app` may run several servers). */
const appsWithSecurityHeaders = new WeakSet<App>();

/** Starts the chat: HTTP API, WebSocket endpoint `/ws` and the page, on one port. */
export async function createChatServer(options: ChatServerOptions = {}): Promise<ChatServer> {
  // Settings are checked before anything is opened.
  const limits = resolveClientLimits({
    ...(options.rateLimit ? { chat: options.rateLimit } : {}),
    ...options.clientLimits,
  });
  const originPolicy = new OriginPolicy(options.allowedOrigins);
  const app = options.app ?? createApp();
  const { cache, owned } = createCache(options);
  const rooms = new RoomDirectory(
    cache,
    CHAT_KEY_PREFIX,
    () => app.serverInstanceId,
    () => app.logger,
    options.roomDirectory,
  );
  const history = {
    size: options.history?.size ?? HISTORY_LENGTH,
    ttlMs: options.history?.ttlMs ?? HISTORY_TTL_MS,
  };
  let sequence = 0;
  try {
    await cache.init();
    // The chat's room directory lives in the same cache: the WebSocket storage leaves it
    // on close but never disposes it; its owner (below, or the caller's code) does.
    await app.initializeWebSocketStorage(cache, { disposeCache: false });
  } catch (error) {
    if (owned) await cache.dispose();
    throw error;
  }
  const services: ChatServices = {
    realtime: app,
    events: eventEmitter<ChatEvents>(app),
    cache,
    historyLength: history.size,
    rooms,
    clientLimits: new ClientLimits(limits),
    limits: {
      maxNameLength: MAX_NAME_LENGTH,
      maxRoomLength: MAX_ROOM_LENGTH,
      maxTextLength: MAX_TEXT_LENGTH,
      messagesPerWindow: limits.chat.messages,
      windowMs: limits.chat.perMs,
    },
    get logger() {
      return app.logger;
    },
    serverInstanceId: () => app.serverInstanceId,
    nextMessageId: () => `${(sequence++).toString(36).padStart(8, '0')}-${app.serverInstanceId}`,
  };

  if (!appsWithSecurityHeaders.has(app)) {
    appsWithSecurityHeaders.add(app);
    app.onServerStart((httpServer) => sendSecurityHeaders(httpServer));
  }
  let server: Awaited<ReturnType<App['runServer']>>;
  try {
    server = await app.runServer({
      port: options.port ?? 3000,
      host: options.host ?? DEFAULT_HOST,
      ...(options.logger ? { logger: options.logger } : {}),
      staticFilesDirectory: options.staticFilesDirectory ?? DEFAULT_STATIC_DIRECTORY,
      ...operationsOptions(options.metricsToken),
      ...(options.drainDelayMs === undefined ? {} : { drainDelayMs: options.drainDelayMs }),
      webSocket: {
        // Chat lines are kept in @arcade/ws room history: at most `size` per room, dropped `ttlMs`
        // after a room's last line, so no client can make stored history grow without bound.
        history,
      },
      init: () => {
        registerHttpRoutes(app, services, options.adminToken);
        if (options.metricsToken === undefined) registerMetricsOff(app);
        else registerChatMetrics(app, services.clientLimits);
        registerClientModule(app);
        registerChatRoute(app, services, guardWebSocketUpgrade(originPolicy, services.clientLimits));
      },
    });
  } catch (error) {
    if (owned) await cache.dispose();
    throw error;
  }
  services.rooms.start();

  let closing: Promise<void> | undefined;
  /** After the server closed (drained or not): this node's directory entry and the cache it created. */
  const release = async (stopped: Promise<void>): Promise<void> => {
    try {
      await stopped;
      await services.rooms.close().catch((error: unknown) => {
        // Storage is down: the entry expires by itself (room directory lease).
        services.logger.warn('room directory entry not removed', { error: String(error) });
      });
    } finally {
      if (owned) await cache.dispose();
    }
  };
  return {
    url: server.url,
    host: server.host,
    port: server.port,
    serverInstanceId: app.serverInstanceId,
    close() {
      // Called during a drain's delay, the server's close() ends the delay (the drain goes on).
      const stopped = server.close();
      closing ??= release(stopped);
      return closing;
    },
    drain() {
      closing ??= release(server.drain());
      return closing;
    },
  };
}
