// One piece: the class that implements WebSocketApi (each public operation once) and ClusterInbox;
// it decides, and hands the work to LocalRegistry, RecordWriter, StorageSlot, ConnectionQueries and
// the history modules.
import type { CacheManager } from '@arcade/cache';
import type { Logger } from '@arcade/core';
import { nanoid } from 'nanoid';
import { MetadataLimitError, RoomLimitError } from '../errors';
import { positiveInteger, positiveNumber } from '../internal/checks';
import { deliver, deliverToEach, type PositionedReceiver } from '../transport/delivery';
import type { LocalConnection } from '../transport/local-connection';
import { type EmitArguments, type EncodedMessage, encodeMessage, encodeOne } from '../transport/message';
import type { ClusterInbox } from './cluster-node';
import type { ConnectionInfo, ConnectionMetadata } from './connection-info';
import { ConnectionQueries } from './connection-queries';
import type { ConnectionsPage, ConnectionsPageOptions } from './connections-page';
import type { ControlRequest } from './control';
import { channelNames, storageKeys } from './keys';
import { LocalHistory } from './local-history';
import { type LocalEntry, LocalRegistry, type StoredMetadata } from './local-registry';
import {
  DEFAULT_HISTORY_SIZE,
  DEFAULT_HISTORY_TTL_MS,
  DEFAULT_MAX_METADATA_BYTES,
  DEFAULT_MAX_ROOMS_PER_CONNECTION,
  type EmitToRoomOptions,
  type RegistryOptions,
  type WebSocketStorageOptions,
} from './options';
import { RecordWriter } from './record-writer';
import {
  type ConnectionOrigin,
  emitToRoomOptions,
  initialMetadata,
  metadataPatch,
} from './registry-arguments';
import {
  historyQuery,
  type RoomHistory,
  type RoomHistoryOptions,
  type RoomPosition,
  roomHistory,
} from './room-history';
import { assertRoomName } from './room-name';
import { StorageSlot } from './storage-slot';
import type { WebSocketApi } from './web-socket-api';

/**
 * The WebSocket registry of one app: its connections and rooms, here and across the cluster. It
 * decides who receives what; transport (../transport/delivery.ts) frames and sends. Local state lives
 * in a {@link LocalRegistry}; the shared storage is reached through the {@link StorageSlot} (which
 * node, if any), the {@link RecordWriter} (what is written there) and {@link ConnectionQueries} (what
 * is read). Messages and requests from other instances arrive through the {@link ClusterInbox} side.
 * Each public operation is documented once, on {@link WebSocketApi}.
 */
export class Registry implements WebSocketApi, ClusterInbox {
  /** This instance's id (nanoid), the `serverInstanceId` of its connections. */
  readonly instanceId: string = nanoid();
  private readonly local = new LocalRegistry();
  private readonly connectionData = new Map<string, unknown>();
  /**
   * Closed connections whose after hooks have not run yet. With the open ones (`local`), the ids
   * setConnectionData accepts: from addConnection until forgetConnection.
   */
  private readonly closing = new Set<string>();
  private readonly writer: RecordWriter;
  private readonly slot: StorageSlot;
  private readonly queries: ConnectionQueries;
  private maxRoomsPerConnection = DEFAULT_MAX_ROOMS_PER_CONNECTION;
  private maxMetadataBytes = DEFAULT_MAX_METADATA_BYTES;
  /** Room history of the private store; with a shared storage, history lives there. */
  private readonly localHistory = new LocalHistory();
  private historyBounds = { size: DEFAULT_HISTORY_SIZE, ttlMs: DEFAULT_HISTORY_TTL_MS };
  /**
   * The connections of `handleEvents` routes, which receive history messages as history frames
   * (docs/events-protocol.md). Read only when a history message is delivered: other emits, and
   * connections of other routes, never pay for it.
   */
  private readonly positionedReceivers = new Map<string, PositionedReceiver>();

  constructor(logger: () => Logger) {
    this.writer = new RecordWriter(this.local, this.instanceId, logger);
    this.slot = new StorageSlot(this.instanceId, this, this.local, this.writer, logger);
    this.queries = new ConnectionQueries(this.local, this.instanceId);
  }

  // ---- configuration and storage -------------------------------------------------------------------

  /** Server-wide limits from `runServer({ webSocket })`, applied at server start. */
  configure(options: RegistryOptions): void {
    if (options.maxRoomsPerConnection !== undefined) {
      this.maxRoomsPerConnection = positiveInteger('maxRoomsPerConnection', options.maxRoomsPerConnection);
    }
    if (options.maxMetadataBytes !== undefined) {
      this.maxMetadataBytes = positiveInteger('maxMetadataBytes', options.maxMetadataBytes);
    }
    if (options.instanceLeaseMs !== undefined) this.slot.configureLease(options.instanceLeaseMs);
    if (options.history !== undefined) {
      const { size = DEFAULT_HISTORY_SIZE, ttlMs = DEFAULT_HISTORY_TTL_MS } = options.history;
      this.historyBounds = {
        size: positiveInteger('history.size', size),
        ttlMs: positiveNumber('history.ttlMs', ttlMs),
      };
    }
  }

  initializeWebSocketStorage(cache?: CacheManager, options?: WebSocketStorageOptions): Promise<void> {
    this.localHistory.clear();
    return this.slot.use(cache, options);
  }

  /** Makes sure a storage is ready (the private in-memory store if the app never chose one). */
  async ensureStorage(): Promise<void> {
    await this.slot.current();
  }

  disposeWebSocketStorage(): Promise<void> {
    this.localHistory.clear();
    return this.slot.dispose();
  }

  /** At the end of `server.close()`, once the sockets are closed: storage cleaned, then disposed as chosen. */
  async shutdown(): Promise<void> {
    await this.writer.drain();
    await this.disposeWebSocketStorage();
  }

  // ---- connections of this instance ----------------------------------------------------------------

  /**
   * Registers a live local connection (memory, then its storage record). Awaited before onConnect.
   * @returns `undefined` when it is registered already (the private store: nothing is stored, and a new
   * id has nothing queued to wait for), so that the transport runs `onConnect` in the same turn.
   */
  addConnection(connection: LocalConnection, origin: ConnectionOrigin = {}): Promise<void> | undefined {
    if (this.slot.isPrivate) {
      this.local.add(connection, initialMetadata(origin));
      return undefined;
    }
    return this.addToStorage(connection, origin);
  }

  private async addToStorage(connection: LocalConnection, origin: ConnectionOrigin): Promise<void> {
    const node = this.slot.node ?? (await this.slot.current());
    const entry = this.local.add(connection, initialMetadata(origin));
    if (node) await this.writer.register(node, entry);
  }

  /** On close: leaves every room and removes the record from storage. Never rejects. Connection data stays. */
  async removeConnection(id: string): Promise<void> {
    const entry = this.local.detach(id);
    if (!entry) return;
    this.closing.add(id);
    const node = this.slot.node;
    for (const room of entry.rooms) node?.roomChannels.release(room);
    await this.writer.remove(entry, () => this.slot.active());
  }

  /** After the after hooks ran: drops connection data (setConnectionData). */
  forgetConnection(id: string): void {
    this.closing.delete(id);
    this.connectionData.delete(id);
  }

  getConnectedIds(): string[] {
    return this.local.ids();
  }

  /** Ignored for an id that is not (or no longer) a connection of this instance. */
  setConnectionData(id: string, data: unknown): void {
    if (this.local.get(id) || this.closing.has(id)) this.connectionData.set(id, data);
  }

  getConnectionData(id: string): unknown {
    return this.connectionData.get(id);
  }

  /** Rooms with a member on this instance, and this instance's memberships (for the metrics' gauges). */
  protected localRoomCounts(): { rooms: number; members: number } {
    const sizes = this.local.roomSizes();
    let members = 0;
    for (const [, size] of sizes) members += size;
    return { rooms: sizes.length, members };
  }

  /** A frozen array, the same for every read until a connection opens or closes (then rebuilt on read). */
  get localConnectionIds(): readonly string[] {
    return this.local.frozenIds();
  }

  get hasLocalConnections(): boolean {
    return this.local.size > 0;
  }

  /**
   * @internal Calls `listener` after each local connection opens or closes: the ES module entry
   * (app/public-api.ts, `onLocalConnectionsChange`) keeps its live values current with it.
   */
  onLocalConnectionsChange(listener: () => void): void {
    this.local.onChange = listener;
  }

  // ---- emits -----------------------------------------------------------------------------------------

  async emitToAll(...args: EmitArguments): Promise<void> {
    return this.broadcast(encodeMessage(...args), undefined);
  }

  /**
   * @internal `emitToAll` of an encoded payload, to every connection of the cluster but `exclude`
   * (the typed emits of src/events/event-emitter.ts).
   */
  async broadcast(payload: EncodedMessage, exclude: readonly string[] | undefined): Promise<void> {
    this.deliverToAll(payload, exclude);
    const node = await this.slot.current();
    await node?.publishDelivery('broadcast', channelNames.broadcast, payload, exclude);
  }

  emitTo(id: string, ...args: EmitArguments): boolean {
    const entry = this.local.get(id);
    return entry ? deliver(entry.connection, encodeMessage(...args)) : false;
  }

  async emitToConnection(id: string, ...args: EmitArguments): Promise<boolean> {
    const payload = encodeMessage(...args);
    const entry = this.local.get(id);
    if (entry) {
      deliver(entry.connection, payload);
      return true;
    }
    const node = await this.slot.current();
    const owner = node && (await this.queries.ownerOf(node, id));
    if (!node || !owner) return false;
    return node.request(owner, { op: 'emit', connectionId: id }, { awaitReply: false, payload });
  }

  /** One storage round trip whatever the room's size (guarantees 7 and 10 in docs/design.md). */
  emitToRoom(
    room: string,
    message: unknown,
    options: EmitToRoomOptions & { history: true },
  ): Promise<RoomPosition>;
  emitToRoom(room: string, message: unknown, options?: EmitToRoomOptions): Promise<RoomPosition | undefined>;
  async emitToRoom(
    room: string,
    message: unknown,
    options?: EmitToRoomOptions,
  ): Promise<RoomPosition | undefined> {
    assertRoomName(room);
    const { exclude, history } = emitToRoomOptions(options);
    const payload = encodeOne(message);
    if (history) return this.emitWithHistory(room, payload, exclude);
    this.deliverToRoom(room, payload, exclude);
    // The storage in use, without waiting a turn for it once it is started (the private store has none).
    const node = this.slot.node ?? (this.slot.isPrivate ? undefined : await this.slot.current());
    if (node) await node.publishDelivery('room', channelNames.room(room), payload, exclude);
    return undefined;
  }

  async getRoomHistory(room: string, options: RoomHistoryOptions = {}): Promise<RoomHistory> {
    assertRoomName(room);
    const { since, limit } = historyQuery(options, this.historyBounds.size);
    const node = await this.slot.current();
    const read = node
      ? await node.readHistory(room, { after: since, limit })
      : this.localHistory.read(room, { after: since, limit });
    return roomHistory(read, since, limit);
  }

  /**
   * @internal Makes connection `id` receive history messages as history frames through `receiver`
   * (src/events/), until {@link removePositionedReceiver}.
   */
  addPositionedReceiver(id: string, receiver: PositionedReceiver): void {
    this.positionedReceivers.set(id, receiver);
  }

  /** @internal */
  removePositionedReceiver(id: string): void {
    this.positionedReceivers.delete(id);
  }

  // ---- rooms and connections of any instance -------------------------------------------------------

  async joinRoom(id: string, room: string): Promise<boolean> {
    assertRoomName(room);
    const joined = this.joinLocalNow(id, room);
    if (joined !== undefined) return joined;
    // A local connection (the usual join, from onConnect) goes straight to its task: applyAnywhere and
    // applyRequest would do the same behind two more promises.
    if (this.local.get(id)) return this.joinLocal(id, room);
    return this.applyAnywhere({ op: 'join', connectionId: id, room });
  }

  async leaveRoom(id: string, room: string): Promise<boolean> {
    assertRoomName(room);
    return this.applyAnywhere({ op: 'leave', connectionId: id, room });
  }

  async getRoomMembers(room: string): Promise<string[]> {
    assertRoomName(room);
    const node = await this.slot.current();
    if (!node) return Array.from(this.local.members(room) ?? [], (connection) => connection.id);
    return node.setMembers('read room members', storageKeys.room(room));
  }

  async updateConnectionMetadata(id: string, patch: ConnectionMetadata): Promise<boolean> {
    return this.applyAnywhere({ op: 'metadata', connectionId: id, patch: metadataPatch(patch) });
  }

  async disconnect(id: string, code?: number, reason?: string): Promise<boolean> {
    const request: ControlRequest = { op: 'disconnect', connectionId: id };
    return this.applyAnywhere(
      code === undefined && reason === undefined ? request : { ...request, code, reason },
    );
  }

  async getAllConnections(): Promise<ConnectionInfo[]> {
    const node = await this.slot.current();
    return node ? this.queries.all(node) : this.queries.localInfos();
  }

  async getConnectionsPage(options?: ConnectionsPageOptions): Promise<ConnectionsPage> {
    return this.queries.page(await this.slot.current(), options);
  }

  async getLocalConnections(): Promise<ConnectionInfo[]> {
    return this.queries.localInfos();
  }

  async getConnectionInfo(id: string): Promise<ConnectionInfo | null> {
    const local = this.queries.localInfo(id);
    if (local) return local;
    const node = await this.slot.current();
    return node ? this.queries.remote(node, id) : null;
  }

  // ---- ClusterInbox: what other instances send this one ----------------------------------------------

  deliverToRoom(
    room: string,
    payload: EncodedMessage,
    exclude: readonly string[] | undefined,
    position?: RoomPosition,
  ): void {
    const members = this.local.members(room);
    if (!members) return;
    deliverToEach(
      members,
      payload,
      exclude,
      position && { room, position, receivers: this.positionedReceivers },
    );
  }

  deliverToAll(payload: EncodedMessage, exclude: readonly string[] | undefined): void {
    deliverToEach(this.localConnections(), payload, exclude);
  }

  async applyRequest(request: ControlRequest, payload: EncodedMessage | undefined): Promise<boolean> {
    switch (request.op) {
      case 'join':
        assertRoomName(request.room);
        return this.joinLocal(request.connectionId, request.room);
      case 'leave':
        assertRoomName(request.room);
        return this.leaveLocal(request.connectionId, request.room);
      case 'metadata':
        return this.updateMetadataLocal(request.connectionId, request.patch);
      case 'disconnect': {
        const entry = this.local.get(request.connectionId);
        entry?.connection.close(request.code, request.reason);
        return entry !== undefined;
      }
      case 'emit': {
        const entry = this.local.get(request.connectionId);
        if (entry && payload !== undefined) deliver(entry.connection, payload);
        return entry !== undefined;
      }
    }
  }

  // ---- internals -------------------------------------------------------------------------------------

  /**
   * Nothing is delivered before the storage kept the message: with a shared storage every member, local
   * ones too, gets it from the room's channel in history order; alone, there is no other order to meet.
   */
  private async emitWithHistory(
    room: string,
    payload: EncodedMessage,
    exclude: readonly string[] | undefined,
  ): Promise<RoomPosition> {
    const node = await this.slot.current();
    if (node) return node.appendToHistory(room, payload, exclude, this.historyBounds);
    const { size, ttlMs } = this.historyBounds;
    const position = this.localHistory.append(room, payload, size, ttlMs);
    this.deliverToRoom(room, payload, exclude, position);
    return position;
  }

  /** Applies a request here when the connection is local, else on the instance holding it. */
  private async applyAnywhere(request: Exclude<ControlRequest, { op: 'emit' }>): Promise<boolean> {
    if (this.local.get(request.connectionId)) return this.applyRequest(request, undefined);
    const node = await this.slot.current();
    const owner = node && (await this.queries.ownerOf(node, request.connectionId));
    if (node && owner) return node.request(owner, request, { awaitReply: true });
    // It may have connected here while we read storage.
    return this.local.get(request.connectionId) ? this.applyRequest(request, undefined) : false;
  }

  /**
   * `joinLocal` without its queued task, where nothing can be overtaken: on the private store (nothing
   * to write; `isPrivate` turns false the moment a switch to another storage begins) with nothing queued
   * for `id`. The same checks in the same order; `undefined` when the fast path does not apply.
   * The usual `joinRoom` in `onConnect` makes about eight promises through the queue: this makes none.
   */
  private joinLocalNow(id: string, room: string): boolean | undefined {
    if (!this.slot.isPrivate || this.writer.hasQueued(id)) return undefined;
    const entry = this.local.get(id);
    if (!entry) return undefined;
    if (!this.isInRoomOrMayJoin(entry, room)) this.local.addToRoom(entry, room);
    return true;
  }

  /**
   * True when `entry` is in `room` already, false when it may join it.
   * @throws RoomLimitError when it is in `maxRoomsPerConnection` rooms.
   */
  private isInRoomOrMayJoin(entry: LocalEntry, room: string): boolean {
    if (entry.inRoom(room)) return true;
    if (entry.rooms.length >= this.maxRoomsPerConnection) {
      throw new RoomLimitError(entry.connection.id, this.maxRoomsPerConnection);
    }
    return false;
  }

  private joinLocal(id: string, room: string): Promise<boolean> {
    return this.writer.run(id, async () => {
      const entry = this.local.get(id);
      if (!entry) return false;
      if (this.isInRoomOrMayJoin(entry, room)) return true;
      const node = this.slot.node ?? (await this.slot.current());
      if (node) {
        // Subscribed before the write and before resolving: any emit after the caller resumes reaches us.
        await node.roomChannels.acquire(room);
        try {
          await this.writer.writeJoin(node, entry, room);
        } catch (error) {
          node.roomChannels.release(room);
          throw error;
        }
      }
      this.local.addToRoom(entry, room);
      if (entry.detached) node?.roomChannels.release(room);
      return true;
    });
  }

  private leaveLocal(id: string, room: string): Promise<boolean> {
    return this.writer.run(id, async () => {
      const entry = this.local.get(id);
      if (!entry) return false;
      if (!entry.inRoom(room)) return true;
      const node = await this.slot.current();
      if (node) await this.writer.writeLeave(node, entry, room);
      if (!entry.detached) {
        this.local.removeFromRoom(entry, room);
        node?.roomChannels.release(room);
      }
      return true;
    });
  }

  private updateMetadataLocal(id: string, patch: StoredMetadata): Promise<boolean> {
    return this.writer.run(id, async () => {
      const entry = this.local.get(id);
      if (!entry) return false;
      const merged = { ...entry.metadata, ...patch };
      const size = Buffer.byteLength(JSON.stringify(merged), 'utf8');
      if (size > this.maxMetadataBytes) throw new MetadataLimitError(id, size, this.maxMetadataBytes);
      const node = await this.slot.current();
      const previous = entry.metadata;
      entry.metadata = merged;
      try {
        if (node) await this.writer.writeRecord(node, entry);
      } catch (error) {
        entry.metadata = previous;
        throw error;
      }
      return true;
    });
  }

  private *localConnections(): Iterable<LocalConnection> {
    for (const entry of this.local.values()) yield entry.connection;
  }
}
