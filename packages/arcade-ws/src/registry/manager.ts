import type { BatchOperation, CacheManager, JsonValue } from '@arcade/cache';
import { MemoryCacheManager } from '@arcade/cache-memory';
import { type App, defaultApp, type Logger } from '@arcade/core';
import { nanoid } from 'nanoid';
import type { LocalConnection } from '../transport/local-connection';
import { PreparedFrame } from '../transport/prepared-frame';
import { type ClusterHost, ClusterNode } from './cluster-node';
import type { ConnectionInfo, ConnectionMetadata } from './connection-info';
import { type ConnectionsPage, type ConnectionsPageOptions, readConnectionsPage } from './connections-page';
import type { ControlRequest } from './control';
import { MetadataLimitError, RoomLimitError, StorageUnavailableError } from './errors';
import { KeyedQueue } from './keyed-queue';
import { channelNames, storageKeys } from './keys';
import { type LocalEntry, LocalRegistry, type StoredMetadata } from './local-registry';
import { type EmitArguments, type EncodedMessage, encodeMessage } from './message';
import {
  infoFromEntry,
  infoFromRecord,
  parseRecord,
  recordOf,
  removeConnectionOperations,
  writeConnectionOperations,
} from './records';
import { assertRoomName } from './room-name';

/** @default 10 000 ms: survivors clean a dead instance within about 1.4 leases (under 15 s). */
export const DEFAULT_INSTANCE_LEASE_MS = 10_000;
/** @default 100 */
export const DEFAULT_MAX_ROOMS_PER_CONNECTION = 100;
/** @default 16 KiB */
export const DEFAULT_MAX_METADATA_BYTES = 16 * 1024;

/** Options of `initializeWebSocketStorage`. */
export interface WebSocketStorageOptions {
  /**
   * How long this instance's lease lives without renewal (renewed every third of it). When an
   * instance dies without cleaning up, the survivors remove its connections and memberships within
   * about 1.4 times this. Overrides `runServer({ webSocket: { instanceLeaseMs } })`.
   * @default 10000
   */
  instanceLeaseMs?: number;
}

/** Server-wide registry limits (from `runServer({ webSocket })`). */
export interface RegistryOptions extends WebSocketStorageOptions {
  /** Rooms one connection may be in; `joinRoom` beyond it throws `RoomLimitError`. @default 100 */
  maxRoomsPerConnection?: number;
  /** Largest metadata of one connection, as UTF-8 JSON; beyond it `MetadataLimitError`. @default 16384 */
  maxMetadataBytes?: number;
}

/** Options of `emitToRoom`. */
export interface EmitToRoomOptions {
  /** Connection id(s) that must not receive the message (typically the sender). */
  exclude?: string | readonly string[];
}

const managers = new WeakMap<App, WebSocketManager>();

/**
 * The WebSocket registry of one app: its local connections and rooms (in memory), and its place in
 * the cluster through the storage (a `CacheManager`). Get it with `WebSocketManager.of(app)`; the
 * module-level functions of `@arcade/ws` use the default app's.
 */
export class WebSocketManager implements ClusterHost {
  /** This instance's id (nanoid), the `serverInstanceId` of its connections. */
  readonly instanceId: string = nanoid();
  private readonly local = new LocalRegistry();
  private readonly queue = new KeyedQueue();
  private readonly connectionData = new Map<string, unknown>();
  /**
   * Closed connections whose after hooks have not run yet. With the open ones (`local`), the ids
   * setConnectionData accepts: from addConnection until forgetConnection. Apart from `local` so an
   * open connection costs no second entry.
   */
  private readonly closing = new Set<string>();
  /** Local connections whose storage write failed (outage): written again on recovery. */
  private readonly pendingWrites = new Set<string>();
  /** Rooms whose join failed per local connection: removed from storage with the next write. */
  private readonly abandonedRooms = new Map<string, Set<string>>();
  /** Closed connections whose storage clean-up failed, with their rooms: cleaned on recovery. */
  private readonly pendingRemovals = new Map<string, string[]>();
  private cache: CacheManager | undefined;
  private storageLeaseMs: number | undefined;
  private configuredLeaseMs: number | undefined;
  private maxRoomsPerConnection = DEFAULT_MAX_ROOMS_PER_CONNECTION;
  private maxMetadataBytes = DEFAULT_MAX_METADATA_BYTES;
  private node: ClusterNode | undefined;
  private starting: Promise<ClusterNode> | undefined;

  private constructor(private readonly app: App) {}

  /** The manager of an app (one per App, created on first use). */
  static of(app: App): WebSocketManager {
    let manager = managers.get(app);
    if (!manager) {
      manager = new WebSocketManager(app);
      managers.set(app, manager);
    }
    return manager;
  }

  /** Ids of the connections open on this instance (default app). */
  static getConnectedIds(): string[] {
    return WebSocketManager.of(defaultApp).getConnectedIds();
  }
  /** Ids of the connections open on this instance. */
  getConnectedIds(): string[] {
    return this.local.ids();
  }

  /** Attaches local, in-process data to a connection of this instance (default app); kept until after the `after` hooks. */
  static setConnectionData(id: string, data: unknown): void {
    WebSocketManager.of(defaultApp).setConnectionData(id, data);
  }
  /** Ignored for an id that is not (or no longer) a connection of this instance. */
  setConnectionData(id: string, data: unknown): void {
    if (this.local.get(id) || this.closing.has(id)) this.connectionData.set(id, data);
  }

  /** The data given to `setConnectionData` (default app); still readable in `after` hooks. */
  static getConnectionData(id: string): unknown {
    return WebSocketManager.of(defaultApp).getConnectionData(id);
  }
  /** The data given to `setConnectionData`; still readable in `after` hooks. */
  getConnectionData(id: string): unknown {
    return this.connectionData.get(id);
  }

  get logger(): Logger {
    return this.app.logger;
  }

  // ---- configuration and storage lifecycle -------------------------------------------------------

  /** Server-wide limits from `runServer({ webSocket })`; transport calls this at server start. */
  configure(options: RegistryOptions): void {
    if (options.maxRoomsPerConnection !== undefined) {
      this.maxRoomsPerConnection = positiveInteger('maxRoomsPerConnection', options.maxRoomsPerConnection);
    }
    if (options.maxMetadataBytes !== undefined) {
      this.maxMetadataBytes = positiveInteger('maxMetadataBytes', options.maxMetadataBytes);
    }
    if (options.instanceLeaseMs !== undefined) {
      this.configuredLeaseMs = positiveInteger('instanceLeaseMs', options.instanceLeaseMs);
      this.node?.setLeaseMs(this.leaseMs());
    }
  }

  /**
   * Uses `cache` (a new in-memory one when omitted) as this app's storage, calling its `init()`.
   * The storage is owned from now on: `disposeStorage()` (and `server.close()`) dispose it.
   */
  initializeStorage(cache?: CacheManager, options: WebSocketStorageOptions = {}): Promise<void> {
    const leaseMs =
      options.instanceLeaseMs === undefined
        ? undefined
        : positiveInteger('instanceLeaseMs', options.instanceLeaseMs);
    const previous = this.starting;
    this.cache = cache;
    this.storageLeaseMs = leaseMs;
    this.node = undefined;
    const starting = (async () => {
      // Initializing again with the same cache must not dispose it on the way.
      if (previous) await this.stopNode(previous, cache);
      return this.startNode(cache);
    })();
    this.starting = starting;
    starting.catch(() => {
      if (this.starting === starting) this.starting = undefined;
    });
    // Resolves once live connections (if any) were written to the new storage too.
    return starting.then((node) => node.resynced());
  }

  /** Makes sure storage is ready (the in-memory default if the app never initialized one). */
  async ensureStorage(): Promise<void> {
    await this.storage();
  }

  /** Leaves the storage (removes this instance's keys) and disposes it. A no-op when there is none. */
  async disposeStorage(): Promise<void> {
    const starting = this.starting;
    this.starting = undefined;
    this.node = undefined;
    this.cache = undefined;
    this.storageLeaseMs = undefined;
    if (starting) await this.stopNode(starting);
  }

  /** Called at the end of `server.close()`, once the sockets are closed: storage clean, then disposed. */
  async shutdown(): Promise<void> {
    await this.queue.drain();
    await this.disposeStorage();
  }

  private storage(): Promise<ClusterNode> {
    if (!this.starting) {
      const starting = this.startNode(this.cache);
      this.starting = starting;
      starting.catch(() => {
        if (this.starting === starting) this.starting = undefined;
      });
    }
    return this.starting;
  }

  private async startNode(cache: CacheManager | undefined): Promise<ClusterNode> {
    const node = new ClusterNode(
      cache ?? new MemoryCacheManager(),
      this.instanceId,
      this.leaseMs(),
      this,
      cache === undefined,
    );
    try {
      await node.start();
    } catch (error) {
      await node.stop([], { disposeCache: false });
      throw error;
    }
    if (this.local.size > 0 || this.pendingRemovals.size > 0) {
      // The storage changed under live connections: subscribe their rooms, then write them there.
      // acquire() counts each hold at once; the node is current from that moment, so a connection
      // that closes while the subscriptions complete gives its holds back to this node.
      const subscribed = Promise.all(
        this.local
          .roomSizes()
          .flatMap(([room, members]) => Array.from({ length: members }, () => room))
          .map((room) => node.roomChannels.acquire(room)),
      );
      this.node = node;
      try {
        await subscribed;
      } catch (error) {
        if (this.node === node) this.node = undefined;
        await node.stop([], { disposeCache: false });
        throw error;
      }
      // Not awaited here: the rewrite goes through the per-connection queue, whose tasks may be
      // waiting for this very start.
      node.resync().catch((error) =>
        this.logger.warn('Could not write live WebSocket connections to the new storage; retrying', {
          error: String(error),
        }),
      );
    }
    this.node = node;
    return node;
  }

  private async stopNode(starting: Promise<ClusterNode>, keptCache?: CacheManager): Promise<void> {
    const node = await starting.catch(() => undefined);
    if (!node) return;
    const cleanup: BatchOperation[] = [];
    // A solitary node never wrote the connections: nothing of theirs to remove.
    for (const entry of node.solitary ? [] : this.local.values()) {
      cleanup.push(...removeConnectionOperations(entry.connection.id, this.instanceId, entry.rooms));
    }
    for (const [id, rooms] of this.pendingRemovals)
      cleanup.push(...removeConnectionOperations(id, this.instanceId, rooms));
    this.pendingRemovals.clear();
    await node.stop(cleanup, { disposeCache: node.cache !== keptCache });
  }

  private leaseMs(): number {
    return this.storageLeaseMs ?? this.configuredLeaseMs ?? DEFAULT_INSTANCE_LEASE_MS;
  }

  // ---- connections (transport side) ---------------------------------------------------------------

  /** Registers a live local connection (local maps + storage record). Awaited before onConnect. */
  async addConnection(
    connection: LocalConnection,
    metadata: { userAgent?: string; remoteAddress?: string } = {},
  ): Promise<void> {
    if (this.node?.solitary) {
      // The private store keeps no record, and a new id has nothing queued to wait for: the entry is
      // all there is to do. (A storage switch clears `node` first, so connections arriving during one
      // take the path below and wait for the new storage.)
      this.local.add(connection, initialMetadata(metadata));
      return;
    }
    await this.storage();
    const entry = this.local.add(connection, initialMetadata(metadata));
    await this.queue.run(connection.id, () => this.writeEntry(entry));
  }

  /** On close: leaves every room and removes the record from storage. Never rejects. Connection data stays. */
  async removeConnection(id: string): Promise<void> {
    const entry = this.local.detach(id);
    if (!entry) return;
    this.closing.add(id);
    for (const room of entry.rooms) this.node?.roomChannels.release(room);
    await this.queue.run(id, async () => {
      // Runs after any change queued before the close, so it sees every room the connection got into.
      const rooms = [...new Set([...entry.rooms, ...(this.abandonedRooms.get(id) ?? [])])];
      this.abandonedRooms.delete(id);
      this.pendingWrites.delete(id);
      const node = await this.activeNode();
      if (!node) return;
      try {
        await node.writeConnections('remove a closed connection', () =>
          removeConnectionOperations(id, this.instanceId, rooms),
        );
      } catch (error) {
        this.pendingRemovals.set(id, rooms);
        this.logger.warn('Could not remove a closed WebSocket connection from storage; will retry', {
          connectionId: id,
          error: String(error),
        });
      }
    });
  }

  /** After the after hooks ran: drops connection data (setConnectionData). */
  forgetConnection(id: string): void {
    this.closing.delete(id);
    this.connectionData.delete(id);
  }

  /**
   * Ids of the connections open on this instance, as of this read: a frozen array, the same one for
   * every read until a connection opens or closes (then rebuilt on the next read, not on the change).
   */
  get localConnectionIds(): readonly string[] {
    return this.local.frozenIds();
  }

  /** Whether a connection is open on this instance, as of this read. */
  get hasLocalConnections(): boolean {
    return this.local.size > 0;
  }

  // ---- emits -----------------------------------------------------------------------------------

  /** Every connection of the cluster. */
  async emitToAll(...args: EmitArguments): Promise<void> {
    const payload = encodeMessage(...args);
    this.deliverToAll(payload, undefined);
    const node = await this.storage();
    await node.publishDelivery('broadcast', channelNames.broadcast, payload, undefined);
  }

  /** A connection of this instance; `true` if it is open here. Synchronous. */
  emitTo(id: string, ...args: EmitArguments): boolean {
    const entry = this.local.get(id);
    if (!entry) return false;
    return entry.connection.send(PreparedFrame.from(encodeMessage(...args)));
  }

  /** A connection on any instance; `true` if it exists in the cluster. */
  async emitToConnection(id: string, ...args: EmitArguments): Promise<boolean> {
    const payload = encodeMessage(...args);
    const entry = this.local.get(id);
    if (entry) {
      entry.connection.send(PreparedFrame.from(payload));
      return true;
    }
    const node = await this.storage();
    const owner = await this.ownerOf(node, id);
    if (!owner) return false;
    return node.request(owner, { op: 'emit', connectionId: id }, { awaitReply: false, payload });
  }

  /** Every member of `room` on every instance, but `exclude`. One storage round trip whatever the room's size. */
  async emitToRoom(room: string, message: unknown, options: EmitToRoomOptions = {}): Promise<void> {
    assertRoomName(room);
    const exclude = excludedIds(options);
    const payload = encodeMessage(message);
    this.deliverToRoom(room, payload, exclude);
    const node = await this.storage();
    await node.publishDelivery('room', channelNames.room(room), payload, exclude);
  }

  // ---- rooms and connections (any instance) ------------------------------------------------------

  /** Adds a connection (on any instance) to a room; resolves once its instance delivers the room to it. */
  async joinRoom(id: string, room: string): Promise<boolean> {
    assertRoomName(room);
    return this.applyAnywhere({ op: 'join', connectionId: id, room });
  }

  /** Removes a connection (on any instance) from a room; resolves once it no longer receives the room. */
  async leaveRoom(id: string, room: string): Promise<boolean> {
    assertRoomName(room);
    return this.applyAnywhere({ op: 'leave', connectionId: id, room });
  }

  /** Ids of the members of `room` on every instance. */
  async getRoomMembers(room: string): Promise<string[]> {
    assertRoomName(room);
    const node = await this.storage();
    if (node.solitary) return Array.from(this.local.members(room) ?? [], (connection) => connection.id);
    return node.setMembers('read room members', storageKeys.room(room));
  }

  /** Shallow-merges `patch` into a connection's metadata (any instance). */
  async updateConnectionMetadata(id: string, patch: ConnectionMetadata): Promise<boolean> {
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
      throw new TypeError('updateConnectionMetadata(id, patch): patch must be an object');
    }
    return this.applyAnywhere({ op: 'metadata', connectionId: id, patch: toJson(patch) });
  }

  /** Closes a connection (any instance) with `code` and `reason`. */
  async disconnect(id: string, code?: number, reason?: string): Promise<boolean> {
    const request: ControlRequest = { op: 'disconnect', connectionId: id };
    return this.applyAnywhere(
      code === undefined && reason === undefined ? request : { ...request, code, reason },
    );
  }

  /** Every connection of the cluster, from the per-instance indexes in storage. */
  async getAllConnections(): Promise<ConnectionInfo[]> {
    const node = await this.storage();
    const instances = await node.setMembers('list instances', storageKeys.instances);
    const remote = instances.filter((instanceId) => instanceId !== this.instanceId);
    const indexes = await this.indexesOf(node, remote);
    const infos = await Promise.all(
      remote.flatMap((instanceId, index) =>
        (indexes[index] ?? []).map((connectionId) => this.remoteInfo(node, instanceId, connectionId)),
      ),
    );
    return [...this.localInfos(), ...infos.flatMap((info) => (info ? [info] : []))];
  }

  /**
   * One page of the cluster's connections, in a stable order (by instance, then by id). Only the
   * page's records are read, concurrently; this instance's connections come from memory.
   */
  async getConnectionsPage(options?: ConnectionsPageOptions): Promise<ConnectionsPage> {
    const node = await this.storage();
    const isLocal = (instanceId: string) => instanceId === this.instanceId;
    return readConnectionsPage(
      {
        instances: async () => [
          ...new Set([this.instanceId, ...(await node.setMembers('list instances', storageKeys.instances))]),
        ],
        indexSizes: (instanceIds) =>
          Promise.all(
            instanceIds.map((instanceId) =>
              isLocal(instanceId)
                ? this.local.size
                : node.setSize('count connections', storageKeys.instanceConnections(instanceId)),
            ),
          ),
        indexes: (instanceIds) => this.indexesOf(node, instanceIds),
        read: (positions) =>
          Promise.all(
            positions.map(({ instanceId, connectionId }) => {
              if (!isLocal(instanceId)) return this.remoteInfo(node, instanceId, connectionId);
              const entry = this.local.get(connectionId);
              return entry ? infoFromEntry(entry, this.instanceId) : undefined;
            }),
          ),
      },
      options,
    );
  }

  /** The connections of this instance. */
  async getLocalConnections(): Promise<ConnectionInfo[]> {
    return this.localInfos();
  }

  /** A connection on any instance, or `null` when it does not exist (or closed). */
  async getConnectionInfo(id: string): Promise<ConnectionInfo | null> {
    const entry = this.local.get(id);
    if (entry) return infoFromEntry(entry, this.instanceId);
    const node = await this.storage();
    const record = await this.readRecord(node, id);
    return record && record.serverInstanceId !== this.instanceId ? infoFromRecord(record) : null;
  }

  // ---- ClusterHost: what other instances ask of this one -----------------------------------------

  deliverToRoom(room: string, payload: EncodedMessage, exclude: readonly string[] | undefined): void {
    const members = this.local.members(room);
    if (members) this.sendLocally(members, payload, exclude);
  }

  deliverToAll(payload: EncodedMessage, exclude: readonly string[] | undefined): void {
    this.sendLocally(this.localConnections(), payload, exclude);
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
      case 'disconnect':
        return this.disconnectLocal(request.connectionId, request.code, request.reason);
      case 'emit': {
        const entry = this.local.get(request.connectionId);
        if (entry && payload !== undefined) entry.connection.send(PreparedFrame.from(payload));
        return entry !== undefined;
      }
    }
  }

  async rewriteConnections(): Promise<void> {
    await Promise.all(
      [...this.local.values()].map((entry) =>
        this.queue.run(entry.connection.id, () => this.writeEntry(entry, true)),
      ),
    );
  }

  async retryPendingWrites(): Promise<void> {
    const node = this.node;
    if (!node) return;
    await Promise.all(
      [...this.pendingWrites].flatMap((id) => {
        const entry = this.local.get(id);
        return entry ? [this.queue.run(id, () => this.writeEntry(entry, true))] : [];
      }),
    );
    for (const [id, rooms] of [...this.pendingRemovals]) {
      await node.writeConnections('remove a closed connection', () =>
        removeConnectionOperations(id, this.instanceId, rooms),
      );
      this.pendingRemovals.delete(id);
    }
  }

  // ---- internals -------------------------------------------------------------------------------

  private async applyAnywhere(request: Exclude<ControlRequest, { op: 'emit' }>): Promise<boolean> {
    if (this.local.get(request.connectionId)) return this.applyRequest(request, undefined);
    const node = await this.storage();
    const owner = await this.ownerOf(node, request.connectionId);
    if (!owner) {
      // It may have connected here while we read storage.
      return this.local.get(request.connectionId) ? this.applyRequest(request, undefined) : false;
    }
    return node.request(owner, request, { awaitReply: true });
  }

  private joinLocal(id: string, room: string): Promise<boolean> {
    return this.queue.run(id, async () => {
      const entry = this.local.get(id);
      if (!entry) return false;
      if (entry.inRoom(room)) return true;
      if (entry.rooms.length >= this.maxRoomsPerConnection)
        throw new RoomLimitError(id, this.maxRoomsPerConnection);
      const node = await this.storage();
      // Subscribed before the write and before resolving: any emit after the caller resumes reaches us.
      await node.roomChannels.acquire(room);
      try {
        await node.writeConnections('join a room', () => [
          { type: 'setAdd', key: storageKeys.room(room), members: [id] },
          this.recordWrite(entry, [...entry.rooms, room]),
        ]);
      } catch (error) {
        node.roomChannels.release(room);
        this.markStale(id, room);
        throw error;
      }
      this.local.addToRoom(entry, room);
      if (entry.detached) node.roomChannels.release(room);
      return true;
    });
  }

  private leaveLocal(id: string, room: string): Promise<boolean> {
    return this.queue.run(id, async () => {
      const entry = this.local.get(id);
      if (!entry) return false;
      if (!entry.inRoom(room)) return true;
      const node = await this.storage();
      try {
        await node.writeConnections('leave a room', () => [
          { type: 'setRemove', key: storageKeys.room(room), members: [id] },
          this.recordWrite(
            entry,
            entry.rooms.filter((joined) => joined !== room),
          ),
        ]);
      } catch (error) {
        this.markStale(id);
        throw error;
      }
      if (!entry.detached) {
        this.local.removeFromRoom(entry, room);
        node.roomChannels.release(room);
      }
      return true;
    });
  }

  private updateMetadataLocal(id: string, patch: StoredMetadata): Promise<boolean> {
    return this.queue.run(id, async () => {
      const entry = this.local.get(id);
      if (!entry) return false;
      const merged = { ...entry.metadata, ...patch };
      const size = Buffer.byteLength(JSON.stringify(merged), 'utf8');
      if (size > this.maxMetadataBytes) throw new MetadataLimitError(id, size, this.maxMetadataBytes);
      const node = await this.storage();
      const previous = entry.metadata;
      entry.metadata = merged;
      try {
        await node.writeConnections('update metadata', () => [this.recordWrite(entry)]);
      } catch (error) {
        entry.metadata = previous;
        this.markStale(id);
        throw error;
      }
      return true;
    });
  }

  private async disconnectLocal(
    id: string,
    code: number | undefined,
    reason: string | undefined,
  ): Promise<boolean> {
    const entry = this.local.get(id);
    if (!entry) return false;
    entry.connection.close(code, reason);
    return true;
  }

  /**
   * A write that failed may still be applied later (an adapter can queue commands while it
   * reconnects), so the connection is rewritten from local state on recovery, and a room whose join
   * failed is removed from storage then.
   */
  private markStale(id: string, abandonedRoom?: string): void {
    this.pendingWrites.add(id);
    if (abandonedRoom === undefined) return;
    const rooms = this.abandonedRooms.get(id) ?? new Set<string>();
    rooms.add(abandonedRoom);
    this.abandonedRooms.set(id, rooms);
  }

  /** Writes a local connection's full state; a failure is kept for a retry (and rethrown when asked). */
  private async writeEntry(entry: LocalEntry, rethrow = false): Promise<void> {
    if (entry.detached) return;
    const id = entry.connection.id;
    try {
      const node = this.node ?? (await this.storage());
      await node.writeConnections('register a connection', () => [
        ...writeConnectionOperations(entry, this.instanceId),
        ...[...(this.abandonedRooms.get(id) ?? [])]
          .filter((room) => !entry.inRoom(room))
          .map((room): BatchOperation => ({ type: 'setRemove', key: storageKeys.room(room), members: [id] })),
      ]);
      this.pendingWrites.delete(id);
      this.abandonedRooms.delete(id);
    } catch (error) {
      this.pendingWrites.add(id);
      if (rethrow || !(error instanceof StorageUnavailableError)) throw error;
      this.logger.warn(
        'Could not write a WebSocket connection to storage; it works locally and is written on recovery',
        {
          connectionId: id,
          error: error.message,
        },
      );
    }
  }

  private recordWrite(entry: LocalEntry, rooms?: Iterable<string>): BatchOperation {
    const record = recordOf(entry, this.instanceId, rooms);
    return {
      type: 'set',
      key: storageKeys.connection(entry.connection.id),
      value: record as unknown as JsonValue,
    };
  }

  private async ownerOf(node: ClusterNode, id: string): Promise<string | undefined> {
    const record = await this.readRecord(node, id);
    if (!record || record.serverInstanceId === this.instanceId) return undefined;
    return record.serverInstanceId;
  }

  /** The connection ids of each instance (this one from memory), in one concurrent burst. */
  private indexesOf(node: ClusterNode, instanceIds: readonly string[]): Promise<string[][]> {
    return Promise.all(
      instanceIds.map((instanceId) =>
        instanceId === this.instanceId
          ? this.local.ids()
          : node.setMembers('list connections', storageKeys.instanceConnections(instanceId)),
      ),
    );
  }

  /** A connection of another instance from its record; `undefined` once it closed. */
  private async remoteInfo(
    node: ClusterNode,
    instanceId: string,
    connectionId: string,
  ): Promise<ConnectionInfo | undefined> {
    const record = await this.readRecord(node, connectionId);
    return record?.serverInstanceId === instanceId ? infoFromRecord(record) : undefined;
  }

  private async readRecord(node: ClusterNode, id: string) {
    return parseRecord(await node.get('read a connection', storageKeys.connection(id)));
  }

  private activeNode(): Promise<ClusterNode | undefined> {
    return this.starting ? this.starting.catch(() => undefined) : Promise.resolve(undefined);
  }

  private *localConnections(): Iterable<LocalConnection> {
    for (const entry of this.local.values()) yield entry.connection;
  }

  private localInfos(): ConnectionInfo[] {
    return [...this.local.values()].map((entry) => infoFromEntry(entry, this.instanceId));
  }

  /** Frames the message once (lazily: not at all without receivers), then queues it on each connection. */
  private sendLocally(
    connections: Iterable<LocalConnection>,
    payload: EncodedMessage,
    exclude: readonly string[] | undefined,
  ): void {
    const excluded = exclude?.length ? new Set(exclude) : undefined;
    let frame: PreparedFrame | undefined;
    for (const connection of connections) {
      if (excluded?.has(connection.id)) continue;
      frame ??= PreparedFrame.from(payload);
      connection.send(frame);
    }
  }
}

/** The `exclude` option as a list; rejects a third argument that is not `{ exclude }` (an event form by mistake). */
function excludedIds(options: EmitToRoomOptions): readonly string[] | undefined {
  if (
    typeof options !== 'object' ||
    options === null ||
    Object.keys(options).some((key) => key !== 'exclude')
  ) {
    throw new TypeError(
      'emitToRoom(room, message, options): options only takes { exclude }; to send an event, emit { event, data }',
    );
  }
  if (options.exclude === undefined) return undefined;
  const ids = [options.exclude].flat();
  if (ids.some((id) => typeof id !== 'string')) {
    throw new TypeError('emitToRoom: exclude must be a connection id or an array of connection ids');
  }
  return ids;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/**
 * A connection's first metadata, as an object literal of its exact shape: one grown a property at a
 * time reserves room for four (a difference of 24 bytes for each connection held).
 */
function initialMetadata({
  userAgent,
  remoteAddress,
}: {
  userAgent?: string;
  remoteAddress?: string;
}): StoredMetadata {
  if (userAgent === undefined) return remoteAddress === undefined ? {} : { remoteAddress };
  return remoteAddress === undefined ? { userAgent } : { userAgent, remoteAddress };
}

/** Metadata as JSON keeps it (Dates become strings, undefined values disappear). */
function toJson(value: ConnectionMetadata): StoredMetadata {
  return JSON.parse(JSON.stringify(value)) as StoredMetadata;
}
