// The public face of @arcade/ws. Importing it adds `handleWebSocket` to core's routes and the
// WebSocket functions to every App (declaration merging + prototype assignment).
import './app/handle-websocket';

export { createApp, route, runServer } from '@arcade/core';
export {
  disconnect,
  disposeWebSocketStorage,
  emitTo,
  emitToAll,
  emitToConnection,
  emitToRoom,
  getAllConnections,
  getConnectionInfo,
  getConnectionsPage,
  getLocalConnections,
  getRoomHistory,
  getRoomMembers,
  hasLocalConnections,
  initializeWebSocketStorage,
  joinRoom,
  leaveRoom,
  localConnectionIds,
  serverInstanceId,
  updateConnectionMetadata,
} from './app/public-api';
export type {
  WebSocketAfterHook,
  WebSocketAfterHookResult,
  WebSocketConnectHandler,
  WebSocketHandler,
  WebSocketRoute,
  WebSocketRouteOptions,
} from './app/route-types';
export { WebSocketManager } from './app/web-socket-manager';
export {
  InvalidRoomNameError,
  MetadataLimitError,
  RoomLimitError,
  StorageUnavailableError,
  WebSocketError,
  type WebSocketErrorCode,
  WebSocketListenError,
} from './errors';
export {
  type EventEmitter,
  EventError,
  type EventHandler,
  type EventHandlers,
  type EventSchemas,
  type EventSocket,
  type EventsDefinition,
  type EventsRouteOptions,
  eventEmitter,
  type RoomEmitOptions,
  type TypedEmit,
} from './events';
export { STORAGE_READINESS_CHECK } from './operations/storage-readiness';
// The whole of the `@arcade/ws/protocol` subpath (its events-map types and wire constants), here too.
export * from './protocol';
export { ConnectionInfo, type ConnectionInfoJson, type ConnectionMetadata } from './registry/connection-info';
export {
  type ConnectionsPage,
  type ConnectionsPageOptions,
  DEFAULT_CONNECTIONS_PAGE_LIMIT,
} from './registry/connections-page';
export {
  DEFAULT_HISTORY_SIZE,
  DEFAULT_HISTORY_TTL_MS,
  DEFAULT_INSTANCE_LEASE_MS,
  DEFAULT_MAX_METADATA_BYTES,
  DEFAULT_MAX_ROOMS_PER_CONNECTION,
  type EmitToRoomOptions,
  type RegistryOptions,
  type WebSocketStorageOptions,
} from './registry/options';
export type {
  RoomHistory,
  RoomHistoryMessage,
  RoomHistoryOptions,
  RoomPosition,
} from './registry/room-history';
export { MAX_ROOM_NAME_LENGTH } from './registry/room-name';
export type { WebSocketApi } from './registry/web-socket-api';
export type { ArcadeWebSocket, WebSocketData, WebSocketListenOptions } from './transport/arcade-websocket';
export { type EmitArguments, type EncodedMessage, encodeMessage } from './transport/message';
export type {
  HeartbeatOptions,
  HistoryOptions,
  OriginPredicate,
  RateLimitOptions,
  WebSocketConnectionOptions,
  WebSocketOptions,
} from './transport/options';
