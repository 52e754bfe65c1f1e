import type { CacheManager } from '@arcade/cache';
import { App, defaultApp } from '@arcade/core';
import type { ConnectionInfo, ConnectionMetadata } from './connection-info';
import type { ConnectionsPage, ConnectionsPageOptions } from './connections-page';
import { type EmitToRoomOptions, WebSocketManager, type WebSocketStorageOptions } from './manager';
import type { EmitArguments } from './message';

// The guide's module-level functions, over the default app, and the same methods on every App
// (`createApp()` instances), so several servers can run in one process.

declare module '@arcade/core' {
  interface App {
    /** Sends to every connection of the cluster: `(message)` or `(event, data)`. */
    emitToAll(message: unknown): Promise<void>;
    emitToAll(event: string, data: unknown): Promise<void>;
    /** Sends to a connection of this instance; `true` if it is open here. Synchronous. */
    emitTo(id: string, message: unknown): boolean;
    emitTo(id: string, event: string, data: unknown): boolean;
    /** Sends to a connection on any instance; `true` if it exists in the cluster. */
    emitToConnection(id: string, message: unknown): Promise<boolean>;
    emitToConnection(id: string, event: string, data: unknown): Promise<boolean>;
    /** Sends to every member of `room` on every instance, except `options.exclude`. */
    emitToRoom(room: string, message: unknown, options?: EmitToRoomOptions): Promise<void>;
    /** Adds a connection (any instance) to a room; `false` if there is no such connection. */
    joinRoom(id: string, room: string): Promise<boolean>;
    /** Removes a connection (any instance) from a room; `false` if there is no such connection. */
    leaveRoom(id: string, room: string): Promise<boolean>;
    /** Ids of the members of a room, cluster-wide. */
    getRoomMembers(room: string): Promise<string[]>;
    /** Every connection of the cluster. */
    getAllConnections(): Promise<ConnectionInfo[]>;
    /** One page of the cluster's connections: `{ connections, nextCursor }`; pass `nextCursor` back for the next one. */
    getConnectionsPage(options?: ConnectionsPageOptions): Promise<ConnectionsPage>;
    /** The connections of this instance. */
    getLocalConnections(): Promise<ConnectionInfo[]>;
    /** A connection on any instance, or `null`. */
    getConnectionInfo(id: string): Promise<ConnectionInfo | null>;
    /** Shallow-merges `patch` into a connection's metadata (any instance); `false` if there is no such connection. */
    updateConnectionMetadata(id: string, patch: ConnectionMetadata): Promise<boolean>;
    /** Closes a connection (any instance); `false` if there is no such connection. */
    disconnect(id: string, code?: number, reason?: string): Promise<boolean>;
    /** This instance's id (nanoid). */
    readonly serverInstanceId: string;
    /** Ids of the connections open on this instance, as of now. */
    readonly localConnectionIds: readonly string[];
    /** Whether a connection is open on this instance, as of now. */
    readonly hasLocalConnections: boolean;
    /** Uses `cache` (in-memory when omitted) for rooms and the connection registry; calls its `init()`. */
    initializeWebSocketStorage(cache?: CacheManager, options?: WebSocketStorageOptions): Promise<void>;
    /** Removes this instance from the storage and disposes it; a no-op when there is none. */
    disposeWebSocketStorage(): Promise<void>;
  }
}

const managerOf = (app: App): WebSocketManager => WebSocketManager.of(app);
const manager = (): WebSocketManager => WebSocketManager.of(defaultApp);

Object.assign(App.prototype, {
  emitToAll(this: App, ...args: EmitArguments) {
    return managerOf(this).emitToAll(...args);
  },
  emitTo(this: App, id: string, ...args: EmitArguments) {
    return managerOf(this).emitTo(id, ...args);
  },
  emitToConnection(this: App, id: string, ...args: EmitArguments) {
    return managerOf(this).emitToConnection(id, ...args);
  },
  emitToRoom(this: App, room: string, message: unknown, options?: EmitToRoomOptions) {
    return managerOf(this).emitToRoom(room, message, options);
  },
  joinRoom(this: App, id: string, room: string) {
    return managerOf(this).joinRoom(id, room);
  },
  leaveRoom(this: App, id: string, room: string) {
    return managerOf(this).leaveRoom(id, room);
  },
  getRoomMembers(this: App, room: string) {
    return managerOf(this).getRoomMembers(room);
  },
  getAllConnections(this: App) {
    return managerOf(this).getAllConnections();
  },
  getConnectionsPage(this: App, options?: ConnectionsPageOptions) {
    return managerOf(this).getConnectionsPage(options);
  },
  getLocalConnections(this: App) {
    return managerOf(this).getLocalConnections();
  },
  getConnectionInfo(this: App, id: string) {
    return managerOf(this).getConnectionInfo(id);
  },
  updateConnectionMetadata(this: App, id: string, patch: ConnectionMetadata) {
    return managerOf(this).updateConnectionMetadata(id, patch);
  },
  disconnect(this: App, id: string, code?: number, reason?: string) {
    return managerOf(this).disconnect(id, code, reason);
  },
  initializeWebSocketStorage(this: App, cache?: CacheManager, options?: WebSocketStorageOptions) {
    return managerOf(this).initializeStorage(cache, options);
  },
  disposeWebSocketStorage(this: App) {
    return managerOf(this).disposeStorage();
  },
} satisfies Partial<Record<keyof App, unknown>>);

Object.defineProperties(App.prototype, {
  serverInstanceId: {
    get(this: App) {
      return managerOf(this).instanceId;
    },
    configurable: true,
  },
  localConnectionIds: {
    get(this: App) {
      return managerOf(this).localConnectionIds;
    },
    configurable: true,
  },
  hasLocalConnections: {
    get(this: App) {
      return managerOf(this).hasLocalConnections;
    },
    configurable: true,
  },
});

/** Sends to every connection of the cluster: `(message)` or `(event, data)`. */
export function emitToAll(message: unknown): Promise<void>;
export function emitToAll(event: string, data: unknown): Promise<void>;
export function emitToAll(...args: EmitArguments): Promise<void> {
  return manager().emitToAll(...args);
}

/** Sends to a connection of this instance; `true` if it is open here. Synchronous, as in the guide. */
export function emitTo(id: string, message: unknown): boolean;
export function emitTo(id: string, event: string, data: unknown): boolean;
export function emitTo(id: string, ...args: EmitArguments): boolean {
  return manager().emitTo(id, ...args);
}

/** Sends to a connection on any instance; `true` if it exists in the cluster. */
export function emitToConnection(id: string, message: unknown): Promise<boolean>;
export function emitToConnection(id: string, event: string, data: unknown): Promise<boolean>;
export function emitToConnection(id: string, ...args: EmitArguments): Promise<boolean> {
  return manager().emitToConnection(id, ...args);
}

/**
 * Sends `message` (one emit rule: string -> text, bytes -> binary, else JSON) to every member of
 * `room` on every instance, except `options.exclude`. For an event, pass `{ event, data }`: the same bytes.
 */
export function emitToRoom(room: string, message: unknown, options?: EmitToRoomOptions): Promise<void> {
  return manager().emitToRoom(room, message, options);
}

/** Adds a connection (on any instance) to a room. Once it resolves, every later emit to the room reaches it. */
export function joinRoom(id: string, room: string): Promise<boolean> {
  return manager().joinRoom(id, room);
}

/** Removes a connection (on any instance) from a room. Once it resolves, no later emit to the room reaches it. */
export function leaveRoom(id: string, room: string): Promise<boolean> {
  return manager().leaveRoom(id, room);
}

/** Ids of the members of a room, cluster-wide. */
export function getRoomMembers(room: string): Promise<string[]> {
  return manager().getRoomMembers(room);
}

/** Every connection of the cluster. */
export function getAllConnections(): Promise<ConnectionInfo[]> {
  return manager().getAllConnections();
}

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
export function getConnectionsPage(options?: ConnectionsPageOptions): Promise<ConnectionsPage> {
  return manager().getConnectionsPage(options);
}

/** The connections of this instance. */
export function getLocalConnections(): Promise<ConnectionInfo[]> {
  return manager().getLocalConnections();
}

/** A connection on any instance, or `null` when there is none. */
export function getConnectionInfo(id: string): Promise<ConnectionInfo | null> {
  return manager().getConnectionInfo(id);
}

/** Shallow-merges `patch` into a connection's metadata (any instance); throws `MetadataLimitError` past `maxMetadataBytes`. */
export function updateConnectionMetadata(id: string, patch: ConnectionMetadata): Promise<boolean> {
  return manager().updateConnectionMetadata(id, patch);
}

/** Closes a connection on any instance with `code` and `reason`; `false` if there is no such connection. */
export function disconnect(id: string, code?: number, reason?: string): Promise<boolean> {
  return manager().disconnect(id, code, reason);
}

/**
 * Uses `cache` for rooms and the connection registry of the default app (a new in-memory cache when
 * omitted), calling its `init()`. The cache is owned from then on: `disposeWebSocketStorage()` and
 * `server.close()` dispose it. Without this call the in-memory default is used.
 */
export function initializeWebSocketStorage(
  cache?: CacheManager,
  options?: WebSocketStorageOptions,
): Promise<void> {
  return manager().initializeStorage(cache, options);
}

/** Removes this instance's keys from the storage and disposes it; a no-op when there is none. */
export function disposeWebSocketStorage(): Promise<void> {
  return manager().disposeStorage();
}

/** This instance's id (nanoid): the `serverInstanceId` of its connections. */
export const serverInstanceId: string = manager().instanceId;

/** Ids of the connections open on this instance, as of each read (a frozen array). */
export declare const localConnectionIds: readonly string[];

/** Whether a connection is open on this instance, as of each read. */
export declare const hasLocalConnections: boolean;

// Live values, read as the guide reads them: accessors on this CommonJS module's exports, so the
// value is computed when read. (An `export let` would have to be reassigned on every connect and
// disconnect, rebuilding the id list each time: O(n) per connection, O(n²) to connect n.) `declare`
// gives the names their types without emitting an assignment that would shadow the accessors.
Object.defineProperties(exports, {
  localConnectionIds: {
    enumerable: true,
    get: (): readonly string[] => manager().localConnectionIds,
  },
  hasLocalConnections: {
    enumerable: true,
    get: (): boolean => manager().hasLocalConnections,
  },
});
