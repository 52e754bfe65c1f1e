import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { ResolvedOptions } from './options';

/** A connection to one Redis server, or a client of a Redis Cluster: the commands the adapter uses are the same. */
export type RedisClient = Redis | Cluster;

/** What the adapter hears from one of its two connections. */
export interface ConnectionEvents {
  ready(): void;
  /** The connection closed; `ended` when ioredis gives up reconnecting. */
  lost(ended: boolean): void;
  /** A reconnection attempt was scheduled; `attempt` counts from 1 since the last `ready`. */
  reconnecting(attempt: number): void;
  error(error: Error): void;
}

/** The fail-fast and reconnect settings the subscriber needs, whoever created the command client. */
const SUBSCRIBER_OVERRIDES = [
  'protocol',
  'lazyConnect',
  'connectTimeout',
  'commandTimeout',
  'enableOfflineQueue',
  'maxRetriesPerRequest',
  'autoResendUnfulfilledCommands',
  'autoResubscribe',
  'retryStrategy',
  'disconnectTimeout',
] as const satisfies ReadonlyArray<keyof RedisOptions>;

/** The command client: the user's, or a new one (not connected yet). */
export function createCommandClient(options: ResolvedOptions): RedisClient {
  if (options.client) return options.client;
  return options.cluster
    ? new Cluster([...options.cluster.nodes], options.cluster.options)
    : new Redis(options.redis);
}

/**
 * The subscriber connection, derived from the command client with `duplicate()` (not connected yet).
 * On a cluster it is a second `Cluster` whose sharded subscribers hold one connection per shard that
 * has channels of ours.
 */
export function createSubscriberClient(command: RedisClient, options: ResolvedOptions): RedisClient {
  const overrides: Partial<RedisOptions> = {};
  for (const name of SUBSCRIBER_OVERRIDES) Object.assign(overrides, { [name]: options.redis[name] });
  if (command instanceof Cluster) {
    const { redisOptions } = command.options;
    return command.duplicate([], {
      lazyConnect: true,
      enableOfflineQueue: false,
      shardedSubscribers: true,
      clusterRetryStrategy: (attempt: number) => overrides.retryStrategy?.(attempt) ?? null,
      redisOptions: { ...redisOptions, ...overrides, retryStrategy: undefined },
    });
  }
  return command.duplicate(overrides);
}

/** Whether `client` talks to a Redis Cluster. */
export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}

/** `host:port` of a client (the seed nodes of a cluster the adapter created), for messages. */
export function describeEndpoint(client: RedisClient, options: ResolvedOptions): string {
  if (isCluster(client)) {
    const seeds = options.cluster?.nodes.map(({ host, port }) => `${host}:${port}`).join(', ');
    return seeds ? `the Redis Cluster of ${seeds}` : 'the Redis Cluster';
  }
  const { host, port, path } = client.options;
  return path ?? `${host ?? 'localhost'}:${port ?? 6379}`;
}

/** Listens to `client`; the returned function removes every listener it added. */
export function watchConnection(client: RedisClient, events: ConnectionEvents): () => void {
  let attempts = 0;
  const onReady = () => {
    attempts = 0;
    events.ready();
  };
  const onClose = () => events.lost(false);
  const onEnd = () => events.lost(true);
  const onReconnecting = () => {
    attempts += 1;
    events.reconnecting(attempts);
  };
  const onError = (error: Error) => events.error(error);
  client.on('ready', onReady);
  client.on('close', onClose);
  client.on('end', onEnd);
  client.on('reconnecting', onReconnecting);
  client.on('error', onError);
  return () => {
    client.off('ready', onReady);
    client.off('close', onClose);
    client.off('end', onEnd);
    client.off('reconnecting', onReconnecting);
    client.off('error', onError);
  };
}

/** Closes `client` now and resolves once its socket is gone. */
export async function closeConnection(client: RedisClient): Promise<void> {
  if (client.status === 'end') return;
  // Between two attempts there is no socket: disconnect() only cancels the next attempt, and no
  // 'end' event follows.
  if (client.status === 'reconnecting') {
    client.disconnect();
    return;
  }
  const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
  client.disconnect();
  await ended;
}

/** `pending`, or a rejection once `ms` have passed without an answer. */
export function withTimeout<T>(pending: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([pending, timeout]).finally(() => clearTimeout(timer));
}
