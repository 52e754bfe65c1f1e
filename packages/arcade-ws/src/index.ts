// The public face of @arcade/ws. Importing it adds `handleWebSocket` to core's routes and the
// WebSocket functions to every App (declaration merging + prototype assignment).

export { createApp, route, runServer } from '@arcade/core';
export { ConnectionInfo, type ConnectionInfoJson, type ConnectionMetadata } from './registry/connection-info';
export {
  type ConnectionsPage,
  type ConnectionsPageOptions,
  DEFAULT_CONNECTIONS_PAGE_LIMIT,
} from './registry/connections-page';
export {
  InvalidRoomNameError,
  MetadataLimitError,
  RoomLimitError,
  StorageUnavailableError,
  WebSocketError,
  type WebSocketErrorCode,
} from './registry/errors';
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
  getRoomMembers,
  hasLocalConnections,
  initializeWebSocketStorage,
  joinRoom,
  leaveRoom,
  localConnectionIds,
  serverInstanceId,
  updateConnectionMetadata,
} from './registry/facades';
export {
  DEFAULT_INSTANCE_LEASE_MS,
  DEFAULT_MAX_METADATA_BYTES,
  DEFAULT_MAX_ROOMS_PER_CONNECTION,
  type EmitToRoomOptions,
  type RegistryOptions,
  WebSocketManager,
  type WebSocketStorageOptions,
} from './registry/manager';
export { type EmitArguments, type EncodedMessage, encodeMessage } from './registry/message';
export { MAX_ROOM_NAME_LENGTH } from './registry/room-name';
export * from './transport';
