// Importing this module adds `handleWebSocket` to core's RouteBuilder and `webSocket` to ServerOptions.
import './handle-websocket';

export type {
  ArcadeWebSocket,
  WebSocketData,
  WebSocketListenOptions,
} from './arcade-websocket';
export { WebSocketListenError } from './arcade-websocket';
export type {
  HeartbeatOptions,
  OriginPredicate,
  RateLimitOptions,
  WebSocketConnectionOptions,
  WebSocketOptions,
} from './options';
export type {
  WebSocketAfterHook,
  WebSocketAfterHookResult,
  WebSocketConnectHandler,
  WebSocketHandler,
  WebSocketRoute,
  WebSocketRouteOptions,
} from './types';
