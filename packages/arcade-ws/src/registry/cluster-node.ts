// One piece: this instance's presence in one shared storage, every storage call bounded by call();
// the envelope format, the keys, the room channels, the lease and the record writes live apart.
import type {
  BatchOperation,
  CacheManager,
  CacheValue,
  LogPosition,
  MessageListener,
  PubSubMessage,
  Unsubscribe,
} from '@arcade/cache';
import { describeError, type Logger } from '@arcade/core';
import { StorageUnavailableError } from '../errors';
import type { EncodedMessage } from '../transport/message';
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
import { channelNames, storageKeys } from './keys';
import { RoomChannels } from './room-channels';
import type { RoomPosition, StoredHistory } from './room-history';
import { guardStorage, withDeadline } from './storage-guard';

/** How long a caller waits for the instance holding a connection to apply a request. */
export const REPLY_TIMEOUT_MS = 5000;

/** Header of room and broadcast envelopes. */
export interface DeliveryHeader extends EnvelopeHeader {
  /** Connection ids that must not receive the message. */
  readonly x?: string[];
}

/**
 * Where the node hands what other instances send to this one. It only receives: it never asks the
 * node for anything, and the node asks nothing else of its owner.
 */
export interface ClusterInbox {
  /**
   * A message emitted to a room this instance has members in: by another instance, or by any instance
   * (this one too) for a history message, which comes with its position in the room's history.
   */
  deliverToRoom(
    room: string,
    payload: EncodedMessage,
    exclude: readonly string[] | undefined,
    position: RoomPosition | undefined,
  ): void;
  /** A message another instance emitted to every connection. */
  deliverToAll(payload: EncodedMessage, exclude: readonly string[] | undefined): void;
  /** Applies a request about a local connection; resolves whether the connection is here. */
  applyRequest(request: ControlRequest, payload: EncodedMessage | undefined): Promise<boolean>;
}

/** `operations` cut into runs of consecutive operations on one shard. */
function shardSteps(
  operations: readonly BatchOperation[],
  shardOf: (name: string) => number,
): BatchOperation[][] {
  const steps: BatchOperation[][] = [];
  let shard: number | undefined;
  for (const operation of operations) {
    const next = shardOf(operation.key);
    if (next !== shard || steps.length === 0) steps.push([]);
    shard = next;
    steps[steps.length - 1]?.push(operation);
  }
  return steps;
}

interface PendingReply {
  readonly connectionId: string;
  readonly instanceId: string;
  readonly resolve: (result: boolean) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * This instance's presence in one shared storage: its pub/sub (room channels, the broadcast channel,
 * its own control channel) and request/reply with other instances. It keeps no timer and never
 * decides when to resync: the maintenance loop (maintenance.ts) drives the lease (instance-lease.ts),
 * the record writer (record-writer.ts) writes connection state.
 * Every storage call goes through {@link ClusterNode.call}: bounded in time, then StorageUnavailableError.
 */
export class ClusterNode {
  readonly roomChannels: RoomChannels;
  private readonly envelopes: SenderEnvelopes;
  private readonly unsubscribes: Unsubscribe[] = [];
  private readonly pending = new Map<string, PendingReply>();
  private requestCounter = 0;
  /** Set when stop() begins: no dead instance is reaped any more. */
  private closing = false;
  /** Set when stop() ends: every storage call rejects. */
  private stopped = false;

  constructor(
    readonly cache: CacheManager,
    readonly instanceId: string,
    private readonly inbox: ClusterInbox,
    private readonly logger: () => Logger,
  ) {
    this.envelopes = new SenderEnvelopes(instanceId);
    this.roomChannels = new RoomChannels(
      (room) =>
        this.subscribe(
          `subscribe to room ${JSON.stringify(room)}`,
          channelNames.room(room),
          (message, _channel, position) => this.onRoomMessage(room, message, position),
        ),
      (room, error) =>
        this.logger().warn('Could not unsubscribe from a room channel', { room, ...describeError(error) }),
    );
  }

  /** True once `stop()` has begun: a resync in progress does not start another round. */
  get isStopping(): boolean {
    return this.closing;
  }

  /** Initializes the cache and subscribes to this instance's channels (instance-lease.ts takes the lease). */
  async start(): Promise<void> {
    await this.call('initialize the cache', () => this.cache.init());
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

  /**
   * Applies `operations` as one atomic batch; on a sharded storage (`cache.shardOf`, a Redis Cluster),
   * as one batch per run of consecutive operations on one shard, in order. The registry lists its
   * operations so that a crash between two such steps leaves nothing the survivors' clean-up misses
   * (records.ts, record-writer.ts).
   */
  batch(what: string, operations: readonly BatchOperation[]): Promise<void> {
    const shardOf = this.cache.shardOf;
    // Not async: the batch of one storage (every connect, join and close) costs the call's promise alone.
    if (shardOf === undefined) return this.call(what, () => this.cache.batch(operations));
    return this.batchInSteps(what, operations, shardOf);
  }

  /** {@link batch} on a sharded storage: one step after the other. */
  private async batchInSteps(
    what: string,
    operations: readonly BatchOperation[],
    shardOf: (name: string) => number,
  ): Promise<void> {
    for (const step of shardSteps(operations, shardOf)) await this.call(what, () => this.cache.batch(step));
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

  /**
   * Publishes a room or broadcast message; resolves (with the number of receivers, which callers
   * ignore) once the storage took it. Not async: every emit on a shared storage comes here.
   */
  publishDelivery(
    kind: 'room' | 'broadcast',
    channel: string,
    payload: EncodedMessage,
    exclude: readonly string[] | undefined,
  ): Promise<unknown> {
    const envelope = this.deliveryEnvelope(kind, payload, exclude);
    return this.call(`publish to ${channel}`, () => this.cache.publish(channel, envelope));
  }

  /**
   * Appends a room message to the room's history and publishes it on the room's channel, in one
   * storage step (guarantees 9 and 10 in docs/design.md). The log keeps the envelope as published, so
   * a read gives back the payload and whom it excluded. Every instance with members, this one included,
   * delivers it when it arrives from the channel: in the log's order.
   */
  appendToHistory(
    room: string,
    payload: EncodedMessage,
    exclude: readonly string[] | undefined,
    bounds: { readonly size: number; readonly ttlMs: number },
  ): Promise<RoomPosition> {
    const envelope = this.deliveryEnvelope('room', payload, exclude);
    return this.call(`append to the history of room ${JSON.stringify(room)}`, () =>
      this.cache.appendToLog(storageKeys.history(room), envelope, {
        maxLength: bounds.size,
        ttlMs: bounds.ttlMs,
        channel: channelNames.room(room),
      }),
    );
  }

  /** Reads a room's history (see `CacheManager.readLog`), the payloads unwrapped from their envelopes. */
  async readHistory(
    room: string,
    options: { after: RoomPosition | undefined; limit: number },
  ): Promise<StoredHistory> {
    const read = await this.call(`read the history of room ${JSON.stringify(room)}`, () =>
      this.cache.readLog(storageKeys.history(room), options),
    );
    const entries = [];
    for (const { offset, message, time } of read.entries) {
      const payload = decodeEnvelope(message)?.payload;
      if (payload !== undefined) entries.push({ offset, payload, time });
    }
    return { position: read.position, entries };
  }

  private deliveryEnvelope(
    kind: 'room' | 'broadcast',
    payload: EncodedMessage,
    exclude: readonly string[] | undefined,
  ): string | Uint8Array {
    if (!exclude?.length) return this.envelopes.plain(kind, payload);
    const header: DeliveryHeader = { s: this.instanceId, x: [...exclude] };
    return encodeEnvelope(kind, header, payload);
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

  /**
   * Leaves the storage: stops timers and subscriptions, removes the lease, the registry entry and
   * whatever `cleanup` lists, then disposes the cache (unless `disposeCache` is false: a start that
   * failed keeps the cache, so that a later start can retry it). Never throws: failures are logged.
   */
  async stop(cleanup: readonly BatchOperation[], options: { disposeCache?: boolean } = {}): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const [requestId, pending] of this.pending) {
      this.settle(requestId);
      pending.reject(
        new StorageUnavailableError('The WebSocket storage was disposed while waiting for a reply'),
      );
    }
    const log = (what: string) => (error: unknown) =>
      this.logger().warn(`WebSocket storage: could not ${what}`, { ...describeError(error) });
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

  /** A history message (with a position) is delivered by every instance, its sender too: in log order. */
  private onRoomMessage(room: string, message: PubSubMessage, position: LogPosition | undefined): void {
    const envelope = position ? decodeEnvelope(message) : this.decode(message, 'room');
    if (envelope?.kind !== 'room' || envelope.payload === undefined) return;
    this.inbox.deliverToRoom(room, envelope.payload, (envelope.header as DeliveryHeader).x, position);
  }

  private onBroadcastMessage(message: PubSubMessage): void {
    const envelope = this.decode(message, 'broadcast');
    if (envelope?.payload === undefined) return;
    this.inbox.deliverToAll(envelope.payload, (envelope.header as DeliveryHeader).x);
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
    this.inbox.applyRequest(header.q, payload).then(
      (result) => {
        if (requestId !== undefined)
          this.reply(replyTo, { s: this.instanceId, r: requestId, ok: true, result });
      },
      (error: unknown) => {
        if (requestId !== undefined) {
          this.reply(replyTo, { s: this.instanceId, r: requestId, ok: false, error: serializeError(error) });
        } else {
          this.logger().warn('A cluster request failed', { op: header.q.op, ...describeError(error) });
        }
      },
    );
  }

  private reply(instanceId: string, header: ReplyHeader): void {
    this.call('reply to a request', () =>
      this.cache.publish(channelNames.instance(instanceId), encodeEnvelope('reply', header)),
    ).catch((error) =>
      this.logger().warn('Could not answer a cluster request', { to: instanceId, ...describeError(error) }),
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
