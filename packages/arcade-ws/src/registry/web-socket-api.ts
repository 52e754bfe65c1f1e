import type { CacheManager } from '@arcade/cache';
import type { ConnectionInfo, ConnectionMetadata } from './connection-info';
import type { ConnectionsPage, ConnectionsPageOptions } from './connections-page';
import type { EmitToRoomOptions, WebSocketStorageOptions } from './options';
import type { RoomHistory, RoomHistoryOptions, RoomPosition } from './room-history';

/**
 * The WebSocket operations of an app, each declared and documented once, here. The registry
 * implements them; ../app/public-api.ts makes them the methods of every `App` and the module
 * functions of `@arcade/ws` (over the default app), from this one declaration. The contract and its
 * guarantees: docs/design.md.
 */
export interface WebSocketApi {
  /**
   * Sends to every connection of the cluster: `(message)` or `(event, data)`, by the emit rule (a
   * string as a text frame, bytes as a binary frame, any other value as JSON text).
   */
  emitToAll(message: unknown): Promise<void>;
  emitToAll(event: string, data: unknown): Promise<void>;
  /** Sends to a connection of this instance; `true` if it is open here. Synchronous, as in the guide. */
  emitTo(id: string, message: unknown): boolean;
  emitTo(id: string, event: string, data: unknown): boolean;
  /** Sends to a connection on any instance; `true` if it exists in the cluster. */
  emitToConnection(id: string, message: unknown): Promise<boolean>;
  emitToConnection(id: string, event: string, data: unknown): Promise<boolean>;
  /**
   * Sends `message` (one emit rule: string -> text, bytes -> binary, else JSON) to every member of
   * `room` on every instance, except `options.exclude`, in one storage round trip whatever the room's
   * size. For an event, pass `{ event, data }`: the same bytes. Delivers to the local members first;
   * during a storage outage it then rejects with `StorageUnavailableError`.
   *
   * With `{ history: true }` the message is also kept in the room's history (`getRoomHistory`): the
   * append and the publish are one storage step, every member (local ones too) receives the message
   * in history order once the storage kept it, and the promise resolves its {@link RoomPosition}.
   * If the storage cannot keep it, nobody receives it and the promise rejects.
   */
  emitToRoom(
    room: string,
    message: unknown,
    options: EmitToRoomOptions & { history: true },
  ): Promise<RoomPosition>;
  emitToRoom(room: string, message: unknown, options?: EmitToRoomOptions): Promise<RoomPosition | undefined>;
  /**
   * The room's history: without `since`, its newest `limit` messages; with `since`, every message after
   * that position when they are all still kept (`recovered: true`), else the newest ones with
   * `recovered: false`. Never a partial set reported as recovered. Bounded by `webSocket.history`.
   *
   * ```ts
   * const position = await emitToRoom('lobby', { event: 'chat', data: 'hi' }, { history: true });
   * const { messages, recovered } = await getRoomHistory('lobby', { since: lastSeen });
   * ```
   */
  getRoomHistory(room: string, options?: RoomHistoryOptions): Promise<RoomHistory>;
  /**
   * Adds a connection (on any instance) to a room; `false` if there is no such connection. Once it
   * resolves, every later emit to the room reaches it. Throws `InvalidRoomNameError` or `RoomLimitError`.
   */
  joinRoom(id: string, room: string): Promise<boolean>;
  /**
   * Removes a connection (on any instance) from a room; `false` if there is no such connection. Once it
   * resolves, no later emit to the room reaches it.
   */
  leaveRoom(id: string, room: string): Promise<boolean>;
  /** Ids of the members of a room, cluster-wide. */
  getRoomMembers(room: string): Promise<string[]>;
  /** Every connection of the cluster. */
  getAllConnections(): Promise<ConnectionInfo[]>;
  /**
   * One page of the cluster's connections, for clusters too large to list at once: reads the records
   * of that page only. Pages follow a stable order (by instance, then by id): a connection open during
   * the whole walk is listed exactly once; one that opens or closes meanwhile may or may not be.
   *
   * ```ts
   * let cursor: string | null = null;
   * do {
   *   const page = await getConnectionsPage({ cursor, limit: 500 });
   *   for (const info of page.connections) console.log(info.id);
   *   cursor = page.nextCursor;
   * } while (cursor);
   * ```
   */
  getConnectionsPage(options?: ConnectionsPageOptions): Promise<ConnectionsPage>;
  /** The connections of this instance. */
  getLocalConnections(): Promise<ConnectionInfo[]>;
  /** A connection on any instance, or `null` when there is none. */
  getConnectionInfo(id: string): Promise<ConnectionInfo | null>;
  /**
   * Shallow-merges `patch` into a connection's metadata (any instance); `false` if there is no such
   * connection. Throws `MetadataLimitError` past `maxMetadataBytes`.
   */
  updateConnectionMetadata(id: string, patch: ConnectionMetadata): Promise<boolean>;
  /** Closes a connection on any instance with `code` and `reason`; `false` if there is no such connection. */
  disconnect(id: string, code?: number, reason?: string): Promise<boolean>;
  /**
   * Uses `cache` for rooms and the connection registry (a private in-memory store when omitted, which
   * no other instance sees), calling its `init()`. `server.close()` and `disposeWebSocketStorage()`
   * dispose the cache unless `options.disposeCache` is `false`. Without this call the private
   * in-memory store is used.
   */
  initializeWebSocketStorage(cache?: CacheManager, options?: WebSocketStorageOptions): Promise<void>;
  /** Removes this instance's keys from the storage and disposes it as chosen; a no-op when there is none. */
  disposeWebSocketStorage(): Promise<void>;
}
