import type { ConnectionOptions } from 'node:tls';
import { CacheError } from '@arcade/cache';
import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';

/** Where the adapter reports what it cannot throw to a caller (a listener that threw, a lost connection). */
export interface RedisCacheLogger {
  warn(message: string, details?: Record<string, unknown>): void;
}

/**
 * Options of {@link RedisCacheManager}, given to the constructor, to `init()`, or split between the
 * two (`init()`'s win). Give either a ready ioredis `client` or connection options.
 */
export interface RedisCacheManagerOptions {
  /**
   * `redis://[[username]:password@]host[:port][/db]` or `rediss://...` (TLS). The other connection
   * options, when given too, override the parts of the URL.
   * @default undefined (host and port below)
   */
  url?: string;
  /** @default 'localhost' */
  host?: string;
  /** @default 6379 */
  port?: number;
  /** Connects with TLS (as `rediss://` does). @default false */
  secure?: boolean;
  /** Extra TLS settings (a private CA, client certificates...); implies `secure`. @default undefined */
  tls?: ConnectionOptions;
  /** ACL user name (Redis 6+). @default undefined (the default user) */
  username?: string;
  /** @default undefined (no AUTH) */
  password?: string;
  /** Database index. Pub/sub ignores it: channels are isolated by `keyPrefix` only. @default 0 */
  db?: number;
  /**
   * Prepended to every key and channel; adapters with different prefixes never see each other's
   * data, and `clear()` removes only keys under it. Must not be empty.
   * @default 'arcade:'
   */
  keyPrefix?: string;
  /**
   * Seed nodes of a Redis Cluster (Redis 7+): `redis://host:port` or `rediss://host:port` URLs, or
   * `{ host, port }`. The adapter then runs on the cluster: keys spread over its shards, pub/sub is
   * sharded (`SPUBLISH`/`SSUBSCRIBE`: a message travels only through the shard owning its channel),
   * and `batch`/`appendToLog` need their keys on one shard (`shardOf`, hash tags). `username`,
   * `password`, `secure`/`tls` and `keyPrefix` apply to every node; `url`, `host`, `port` and `db` do
   * not apply. Apps read seed nodes from `REDIS_CLUSTER_NODES` (comma-separated URLs) by convention.
   * @default undefined (one Redis server)
   */
  cluster?: ReadonlyArray<string | { host: string; port: number }>;
  /** Passed to ioredis's `Cluster` (after the adapter's own settings) when `cluster` is given. @default {} */
  clusterOptions?: ClusterOptions;
  /**
   * A ready ioredis client to use as the command connection, instead of the connection options: a
   * `Redis`, or a `Cluster` for a Redis Cluster. The adapter derives its subscriber connection from it
   * with `duplicate()`. Do not set ioredis's own `keyPrefix` on it: the adapter prefixes keys itself.
   * @default undefined (the adapter creates its own client)
   */
  client?: Redis | Cluster;
  /** Whether `dispose()` also closes a `client` you passed in. @default false */
  closeClient?: boolean;
  /**
   * How long `init()` waits for Redis to accept the connection (retrying meanwhile) before it
   * rejects with `UNAVAILABLE`. Also the TCP connect timeout of each attempt.
   * @default 10000
   */
  connectTimeoutMs?: number;
  /**
   * The longest a call waits for Redis's answer before it rejects with `UNAVAILABLE` (a server
   * that hangs, or a connection lost in the middle of a call).
   * @default 3000
   */
  commandTimeoutMs?: number;
  /** The longest pause between two reconnection attempts after Redis went away. @default 1000 */
  maxReconnectDelayMs?: number;
  /** @default a logger writing to `console.warn` */
  logger?: RedisCacheLogger;
}

/** The options after defaults, as the adapter uses them. */
export interface ResolvedOptions {
  readonly keyPrefix: string;
  readonly client: Redis | Cluster | undefined;
  /** The seed nodes and `Cluster` options when the adapter creates a cluster client. */
  readonly cluster:
    | { readonly nodes: ReadonlyArray<{ host: string; port: number }>; readonly options: ClusterOptions }
    | undefined;
  readonly closeClient: boolean;
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
  readonly logger: RedisCacheLogger;
  /** What `new Redis(...)` receives when the adapter creates its own client. */
  readonly redis: RedisOptions;
}

export const DEFAULT_KEY_PREFIX = 'arcade:';
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_COMMAND_TIMEOUT_MS = 3000;
const DEFAULT_MAX_RECONNECT_DELAY_MS = 1000;
const FIRST_RECONNECT_DELAY_MS = 50;
const DISCONNECT_TIMEOUT_MS = 100;

// A surrogate without its other half (no `u` flag: the pattern sees code units). UTF-8 has no form
// for it. A regex rather than String.prototype.isWellFormed: that one is ES2024, the lib is ES2022.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const consoleLogger: RedisCacheLogger = {
  warn: (message, details) => console.warn(`[@arcade/cache-redis] ${message}`, details ?? ''),
};

function invalid(message: string): CacheError {
  return new CacheError('INVALID_ARGUMENT', message);
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw invalid(`${name} must be a positive number, got ${value}`);
  return value;
}

/** The connection parts of a `redis://` or `rediss://` URL. */
function parseUrl(url: string): Partial<RedisCacheManagerOptions> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(`url is not a valid URL: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw invalid(`url must start with redis:// or rediss://, got ${parsed.protocol}//`);
  }
  const parts: Partial<RedisCacheManagerOptions> = { secure: parsed.protocol === 'rediss:' };
  if (parsed.hostname) parts.host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (parsed.port) parts.port = Number(parsed.port);
  if (parsed.username) parts.username = decodeURIComponent(parsed.username);
  if (parsed.password) parts.password = decodeURIComponent(parsed.password);
  const db = parsed.pathname.replace(/^\//, '');
  if (db) {
    if (!/^\d+$/.test(db)) throw invalid(`the database in url must be a number, got ${JSON.stringify(db)}`);
    parts.db = Number(db);
  }
  return parts;
}

/**
 * The seed nodes of `cluster`, checked, and what their URLs say for every node: TLS when any is
 * `rediss://`, the credentials of the first URL that has some.
 */
function clusterNodes(seeds: NonNullable<RedisCacheManagerOptions['cluster']>): {
  nodes: Array<{ host: string; port: number }>;
  shared: Partial<RedisCacheManagerOptions>;
} {
  if (!Array.isArray(seeds) || seeds.length === 0) {
    throw invalid('cluster must be a non-empty list of seed nodes (redis:// URLs or { host, port })');
  }
  const shared: Partial<RedisCacheManagerOptions> = {};
  const nodes = seeds.map((seed, index) => {
    const parts = typeof seed === 'string' ? parseUrl(seed) : seed;
    if (typeof seed === 'string') {
      const url = parts as Partial<RedisCacheManagerOptions>;
      if (url.secure) shared.secure = true;
      if (url.password !== undefined && shared.password === undefined) {
        shared.username = url.username;
        shared.password = url.password;
      }
    }
    const { host, port } = parts as { host?: unknown; port?: unknown };
    if (
      typeof host !== 'string' ||
      host === '' ||
      !Number.isInteger(port) ||
      (port as number) <= 0 ||
      (port as number) > 65_535
    ) {
      throw invalid(`cluster[${index}] must name a host and a port (1-65535), got ${JSON.stringify(seed)}`);
    }
    return { host, port: port as number };
  });
  return { nodes, shared };
}

/**
 * The `Cluster` settings: each node connection takes the adapter's `redis` options (auth, TLS,
 * timeouts, fail fast), less what only a standalone server has; the cluster fails fast too, reconnects
 * with the same backoff, and delivers sharded pub/sub through one subscriber connection per shard.
 */
function clusterOptionsOf(
  redis: RedisOptions,
  maxDelayMs: number,
  extra: ClusterOptions | undefined,
): ClusterOptions {
  const { host: _host, port: _port, db: _db, retryStrategy: _retry, ...nodeOptions } = redis;
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    enableReadyCheck: true,
    shardedSubscribers: true,
    maxRedirections: 16,
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    clusterRetryStrategy: (attempt: number) => reconnectDelay(attempt, maxDelayMs),
    ...extra,
    redisOptions: { ...nodeOptions, ...extra?.redisOptions },
  };
}

/** Exponential backoff, capped: Redis coming back is noticed within `maxDelayMs`. */
export function reconnectDelay(attempt: number, maxDelayMs: number): number {
  return Math.min(FIRST_RECONNECT_DELAY_MS * 2 ** Math.max(0, attempt - 1), maxDelayMs);
}

/**
 * Applies defaults and turns the adapter's options into ioredis options. Pure: opens nothing, so
 * the TLS and URL handling can be checked without a server.
 */
export function resolveOptions(options: RedisCacheManagerOptions): ResolvedOptions {
  const keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
  if (typeof keyPrefix !== 'string' || keyPrefix === '') {
    throw invalid('keyPrefix must be a non-empty string: clear() deletes every key under it');
  }
  if (LONE_SURROGATE.test(keyPrefix)) {
    throw invalid(
      `keyPrefix ${JSON.stringify(keyPrefix)} is not well-formed UTF-16 (it has a lone surrogate): Redis would store it with U+FFFD instead, the prefix of other adapters, and no message published under it would reach its subscribers`,
    );
  }
  const connectTimeoutMs = positive('connectTimeoutMs', options.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS);
  const commandTimeoutMs = positive('commandTimeoutMs', options.commandTimeoutMs, DEFAULT_COMMAND_TIMEOUT_MS);
  const maxDelayMs = positive(
    'maxReconnectDelayMs',
    options.maxReconnectDelayMs,
    DEFAULT_MAX_RECONNECT_DELAY_MS,
  );

  const seeds = options.cluster === undefined ? undefined : clusterNodes(options.cluster);
  if (seeds && /[{}]/.test(keyPrefix)) {
    throw invalid(
      `keyPrefix ${JSON.stringify(keyPrefix)} must not hold { or } on a cluster: a hash tag in the prefix would put every key on one shard`,
    );
  }
  const fromUrl = options.url === undefined ? (seeds?.shared ?? {}) : parseUrl(options.url);
  const pick = <K extends keyof RedisCacheManagerOptions>(key: K): RedisCacheManagerOptions[K] =>
    options[key] ?? fromUrl[key];
  const host = pick('host') ?? 'localhost';
  const port = pick('port') ?? 6379;
  if (!Number.isInteger(port) || port <= 0 || port > 65_535)
    throw invalid(`port must be 1-65535, got ${port}`);
  const db = pick('db') ?? 0;
  if (!Number.isInteger(db) || db < 0) throw invalid(`db must be a non-negative integer, got ${db}`);
  const secure = options.tls !== undefined || (pick('secure') ?? false);

  const redis: RedisOptions = {
    // RESP2, as Redis 5 and every proxy speak it: the adapter needs nothing of RESP3.
    protocol: 2,
    host,
    port,
    db,
    username: pick('username'),
    password: pick('password'),
    // The servername lets certificate checks and SNI work with a host name.
    tls: secure ? { servername: host, ...options.tls } : undefined,
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    commandTimeout: commandTimeoutMs,
    // Fail fast during an outage: no unbounded offline queue, no replay of calls in flight.
    enableOfflineQueue: false,
    // Commands issued in one event-loop turn (a burst of PUBLISHes when many rooms emit) leave in one
    // write instead of one system call each.
    enableAutoPipelining: true,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    // The adapter restores its own subscriptions, so it knows when they are live again.
    autoResubscribe: false,
    // ioredis arms this timer on every disconnect(), even of a socket that is already closed
    // (dispose during an outage); keep it short so dispose leaves no timer behind for long.
    disconnectTimeout: DISCONNECT_TIMEOUT_MS,
    retryStrategy: (attempt: number) => reconnectDelay(attempt, maxDelayMs),
  };
  return {
    keyPrefix,
    client: options.client,
    cluster: seeds && {
      nodes: seeds.nodes,
      options: clusterOptionsOf(redis, maxDelayMs, options.clusterOptions),
    },
    closeClient: options.closeClient ?? false,
    connectTimeoutMs,
    commandTimeoutMs,
    logger: options.logger ?? consoleLogger,
    redis,
  };
}
