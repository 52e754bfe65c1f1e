import type {
  BatchOperation,
  CacheManager,
  CacheStatus,
  CacheValue,
  MessageListener,
  PubSubMessage,
  Unsubscribe,
} from '@arcade/cache';
import type { Logger } from '@arcade/core';
import {
  type ControlRequest,
  deserializeError,
  type ReplyHeader,
  type RequestHeader,
  serializeError,
} from './control';
import {
  decodeEnvelope,
  type Envelope,
  type EnvelopeHeader,
  encodeEnvelope,
  SenderEnvelopes,
} from './envelope';
import { StorageUnavailableError } from './errors';
import { channelNames, storageKeys } from './keys';
import type { EncodedMessage } from './message';
import { parseRecord, removeConnectionOperations } from './records';
import { RoomChannels } from './room-channels';
import { guardStorage, withDeadline } from './storage-guard';

/** How long a caller waits for the instance holding a connection to apply a request. */
export const REPLY_TIMEOUT_MS = 5000;

/** Header of room and broadcast envelopes. */
export interface DeliveryHeader extends EnvelopeHeader {
  /** Connection ids that must not receive the message. */
  readonly x?: string[];
}

/** What the node needs from the manager that owns it. */
export interface ClusterHost {
  readonly logger: Logger;
  /** A message another instance emitted to a room this instance has members in. */
  deliverToRoom(room: string, payload: EncodedMessage, exclude: readonly string[] | undefined): void;
  /** A message another instance emitted to every connection. */
  deliverToAll(payload: EncodedMessage, exclude: readonly string[] | undefined): void;
  /** Applies a request about a local connection; resolves whether the connection is here. */
  applyRequest(request: ControlRequest, payload: EncodedMessage | undefined): Promise<boolean>;
  /** Writes every local connection (record, index, rooms) to storage again. */
  rewriteConnections(): Promise<void>;
  /** Retries storage writes that failed earlier (connections added or removed during an outage). */
  retryPendingWrites(): Promise<void>;
}

interface PendingReply {
  readonly connectionId: string;
  readonly instanceId: string;
  readonly resolve: (result: boolean) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * This instance's presence in one storage (a started `initializeWebSocketStorage`): its
 * subscriptions, lease, request/reply traffic, the clean-up of dead instances, and recovery after an
 * outage. Every storage call goes through {@link ClusterNode.call}: at most 4 s, then StorageUnavailableError.
 */
export class ClusterNode {
  readonly roomChannels: RoomChannels;
  private readonly envelopes: SenderEnvelopes;
  private readonly unsubscribes: Unsubscribe[] = [];
  private readonly pending = new Map<string, PendingReply>();
  private requestCounter = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopStatusListener: (() => void) | undefined;
  private ticking = false;
  private resyncing: Promise<void> | undefined;
  private resyncAgain = false;
  private outage = false;
  /** Set when stop() begins: no new maintenance runs. */
  private closing = false;
  /** Set when stop() ends: every storage call rejects. */
  private stopped = false;
  private running: Promise<void> | undefined;

  constructor(
    readonly cache: CacheManager,
    readonly instanceId: string,
    private leaseMs: number,
    private readonly host: ClusterHost,
    /**
     * True for the private in-memory store made when the app never initialized one. No other
     * instance can reach it, so nothing is published or subscribed for rooms and broadcasts, and
     * connection state is not written there (this instance answers from memory).
     */
    readonly solitary = false,
  ) {
    this.envelopes = new SenderEnvelopes(instanceId);
    this.roomChannels = new RoomChannels(
      (room) =>
        this.solitary
          ? Promise.resolve(async () => undefined)
          : this.subscribe(`subscribe to room ${JSON.stringify(room)}`, channelNames.room(room), (message) =>
              this.onRoomMessage(room, message),
            ),
      (room, error) =>
        this.host.logger.warn('Could not unsubscribe from a room channel', { room, error: String(error) }),
    );
  }

  /** Initializes the cache, subscribes to this instance's channels and takes the lease. */
  async start(): Promise<void> {
    await this.call('initialize the cache', () => this.cache.init());
    this.stopStatusListener = this.cache.onStatusChange((status) => this.onStatusChange(status));
    this.unsubscribes.push(
      await this.subscribe(
        'subscribe to the control channel',
        channelNames.instance(this.instanceId),
        (message) => this.onControlMessage(message),
      ),
      await this.subscribe('subscribe to the broadcast channel', channelNames.broadcast, (message) =>
        this.onBroadcastMessage(message),
      ),
    );
    await this.renewLease();
    await this.call('register the instance', () => this.cache.setAdd(storageKeys.instances, this.instanceId));
    this.schedule();
  }

  /** Changes the lease duration (the next renewal uses it). */
  setLeaseMs(leaseMs: number): void {
    if (leaseMs === this.leaseMs) return;
    this.leaseMs = leaseMs;
    if (this.timer) this.schedule();
  }

  /** One storage call, bounded in time; unavailability becomes StorageUnavailableError. */
  call<T>(what: string, run: () => Promise<T>): Promise<T> {
    if (this.stopped) {
      return Promise.reject(
        new StorageUnavailableError(`Cannot ${what}: the WebSocket storage was disposed`),
      );
    }
    return guardStorage(this.cache, what, run);
  }

  /**
   * Subscribes within the storage deadline. If the adapter completes the subscription after the
   * deadline (it queued the command during an outage), it is ended at once rather than leaked.
   */
  private async subscribe(what: string, channel: string, listener: MessageListener): Promise<Unsubscribe> {
    let subscribing: Promise<Unsubscribe> | undefined;
    try {
      return await this.call(what, () => {
        subscribing = this.cache.subscribe(channel, listener);
        return subscribing;
      });
    } catch (error) {
      subscribing?.then((unsubscribe) => unsubscribe()).catch(() => undefined);
      throw error;
    }
  }

  batch(what: string, operations: readonly BatchOperation[]): Promise<void> {
    return this.call(what, () => this.cache.batch(operations));
  }

  /**
   * Writes the state of local connections (records, indexes, memberships): what other instances
   * read. A solitary node writes nothing, which spares a second copy of every connection in memory;
   * the operations are built only when written.
   */
  writeConnections(what: string, operations: () => readonly BatchOperation[]): Promise<void> {
    return this.solitary ? Promise.resolve() : this.batch(what, operations());
  }

  get<T extends CacheValue>(what: string, key: string): Promise<T | undefined> {
    return this.call(what, () => this.cache.get<T>(key));
  }

  setMembers(what: string, key: string): Promise<string[]> {
    return this.call(what, () => this.cache.setMembers(key));
  }

  setSize(what: string, key: string): Promise<number> {
    return this.call(what, () => this.cache.setSize(key));
  }

  /** Publishes a room or broadcast message; resolves once the storage took it. */
  async publishDelivery(
    kind: 'room' | 'broadcast',
    channel: string,
    payload: EncodedMessage,
    exclude: readonly string[] | undefined,
  ): Promise<void> {
    if (this.solitary) return;
    const header: DeliveryHeader | undefined = exclude?.length
      ? { s: this.instanceId, x: [...exclude] }
      : undefined;
    const envelope = header ? encodeEnvelope(kind, header, payload) : this.envelopes.plain(kind, payload);
    await this.call(`publish to ${channel}`, () => this.cache.publish(channel, envelope));
  }

  /**
   * Sends a request to the instance holding a connection. With `awaitReply`, resolves with that
   * instance's answer once it applied the request; without, once the message was published. Resolves
   * `false` when no instance listens on that channel any more (it died).
   */
  async request(
    instanceId: string,
    request: ControlRequest,
    options: { awaitReply: boolean; payload?: EncodedMessage },
  ): Promise<boolean> {
    const channel = channelNames.instance(instanceId);
    const what = `send ${request.op} to instance ${instanceId}`;
    if (!options.awaitReply) {
      const header: RequestHeader = { s: this.instanceId, q: request };
      const receivers = await this.call(what, () =>
        this.cache.publish(channel, encodeEnvelope('request', header, options.payload)),
      );
      return receivers > 0;
    }
    this.requestCounter += 1;
    const requestId = String(this.requestCounter);
    const reply = new Promise<boolean>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(
          new StorageUnavailableError(
            `Instance ${instanceId} did not confirm ${request.op} of connection ${request.connectionId} within ${REPLY_TIMEOUT_MS} ms`,
          ),
        );
      }, REPLY_TIMEOUT_MS);
      this.pending.set(requestId, { connectionId: request.connectionId, instanceId, resolve, reject, timer });
    });
    // Ignored here when publishing fails: the caller gets the publish error instead.
    reply.catch(() => undefined);
    const header: RequestHeader = { s: this.instanceId, r: requestId, q: request };
    let receivers: number;
    try {
      receivers = await this.call(what, () =>
        this.cache.publish(channel, encodeEnvelope('request', header, options.payload)),
      );
    } catch (error) {
      this.settle(requestId);
      throw error;
    }
    if (receivers === 0) {
      this.settle(requestId);
      return false;
    }
    return reply;
  }

  /** Rewrites the lease, the registry entry and every local connection (after an outage or a clean-up). */
  resync(): Promise<void> {
    if (this.resyncing) {
      this.resyncAgain = true;
      return this.resyncing;
    }
    this.resyncing = (async () => {
      try {
        do {
          this.resyncAgain = false;
          await this.renewLease();
          await this.call('register the instance', () =>
            this.cache.setAdd(storageKeys.instances, this.instanceId),
          );
          await this.host.rewriteConnections();
          await this.host.retryPendingWrites();
        } while (this.resyncAgain && !this.closing);
        this.host.logger.info('WebSocket storage state restored', { serverInstanceId: this.instanceId });
      } finally {
        this.resyncing = undefined;
      }
    })();
    return this.resyncing;
  }

  /** Resolves once the resync in progress (if any) has finished, successfully or not. */
  async resynced(): Promise<void> {
    await this.resyncing?.catch(() => undefined);
  }

  /**
   * Leaves the storage: stops timers and subscriptions, removes the lease, the registry entry and
   * whatever `cleanup` lists, then disposes the cache (unless `disposeCache` is false: a start that
   * failed keeps the cache, so that a later start can retry it). Never throws: failures are logged.
   */
  async stop(cleanup: readonly BatchOperation[], options: { disposeCache?: boolean } = {}): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.stopStatusListener?.();
    await this.running;
    for (const [requestId, pending] of this.pending) {
      this.settle(requestId);
      pending.reject(
        new StorageUnavailableError('The WebSocket storage was disposed while waiting for a reply'),
      );
    }
    const log = (what: string) => (error: unknown) =>
      this.host.logger.warn(`WebSocket storage: could not ${what}`, { error: String(error) });
    // Clean only a reachable storage: during an outage the survivors clean up after the lease, and
    // waiting here would only delay the shutdown. A cache disposed by someone else has nothing left.
    if (this.cache.status === 'ready') {
      await Promise.all([
        this.roomChannels.close(),
        ...this.unsubscribes.map((unsubscribe) =>
          guardStorage(this.cache, 'unsubscribe', unsubscribe).catch(log('unsubscribe')),
        ),
      ]);
      await this.batch('remove this instance from storage', [
        ...cleanup,
        { type: 'remove', key: storageKeys.lease(this.instanceId) },
        { type: 'setRemove', key: storageKeys.instances, members: [this.instanceId] },
      ]).catch(log('remove this instance from storage'));
    }
    this.stopped = true;
    if (options.disposeCache === false) return;
    // Even (above all) when the storage is unreachable: dispose stops the adapter's reconnect loop.
    await withDeadline('dispose the cache', () => this.cache.dispose()).catch(log('dispose the cache'));
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.closing) return;
    // Three renewals per lease: a renewal can fail (or be late) twice before the lease lapses.
    this.timer = setTimeout(
      () => {
        this.running = this.tick().finally(() => {
          this.running = undefined;
          this.schedule();
        });
      },
      Math.max(10, Math.floor(this.leaseMs / 3)),
    );
    this.timer.unref();
  }

  /** Renews the lease, notices when this instance was cleaned up by others, and cleans dead instances. */
  private async tick(): Promise<void> {
    if (this.ticking || this.closing) return;
    this.ticking = true;
    try {
      const lapsed = await this.renewLease();
      const instances = await this.setMembers('list instances', storageKeys.instances);
      if (lapsed || !instances.includes(this.instanceId)) {
        // Our lease expired (an outage, a restarted empty Redis) or a survivor cleaned us up: write it all back.
        await this.resync();
      } else {
        await this.host.retryPendingWrites();
      }
      await this.reapDeadInstances(instances.filter((id) => id !== this.instanceId));
    } catch (error) {
      if (!(error instanceof StorageUnavailableError)) {
        this.host.logger.warn('WebSocket storage maintenance failed', { error: String(error) });
      }
    } finally {
      this.ticking = false;
    }
  }

  /** Renews the lease; resolves `true` when it had lapsed (so others may have cleaned us up). */
  private async renewLease(): Promise<boolean> {
    const key = storageKeys.lease(this.instanceId);
    const written = await this.call('take the instance lease', () =>
      this.cache.setIfAbsent(key, this.instanceId, { ttlMs: this.leaseMs }),
    );
    if (!written) {
      await this.call('renew the instance lease', () =>
        this.cache.set(key, this.instanceId, { ttlMs: this.leaseMs }),
      );
    }
    return written;
  }

  private async reapDeadInstances(others: string[]): Promise<void> {
    const alive = await Promise.all(
      others.map((id) => this.call('check a lease', () => this.cache.contains(storageKeys.lease(id)))),
    );
    for (const [index, instanceId] of others.entries()) {
      if (alive[index] || this.closing) continue;
      const won = await this.call('lock a dead instance', () =>
        this.cache.setIfAbsent(storageKeys.reapLock(instanceId), this.instanceId, { ttlMs: this.leaseMs }),
      );
      if (won) await this.reap(instanceId);
    }
  }

  /** Removes every connection and membership of a dead instance, then the instance itself. */
  private async reap(instanceId: string): Promise<void> {
    const ids = await this.setMembers('list a dead instance', storageKeys.instanceConnections(instanceId));
    await Promise.all(
      ids.map(async (id) => {
        const record = parseRecord(await this.get('read a dead connection', storageKeys.connection(id)));
        const rooms = record?.serverInstanceId === instanceId ? record.rooms : [];
        await this.batch('remove a dead connection', removeConnectionOperations(id, instanceId, rooms));
      }),
    );
    // Removing the instance from the registry last is what tells it, should it come back, to rewrite its state.
    await this.batch('remove a dead instance', [
      { type: 'remove', key: storageKeys.instanceConnections(instanceId) },
      { type: 'setRemove', key: storageKeys.instances, members: [instanceId] },
      { type: 'remove', key: storageKeys.reapLock(instanceId) },
    ]);
    this.host.logger.info('Removed the connections of a dead WebSocket instance', {
      serverInstanceId: instanceId,
      connections: ids.length,
    });
  }

  private onStatusChange(status: CacheStatus): void {
    if (status === 'ready') {
      if (!this.outage) return;
      this.outage = false;
      this.host.logger.info('WebSocket storage is reachable again; restoring state');
      this.resync().catch((error) =>
        this.host.logger.warn(
          'Could not restore WebSocket storage state; retrying with the next lease renewal',
          {
            error: String(error),
          },
        ),
      );
    } else if (status !== 'disposed' && status !== 'idle') {
      if (!this.outage)
        this.host.logger.warn('WebSocket storage is unreachable; local delivery goes on', { status });
      this.outage = true;
    }
  }

  private onRoomMessage(room: string, message: PubSubMessage): void {
    const envelope = this.decode(message, 'room');
    if (envelope?.payload === undefined) return;
    this.host.deliverToRoom(room, envelope.payload, (envelope.header as DeliveryHeader).x);
  }

  private onBroadcastMessage(message: PubSubMessage): void {
    const envelope = this.decode(message, 'broadcast');
    if (envelope?.payload === undefined) return;
    this.host.deliverToAll(envelope.payload, (envelope.header as DeliveryHeader).x);
  }

  private onControlMessage(message: PubSubMessage): void {
    const envelope = decodeEnvelope(message);
    if (envelope?.kind === 'request') this.onRequest(envelope.header as RequestHeader, envelope.payload);
    else if (envelope?.kind === 'reply') this.onReply(envelope.header as ReplyHeader);
  }

  /** Messages this instance sent itself were delivered locally already. */
  private decode(message: PubSubMessage, kind: Envelope['kind']): Envelope | undefined {
    if (this.envelopes.isOwn(message)) return undefined;
    const envelope = decodeEnvelope(message);
    if (!envelope || envelope.kind !== kind || envelope.header.s === this.instanceId) return undefined;
    return envelope;
  }

  private onRequest(header: RequestHeader, payload: EncodedMessage | undefined): void {
    const replyTo = header.s;
    const requestId = header.r;
    this.host.applyRequest(header.q, payload).then(
      (result) => {
        if (requestId !== undefined)
          this.reply(replyTo, { s: this.instanceId, r: requestId, ok: true, result });
      },
      (error: unknown) => {
        if (requestId !== undefined) {
          this.reply(replyTo, { s: this.instanceId, r: requestId, ok: false, error: serializeError(error) });
        } else {
          this.host.logger.warn('A cluster request failed', { op: header.q.op, error: String(error) });
        }
      },
    );
  }

  private reply(instanceId: string, header: ReplyHeader): void {
    this.call('reply to a request', () =>
      this.cache.publish(channelNames.instance(instanceId), encodeEnvelope('reply', header)),
    ).catch((error) =>
      this.host.logger.warn('Could not answer a cluster request', { to: instanceId, error: String(error) }),
    );
  }

  private onReply(header: ReplyHeader): void {
    const pending = this.settle(header.r);
    if (!pending) return;
    if (header.ok) pending.resolve(header.result);
    else pending.reject(deserializeError(header.error, pending.connectionId, pending.instanceId));
  }

  private settle(requestId: string): PendingReply | undefined {
    const pending = this.pending.get(requestId);
    if (!pending) return undefined;
    this.pending.delete(requestId);
    clearTimeout(pending.timer);
    return pending;
  }
}
