import { App, defaultApp } from '@arcade/core';
import type { WebSocketApi } from '../registry/web-socket-api';
import { WebSocketManager } from './web-socket-manager';

// The WebSocket operations, declared once on WebSocketApi (../registry/web-socket-api.ts), become the
// methods of every App (`createApp()` instances, so several servers can run in one process) and the
// guide's module functions over the default app. Each export below is typed by its declaration, so
// editors show the one JSDoc there.

declare module '@arcade/core' {
  interface App extends WebSocketApi {
    /** This instance's id (nanoid): the `serverInstanceId` of its connections. */
    readonly serverInstanceId: string;
    /** Ids of the connections open on this instance, as of each read (a frozen array). */
    readonly localConnectionIds: readonly string[];
    /** Whether a connection is open on this instance, as of each read. */
    readonly hasLocalConnections: boolean;
  }
}

type Operation = keyof WebSocketApi;

/** Every operation of {@link WebSocketApi}: a mapped type, so the compiler rejects a missing or extra one. */
const operationNames: { readonly [K in Operation]: K } = {
  emitToAll: 'emitToAll',
  emitTo: 'emitTo',
  emitToConnection: 'emitToConnection',
  emitToRoom: 'emitToRoom',
  getRoomHistory: 'getRoomHistory',
  joinRoom: 'joinRoom',
  leaveRoom: 'leaveRoom',
  getRoomMembers: 'getRoomMembers',
  getAllConnections: 'getAllConnections',
  getConnectionsPage: 'getConnectionsPage',
  getLocalConnections: 'getLocalConnections',
  getConnectionInfo: 'getConnectionInfo',
  updateConnectionMetadata: 'updateConnectionMetadata',
  disconnect: 'disconnect',
  initializeWebSocketStorage: 'initializeWebSocketStorage',
  disposeWebSocketStorage: 'disposeWebSocketStorage',
};

/** Calls operation `name` on the manager of `app`. */
function call(app: App, name: Operation, args: unknown[]): unknown {
  const manager = WebSocketManager.of(app);
  return Reflect.apply(manager[name], manager, args);
}

for (const name of Object.values(operationNames)) {
  Object.defineProperty(App.prototype, name, {
    value: function operation(this: App, ...args: unknown[]): unknown {
      return call(this, name, args);
    },
    writable: true,
    configurable: true,
  });
}

const live = {
  serverInstanceId: (manager: WebSocketManager) => manager.instanceId,
  localConnectionIds: (manager: WebSocketManager) => manager.localConnectionIds,
  hasLocalConnections: (manager: WebSocketManager) => manager.hasLocalConnections,
} satisfies {
  [K in 'serverInstanceId' | 'localConnectionIds' | 'hasLocalConnections']: (
    manager: WebSocketManager,
  ) => App[K];
};

for (const [name, read] of Object.entries(live)) {
  Object.defineProperty(App.prototype, name, {
    get(this: App) {
      return read(WebSocketManager.of(this));
    },
    configurable: true,
  });
}

/** The default app's manager, made once (`WebSocketManager.of` keeps it for the life of the process). */
const defaultManager = WebSocketManager.of(defaultApp);

/**
 * The module function of operation `name`: the same operation on the default app. The method is read
 * at each call (a spy or a subclass sees it), the manager is not looked up again: `joinRoom` in every
 * `onConnect` is the hot path.
 */
function onDefaultApp<K extends Operation>(name: K): WebSocketApi[K] {
  return ((...args: unknown[]) =>
    Reflect.apply(defaultManager[name], defaultManager, args)) as WebSocketApi[K];
}

export const emitToAll: WebSocketApi['emitToAll'] = onDefaultApp('emitToAll');
export const emitTo: WebSocketApi['emitTo'] = onDefaultApp('emitTo');
export const emitToConnection: WebSocketApi['emitToConnection'] = onDefaultApp('emitToConnection');
export const emitToRoom: WebSocketApi['emitToRoom'] = onDefaultApp('emitToRoom');
export const getRoomHistory: WebSocketApi['getRoomHistory'] = onDefaultApp('getRoomHistory');
export const joinRoom: WebSocketApi['joinRoom'] = onDefaultApp('joinRoom');
export const leaveRoom: WebSocketApi['leaveRoom'] = onDefaultApp('leaveRoom');
export const getRoomMembers: WebSocketApi['getRoomMembers'] = onDefaultApp('getRoomMembers');
export const getAllConnections: WebSocketApi['getAllConnections'] = onDefaultApp('getAllConnections');
export const getConnectionsPage: WebSocketApi['getConnectionsPage'] = onDefaultApp('getConnectionsPage');
export const getLocalConnections: WebSocketApi['getLocalConnections'] = onDefaultApp('getLocalConnections');
export const getConnectionInfo: WebSocketApi['getConnectionInfo'] = onDefaultApp('getConnectionInfo');
export const updateConnectionMetadata: WebSocketApi['updateConnectionMetadata'] =
  onDefaultApp('updateConnectionMetadata');
export const disconnect: WebSocketApi['disconnect'] = onDefaultApp('disconnect');
export const initializeWebSocketStorage: WebSocketApi['initializeWebSocketStorage'] = onDefaultApp(
  'initializeWebSocketStorage',
);
export const disposeWebSocketStorage: WebSocketApi['disposeWebSocketStorage'] =
  onDefaultApp('disposeWebSocketStorage');

/** This instance's id (nanoid): the `serverInstanceId` of its connections. */
export const serverInstanceId: string = defaultManager.instanceId;

/** Ids of the connections open on this instance, as of each read (a frozen array). */
export declare let localConnectionIds: readonly string[];

/** Whether a connection is open on this instance, as of each read. */
export declare let hasLocalConnections: boolean;

// Live values, read as the guide reads them: accessors on this CommonJS module's exports, so the
// value is computed when read. (An `export let` would have to be reassigned on every connect and
// disconnect, rebuilding the id list each time: O(n) per connection, O(n²) to connect n.) `declare`
// gives the names their types without emitting an assignment that would shadow the accessors; `let`,
// because the values change (a `const` reads as a value that never does).
Object.defineProperties(exports, {
  localConnectionIds: {
    enumerable: true,
    get: () => live.localConnectionIds(defaultManager),
  },
  hasLocalConnections: {
    enumerable: true,
    get: () => live.hasLocalConnections(defaultManager),
  },
});

/**
 * Internal, not exported by the package's index: for the ES module entry (`esm/index.mjs`) only, whose
 * `export let localConnectionIds` and `hasLocalConnections` must be reassigned, since an ES module
 * cannot compute a named export on read. Calls `listener` right after each connection of the default
 * app is added to or dropped from this instance's connections.
 */
export function onLocalConnectionsChange(listener: () => void): void {
  defaultManager.onLocalConnectionsChange(listener);
}
