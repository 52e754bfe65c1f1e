import path from 'node:path';
import type { CacheManager } from '@arcade/cache';
import { MemoryCacheManager } from '@arcade/cache-memory';
import { RedisCacheManager } from '@arcade/cache-redis';
import { type App, createApp, type Logger } from '@arcade/core';
import '@arcade/ws';
import { ChatConnection } from './chat-connection';
import type { ChatServices } from './chat-services';
import { type ChatHistoryOptions, HISTORY_LENGTH, HISTORY_TTL_MS } from './history';
import { registerHttpRoutes } from './http-routes';
import { DEFAULT_MESSAGE_RATE_LIMIT, type MessageRateLimit, RateLimiter, rateLimitKey } from './rate-limiter';
import { RoomDirectory } from './room-directory';
import { MAX_FRAME_BYTES, MAX_NAME_LENGTH, MAX_ROOM_LENGTH, MAX_TEXT_LENGTH } from './validation';

/** Options of {@link createChatServer}. */
export interface ChatServerOptions {
  /** TCP port; 0 picks a free one. @default 3000 */
  port?: number;
  /** Interface to listen on. @default the @arcade/core default */
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
   * Chat and private messages per client address (all its connections together: reconnecting gives
   * no fresh budget), counted by each instance. @default { messages: 5, perMs: 5000 }
   */
  rateLimit?: MessageRateLimit;
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
  readonly port: number;
  /** The @arcade/ws instance id of this node. */
  readonly serverInstanceId: string;
  /** Closes every socket (1001), cleans this node's records from storage and releases the cache it created. Idempotent. */
  close(): Promise<void>;
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

/** Starts the chat: HTTP API, WebSocket endpoint `/ws` and the page, on one port. */
export async function createChatServer(options: ChatServerOptions = {}): Promise<ChatServer> {
  const app = options.app ?? createApp();
  const { cache, owned } = createCache(options);
  const rateLimit = options.rateLimit ?? DEFAULT_MESSAGE_RATE_LIMIT;
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
    cache,
    historyLength: history.size,
    rooms: new RoomDirectory(cache, CHAT_KEY_PREFIX, async (room) => (await app.getRoomMembers(room)).length),
    rateLimiter: new RateLimiter(rateLimit),
    limits: {
      maxNameLength: MAX_NAME_LENGTH,
      maxRoomLength: MAX_ROOM_LENGTH,
      maxTextLength: MAX_TEXT_LENGTH,
      messagesPerWindow: rateLimit.messages,
      windowMs: rateLimit.perMs,
    },
    get logger() {
      return app.logger;
    },
    serverInstanceId: () => app.serverInstanceId,
    nextMessageId: () => `${(sequence++).toString(36).padStart(8, '0')}-${app.serverInstanceId}`,
  };

  let server: Awaited<ReturnType<App['runServer']>>;
  try {
    server = await app.runServer({
      port: options.port ?? 3000,
      ...(options.host ? { host: options.host } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      staticFilesDirectory: options.staticFilesDirectory ?? DEFAULT_STATIC_DIRECTORY,
      webSocket: {
        // The chat's own frames are small; a bigger frame is an error the client hears about (too_large),
        // and one past this bound is cut off by the transport with 1009.
        maxPayload: MAX_FRAME_BYTES * 4,
        // Chat lines are kept in @arcade/ws room history: at most `size` per room, dropped `ttlMs`
        // after a room's last line, so no client can make stored history grow without bound.
        history,
      },
      init: () => {
        registerHttpRoutes(app, services, options.adminToken);
        app.route.get('/ws').handleWebSocket((ctx, websocket, id) => {
          // The TCP peer: behind a reverse proxy, the proxy (README, "Rate limit").
          const rateKey = rateLimitKey(ctx.rawRequest.socket.remoteAddress, id);
          const connection = new ChatConnection(id, websocket, services, rateKey);
          websocket.listen((data) => connection.receive(data), {
            onDone: () => {
              connection.closed().catch((error: unknown) => {
                services.logger.debug('leave notice not sent', { connectionId: id, error: String(error) });
              });
            },
            onError: (error) => {
              services.logger.warn('chat socket error', { connectionId: id, error: String(error) });
            },
          });
          connection.start();
        });
      },
    });
  } catch (error) {
    if (owned) await cache.dispose();
    throw error;
  }

  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    port: server.port,
    serverInstanceId: app.serverInstanceId,
    close() {
      closing ??= (async () => {
        try {
          await server.close();
        } finally {
          if (owned) await cache.dispose();
        }
      })();
      return closing;
    },
  };
}
