// One piece: the CacheManager contract on ioredis and the state of its two links (command and
// subscriber), which every method reads through run(); the Lua scripts, framing, arguments, errors,
// subscriptions and connection settings live in their own files beside it.
import {
  assertLogAppendOptions,
  assertLogReadOptions,
  type BatchOperation,
  CacheError,
  type CacheManager,
  type CacheStatus,
  type CacheValue,
  type LogAppendOptions,
  type LogPosition,
  type LogRead,
  type LogReadOptions,
  type MessageListener,
  newLogEpoch,
  type PubSubMessage,
  type SetOptions,
  type Unsubscribe,
} from '@arcade/cache';
import {
  checkKey,
  checkMembers,
  checkMessage,
  checkTtl,
  escapeGlob,
  invalid,
  prepareOperation,
} from './arguments';
import { BATCH_SCRIPT, batchScriptArguments } from './batch-script';
import { ChannelSubscriptions } from './channel-subscriptions';
import { decodeValue, encodeMessage, encodeValue } from './codec';
import {
  closeConnection,
  createCommandClient,
  createSubscriberClient,
  describeEndpoint,
  isCluster,
  type RedisClient,
  watchConnection,
  withTimeout,
} from './connections';
import {
  authFailure,
  isAuthFailure,
  isNotACluster,
  notACluster,
  rootCause,
  toCacheError,
  unavailable,
} from './errors';
import { keySlot } from './key-slot';
import {
  APPEND_SCRIPT,
  appendScriptArguments,
  parseAppendReply,
  parseReadReply,
  READ_SCRIPT,
  readScriptArguments,
} from './log-scripts';
import { type RedisCacheManagerOptions, type ResolvedOptions, resolveOptions } from './options';
import { runScript, runScriptNow } from './scripts';

const SCAN_COUNT = 500;

/** A connection that is up, and what the adapter knows about it. */
interface Link {
  readonly client: RedisClient;
  up: boolean;
  /** Reconnection attempts since it was last up; ioredis gave up when `Infinity`. */
  attempts: number;
  readonly unwatch: () => void;
}

interface InitWaiter {
  check(): void;
  fail(error: CacheError): void;
}

/**
 * The `CacheManager` on Redis (ioredis): one command connection and one subscriber connection
 * (derived with `duplicate()`), whatever the number of channels. Keys and channels carry
 * `keyPrefix`. Constructing it opens nothing; `init()` connects, `dispose()` closes what it opened.
 *
 * Outage policy: nothing is queued while Redis is away. A call made while a connection is down
 * rejects at once with `CacheError('UNAVAILABLE')`; a call in flight when the connection drops, or
 * one Redis does not answer within `commandTimeoutMs` (3 s by default), rejects the same way (its
 * effect on Redis is then unknown). The connections reconnect by themselves (backoff capped at
 * `maxReconnectDelayMs`); the subscriptions are restored before `status` becomes `ready` again.
 */
export class RedisCacheManager implements CacheManager {
  private options: RedisCacheManagerOptions;
  private lifecycle: 'idle' | 'starting' | 'started' | 'disposed' = 'idle';
  private currentStatus: CacheStatus = 'idle';
  private readonly statusListeners = new Set<(status: CacheStatus) => void>();
  private starting: Promise<void> | undefined;
  private disposing: Promise<void> | undefined;
  private settings: ResolvedOptions | undefined;
  private command: Link | undefined;
  private subscriber: Link | undefined;
  private subscriptions: ChannelSubscriptions | undefined;
  /** On a Redis Cluster: sharded pub/sub, and atomic steps confined to one slot. */
  private sharded = false;
  /** {@link shardOf}, made once per start (callers read it for every batch). */
  private slotOfName: ((name: string) => number) | undefined;
  private initWaiter: InitWaiter | undefined;
  private lastError: Error | undefined;
  private authFailureLogged = false;

  /** Stores the options; opens nothing. Options given to `init()` are merged over these. */
  constructor(options: RedisCacheManagerOptions = {}) {
    this.options = { ...options };
  }

  /**
   * On a Redis Cluster, the hash slot of a key or channel as this adapter stores it (with its
   * `keyPrefix`); `undefined` on one Redis server, where a batch may mix any keys. Known once
   * `init()` has resolved.
   */
  get shardOf(): ((name: string) => number) | undefined {
    return this.slotOfName;
  }

  /** The current connection state (see {@link CacheStatus}). */
  get status(): CacheStatus {
    return this.currentStatus;
  }

  onStatusChange(listener: (status: CacheStatus) => void): () => void {
    const entry = (status: CacheStatus) => listener(status);
    this.statusListeners.add(entry);
    return () => {
      this.statusListeners.delete(entry);
    };
  }

  /**
   * Connects both connections and resolves once Redis answers on them. Rejects with `UNAVAILABLE`
   * when Redis cannot be reached within `connectTimeoutMs`, `OPERATION_FAILED` when it refuses the
   * credentials, `INVALID_ARGUMENT` for bad options; `init()` may then be called again.
   */
  init(options?: RedisCacheManagerOptions): Promise<void> {
    if (this.lifecycle === 'disposed') {
      return Promise.reject(new CacheError('DISPOSED', 'init() was called after dispose()'));
    }
    if (!this.starting) {
      if (options) this.options = { ...this.options, ...options };
      this.starting = this.start().catch(async (error: unknown) => {
        await this.closeConnections();
        this.starting = undefined;
        if (this.lifecycle === 'starting') this.lifecycle = 'idle';
        this.changed();
        throw toCacheError(error, 'init()');
      });
    }
    return this.starting;
  }

  async dispose(): Promise<void> {
    if (!this.disposing) {
      this.lifecycle = 'disposed';
      this.subscriptions?.close();
      this.initWaiter?.fail(new CacheError('DISPOSED', 'dispose() was called while init() was connecting'));
      this.changed();
      this.disposing = this.closeConnections();
    }
    await this.disposing;
  }

  async get<T extends CacheValue = CacheValue>(key: string): Promise<T | undefined> {
    const name = this.key('get()', key);
    const frame = await this.run('get()', (client) => client.getBuffer(name));
    if (frame === null) return undefined;
    let value: CacheValue | undefined;
    try {
      value = decodeValue(frame);
    } catch {
      // A 'j' frame whose JSON does not parse: foreign data under our prefix.
      value = undefined;
    }
    if (value === undefined) {
      throw new CacheError(
        'WRONG_TYPE',
        `get(): the value at ${JSON.stringify(key)} was not written by this adapter`,
      );
    }
    return value as T;
  }

  async set(key: string, value: CacheValue, options?: SetOptions): Promise<void> {
    const name = this.key('set()', key);
    const ttl = checkTtl(options?.ttlMs);
    const frame = encodeValue(value);
    await this.run('set()', (client) =>
      ttl === undefined ? client.set(name, frame) : client.set(name, frame, 'PX', ttl),
    );
  }

  async setIfAbsent(key: string, value: CacheValue, options?: SetOptions): Promise<boolean> {
    const name = this.key('setIfAbsent()', key);
    const ttl = checkTtl(options?.ttlMs);
    const frame = encodeValue(value);
    const reply = await this.run('setIfAbsent()', (client) =>
      ttl === undefined ? client.set(name, frame, 'NX') : client.set(name, frame, 'PX', ttl, 'NX'),
    );
    return reply === 'OK';
  }

  async remove(key: string): Promise<boolean> {
    const name = this.key('remove()', key);
    return (await this.run('remove()', (client) => client.unlink(name))) > 0;
  }

  async contains(key: string): Promise<boolean> {
    const name = this.key('contains()', key);
    return (await this.run('contains()', (client) => client.exists(name))) > 0;
  }

  /** Deletes the keys under `keyPrefix` with SCAN and UNLINK, a page at a time; never FLUSHDB. */
  async clear(): Promise<void> {
    const { keyPrefix } = this.started('clear()');
    const pattern = `${escapeGlob(keyPrefix)}*`;
    // A cluster's keys are spread over its masters: each is scanned, and its keys deleted one by one
    // (a multi-key UNLINK must stay within one slot).
    const nodes = await this.run('clear()', async (client) =>
      isCluster(client) ? client.nodes('master') : [client],
    );
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await this.run('clear()', () =>
          node.scanBuffer(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT),
        );
        cursor = next.toString();
        if (keys.length === 0) continue;
        await this.run('clear()', async () => {
          if (this.sharded) await Promise.all(keys.map((key) => node.unlink(key)));
          else await node.unlink(...keys);
        });
      } while (cursor !== '0');
    }
  }

  async setAdd(key: string, ...members: string[]): Promise<number> {
    const name = this.key('setAdd()', key);
    const checked = checkMembers(members);
    if (checked.length === 0) return 0;
    return this.run('setAdd()', (client) => client.sadd(name, ...checked));
  }

  async setRemove(key: string, ...members: string[]): Promise<number> {
    const name = this.key('setRemove()', key);
    const checked = checkMembers(members);
    if (checked.length === 0) return 0;
    return this.run('setRemove()', (client) => client.srem(name, ...checked));
  }

  async setMembers(key: string): Promise<string[]> {
    const name = this.key('setMembers()', key);
    return this.run('setMembers()', (client) => client.smembers(name));
  }

  async setSize(key: string): Promise<number> {
    const name = this.key('setSize()', key);
    return this.run('setSize()', (client) => client.scard(name));
  }

  /** Runs the operations as one Lua script: all of them, in order, or none (see `batch-script.ts`). */
  async batch(operations: readonly BatchOperation[]): Promise<void> {
    this.started('batch()');
    if (!Array.isArray(operations)) throw invalid('batch() takes an array of operations');
    const prepared = operations.map((operation, index) =>
      prepareOperation(operation, (key) => this.key('batch()', key), `operations[${index}].value`),
    );
    if (prepared.length === 0) return;
    const { keys, args } = batchScriptArguments(prepared);
    this.assertOneShard('batch()', keys);
    await this.run('batch()', (client) => runScriptNow(client, BATCH_SCRIPT, keys, args));
  }

  /** Appends, trims, renews the TTL and publishes in one script run (see `log-scripts.ts`). */
  async appendToLog(key: string, message: PubSubMessage, options: LogAppendOptions): Promise<LogPosition> {
    const name = this.key('appendToLog()', key);
    const frame = encodeMessage(checkMessage(message, 'appendToLog()'));
    assertLogAppendOptions(options);
    const { maxLength, ttlMs, channel } = options;
    const prefixedChannel = channel === undefined ? undefined : this.key('appendToLog()', channel, 'channel');
    if (prefixedChannel !== undefined) this.assertOneShard('appendToLog()', [name, prefixedChannel]);
    const args = appendScriptArguments({
      frame,
      // The script uses it only when the log starts (again).
      epoch: newLogEpoch(),
      maxLength,
      ttlMs: checkTtl(ttlMs),
      channel: prefixedChannel,
      publish: this.sharded ? 'SPUBLISH' : 'PUBLISH',
    });
    const reply = await this.run('appendToLog()', (client) => runScript(client, APPEND_SCRIPT, [name], args));
    return parseAppendReply(reply);
  }

  /** Reads the newest position and the selected entries in one script run (see `log-scripts.ts`). */
  async readLog(key: string, options: LogReadOptions): Promise<LogRead> {
    const name = this.key('readLog()', key);
    assertLogReadOptions(options);
    const args = readScriptArguments(options);
    const reply = await this.run('readLog()', (client) => runScript(client, READ_SCRIPT, [name], args));
    return parseReadReply(reply, key);
  }

  async publish(channel: string, message: PubSubMessage): Promise<number> {
    const name = this.key('publish()', channel, 'channel');
    const frame = encodeMessage(checkMessage(message, 'publish()'));
    // SPUBLISH answers how many subscriber connections of the channel's shard got it: one per adapter.
    return this.run('publish()', (client) =>
      this.sharded ? client.spublish(name, frame).then(Number) : client.publish(name, frame),
    );
  }

  /** Resolves once Redis confirmed the subscription; rejects with `UNAVAILABLE` during an outage. */
  async subscribe(channel: string, listener: MessageListener): Promise<Unsubscribe> {
    this.started('subscribe()');
    const name = this.key('subscribe()', channel, 'channel');
    if (typeof listener !== 'function') throw invalid('subscribe() needs a listener function');
    const link = this.subscriber;
    const subscriptions = this.subscriptions;
    if (!link?.up || !subscriptions) throw unavailable('subscribe()', `status is ${this.currentStatus}`);

    const subscription = subscriptions.add(name, listener);
    try {
      await subscriptions.reconcile(link.client);
      if (!subscriptions.isLive(name)) throw unavailable('subscribe()', 'the connection was lost');
    } catch (error) {
      subscriptions.remove(subscription);
      throw toCacheError(error, 'subscribe()');
    }
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      subscriptions.remove(subscription);
      const current = this.subscriber;
      if (this.lifecycle !== 'started' || !current?.up) return;
      // A failure leaves the channel live; the next reconcile (or a reconnect) drops it.
      await subscriptions.reconcile(current.client).catch(() => undefined);
    };
  }

  private async start(): Promise<void> {
    this.lifecycle = 'starting';
    this.lastError = undefined;
    const settings = resolveOptions(this.options);
    this.settings = settings;
    const command = createCommandClient(settings);
    this.sharded = isCluster(command);
    const { keyPrefix } = settings;
    this.slotOfName = this.sharded ? (name) => keySlot(keyPrefix + name) : undefined;
    this.subscriptions = new ChannelSubscriptions(settings.keyPrefix, settings.logger, this.sharded);
    this.changed();

    this.command = this.link(command, 'command');
    const subscriber = createSubscriberClient(command, settings);
    this.subscriber = this.link(subscriber, 'subscriber');
    subscriber.on(this.sharded ? 'smessageBuffer' : 'messageBuffer', (channel: Buffer, message: Buffer) => {
      this.subscriptions?.deliver(channel, message);
    });

    const connected = this.waitForConnections(settings.connectTimeoutMs, describeEndpoint(command, settings));
    if (command.status === 'ready') this.onReady('command');
    else if (command.status === 'wait') command.connect().catch(() => undefined);
    subscriber.connect().catch(() => undefined);
    await connected;
    await this.checkDatabase(command, settings);
    // A status listener may have called dispose() while the last connection came up.
    if (this.lifecycle !== 'starting') throw new CacheError('DISPOSED', 'dispose() was called during init()');
    this.lifecycle = 'started';
    this.changed();
  }

  /**
   * ioredis selects `db` on connect but, when Redis refuses it (an index beyond the server's
   * `databases`), it carries on in db 0: the adapter would write where nobody expects. Selecting it
   * again here makes the refusal an error of `init()`.
   */
  private async checkDatabase(command: RedisClient, settings: ResolvedOptions): Promise<void> {
    const db = settings.redis.db ?? 0;
    if (db === 0 || isCluster(command) || settings.client) return;
    try {
      await withTimeout(command.select(db), settings.commandTimeoutMs);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new CacheError(
        'INVALID_ARGUMENT',
        `init(): Redis refused database ${db} (${reason}); use an index below its \`databases\` setting (16 by default)`,
        { cause: error },
      );
    }
  }

  private link(client: RedisClient, role: 'command' | 'subscriber'): Link {
    const unwatch = watchConnection(client, {
      ready: () => this.onReady(role),
      lost: (ended) => this.onLost(role, ended),
      reconnecting: (attempt) => {
        const link = this[role];
        if (link?.client === client) link.attempts = attempt;
        this.changed();
      },
      error: (error) => this.onConnectionError(error),
    });
    return { client, up: false, attempts: 0, unwatch };
  }

  private onReady(role: 'command' | 'subscriber'): void {
    const link = this[role];
    if (!link || this.lifecycle === 'disposed') return;
    link.attempts = 0;
    if (role === 'command') {
      link.up = true;
      this.changed();
      return;
    }
    // The subscriber counts as up only once Redis confirmed every channel again.
    const subscriptions = this.subscriptions;
    subscriptions?.reconcile(link.client).then(
      () => {
        if (this.subscriber !== link || link.client.status !== 'ready') return;
        link.up = true;
        this.changed();
      },
      (error: unknown) => {
        this.settings?.logger.warn('restoring subscriptions failed; reconnecting the subscriber', { error });
        if (link.client.status === 'ready') link.client.disconnect(true);
      },
    );
  }

  private onLost(role: 'command' | 'subscriber', ended: boolean): void {
    const link = this[role];
    if (!link) return;
    link.up = false;
    if (ended) link.attempts = Number.POSITIVE_INFINITY;
    if (role === 'subscriber') this.subscriptions?.connectionLost();
    this.changed();
  }

  private onConnectionError(reported: Error): void {
    const error = rootCause(reported);
    this.lastError = error;
    if (!this.command || !this.settings) return;
    if (isNotACluster(error)) {
      this.initWaiter?.fail(notACluster(error, describeEndpoint(this.command.client, this.settings)));
      return;
    }
    if (!isAuthFailure(error)) return;
    const failure = authFailure(error, describeEndpoint(this.command.client, this.settings));
    if (this.initWaiter) {
      this.initWaiter.fail(failure);
    } else if (!this.authFailureLogged) {
      // Once per outage: every reconnection attempt would repeat it.
      this.authFailureLogged = true;
      this.settings?.logger.warn(failure.message);
    }
  }

  /** Resolves when both connections are up; rejects on refused credentials, dispose or the deadline. */
  private waitForConnections(timeoutMs: number, endpoint: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const finish = (error?: CacheError) => {
        clearTimeout(timer);
        this.initWaiter = undefined;
        if (error) reject(error);
        else resolve();
      };
      const timer = setTimeout(() => {
        const reason = this.lastError?.message ?? 'no answer';
        finish(
          unavailable(
            `init(): connecting to Redis at ${endpoint} within ${timeoutMs} ms`,
            `${reason}; is redis-server running there, and are host, port and secure right?`,
            this.lastError,
          ),
        );
      }, timeoutMs);
      this.initWaiter = {
        check: () => {
          if (this.command?.up && this.subscriber?.up) finish();
        },
        fail: finish,
      };
    });
  }

  /** Recomputes `status` from the connections and tells the listeners when it changed. */
  private changed(): void {
    this.initWaiter?.check();
    const next = this.computeStatus();
    if (next === this.currentStatus) return;
    if (next === 'ready') this.authFailureLogged = false;
    const previous = this.currentStatus;
    this.currentStatus = next;
    if (next === 'unavailable' && previous !== 'unavailable') {
      this.settings?.logger.warn('Redis is unavailable; calls fail with UNAVAILABLE until it is back', {
        error: this.lastError?.message,
      });
    }
    for (const listener of this.statusListeners) {
      try {
        listener(next);
      } catch (error) {
        this.settings?.logger.warn('a status listener threw', { error });
      }
    }
  }

  private computeStatus(): CacheStatus {
    switch (this.lifecycle) {
      case 'disposed':
        return 'disposed';
      case 'idle':
        return 'idle';
      case 'starting':
        return 'connecting';
    }
    if (this.command?.up && this.subscriber?.up) return 'ready';
    // The first attempt after a drop is `reconnecting`; once one has failed, Redis is `unavailable`.
    const attempts = Math.max(this.command?.attempts ?? 0, this.subscriber?.attempts ?? 0);
    return attempts > 1 ? 'unavailable' : 'reconnecting';
  }

  /** Throws unless `init()` has resolved and `dispose()` has not been called. */
  private started(what: string): ResolvedOptions {
    if (this.lifecycle === 'disposed') throw new CacheError('DISPOSED', `${what} was called after dispose()`);
    if (this.lifecycle !== 'started' || !this.settings) {
      throw new CacheError('NOT_INITIALIZED', `${what} was called before init() resolved`);
    }
    return this.settings;
  }

  /** `key` (or a channel name) with the prefix, after checking the adapter is started. */
  private key(what: string, key: string, label = 'key'): string {
    const { keyPrefix } = this.started(what);
    return keyPrefix + checkKey(key, `${what}: the ${label}`);
  }

  /** On a cluster, rejects with CROSS_SLOT (before sending anything) names that are on several slots. */
  private assertOneShard(what: string, names: readonly string[]): void {
    if (!this.sharded || names.length < 2) return;
    const slot = keySlot(names[0] as string);
    const other = names.find((name) => keySlot(name) !== slot);
    if (other === undefined) return;
    throw new CacheError(
      'CROSS_SLOT',
      `${what}: ${JSON.stringify(names[0])} and ${JSON.stringify(other)} are on different shards of the Redis Cluster, so they cannot change in one atomic step; give them a common hash tag, such as {room}`,
    );
  }

  /** Runs one Redis call on the command connection, failing fast when it is down. */
  private async run<T>(what: string, call: (client: RedisClient) => Promise<T>): Promise<T> {
    const settings = this.started(what);
    const link = this.command;
    if (!link?.up) throw unavailable(what, `status is ${this.currentStatus}`);
    try {
      // ioredis bounds the calls of a server connection it was configured for (commandTimeout); a
      // client passed in may have other settings, and a cluster client retries a shard that is down
      // (CLUSTERDOWN, a failover) for as long as it takes: those get the adapter's own bound.
      return await (this.ownsCommand(settings) && !this.sharded
        ? call(link.client)
        : withTimeout(call(link.client), settings.commandTimeoutMs));
    } catch (error) {
      throw toCacheError(error, what);
    }
  }

  private ownsCommand(settings: ResolvedOptions): boolean {
    return settings.client === undefined;
  }

  /** Closes the subscriber and, if the adapter created it (or was asked to), the command client. */
  private async closeConnections(): Promise<void> {
    const { command, subscriber, settings } = this;
    this.command = undefined;
    this.subscriber = undefined;
    const closing: Array<Promise<void>> = [];
    if (subscriber) closing.push(closeConnection(subscriber.client).then(subscriber.unwatch));
    if (command) {
      const closeIt = !settings || this.ownsCommand(settings) || settings.closeClient;
      if (closeIt) closing.push(closeConnection(command.client).then(command.unwatch));
      else command.unwatch();
    }
    await Promise.all(closing);
  }
}
