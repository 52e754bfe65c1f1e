// @arcade/client: typed events, requests, rooms, reconnection and recovery for the events routes of
// @arcade/ws (README.md). Its only imports from @arcade/ws are types: nothing of it loads at run time.

export type {
  EventsMap,
  JoinResult,
  PayloadIssue,
  RoomPosition,
} from '@arcade/ws/protocol';
export type { BackoffBounds } from './backoff.js';
export { createClient } from './client.js';
export {
  ArcadeClientError,
  ClientClosedError,
  type ClientErrorCode,
  ConnectFailedError,
  ConnectionLostError,
  JoinCancelledError,
  ListenerError,
  QueueFullError,
  RequestTimeoutError,
  ServerError,
  SubprotocolRefusedError,
  TerminalCloseError,
  type UsageErrorCode,
} from './errors.js';
export type { NetworkMonitor } from './network.js';
export type { ClientOptions, ConnectParams, ReconnectOptions } from './options.js';
export { EVENTS_SUBPROTOCOL } from './protocol.js';
export type { JoinInfo } from './rooms.js';
export type { SendRate } from './send-budget.js';
export type { CloseEventLike, MessageEventLike, WebSocketConstructor, WebSocketLike } from './socket.js';
export type { ArcadeClient, ClientStatus, EventMeta, Requester, SendResult, StatusEvent } from './types.js';
