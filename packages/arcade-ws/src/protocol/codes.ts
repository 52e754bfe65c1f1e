// The constants of the events protocol (docs/events-protocol.md): the subprotocol name, the error
// codes of `err` frames and the close codes a client acts on. Plain values, no imports, so a browser
// client can copy or import them without Node.

/** The WebSocket subprotocol a client offers to speak the events protocol. */
export const EVENTS_SUBPROTOCOL = 'arcade.events.v1';

/** The `code`s of the `err` frames the protocol itself sends (an `EventError` may carry any other). */
export const EVENT_ERROR_CODES = {
  /** Not JSON, not an object, an unknown `t`, a missing or mistyped field, a binary frame. */
  BAD_FRAME: 'BAD_FRAME',
  /** No handler for that name (or an event sent as a request, or the reverse). */
  UNKNOWN_EVENT: 'UNKNOWN_EVENT',
  /** The route's Standard Schema refused the payload; the frame carries `issues`. */
  INVALID_PAYLOAD: 'INVALID_PAYLOAD',
  /** `authorizeJoin` returned false, or the route has none. */
  JOIN_REFUSED: 'JOIN_REFUSED',
  /** The room name breaks the rules of `joinRoom`. */
  INVALID_ROOM_NAME: 'INVALID_ROOM_NAME',
  /** The connection is already in `maxRoomsPerConnection` rooms. */
  ROOM_LIMIT: 'ROOM_LIMIT',
  /** The storage did not answer; the client may retry. */
  STORAGE_UNAVAILABLE: 'STORAGE_UNAVAILABLE',
  /** The handler threw something that is not an `EventError` (logged on the server). */
  HANDLER_FAILED: 'HANDLER_FAILED',
  /** The route's `rateLimit` dropped the frame; the client may send it again later. */
  RATE_LIMITED: 'RATE_LIMITED',
} as const;

/** One of {@link EVENT_ERROR_CODES}. */
export type EventErrorCode = (typeof EVENT_ERROR_CODES)[keyof typeof EVENT_ERROR_CODES];

/** The close codes of the events protocol and what a client does on each (RFC 6455, section 7.4.1). */
export const EVENTS_CLOSE_CODES = {
  /** Closed on purpose: not retried. */
  NORMAL: 1000,
  /** The server is shutting down: reconnect with backoff. */
  GOING_AWAY: 1001,
  /** Terminal. */
  PROTOCOL_ERROR: 1002,
  /** Terminal. */
  UNSUPPORTED_DATA: 1003,
  /** Terminal. */
  INVALID_FRAME_PAYLOAD: 1007,
  /** Rate limit with `onExceed: 'close'`, or a refused origin: terminal. */
  POLICY_VIOLATION: 1008,
  /** A frame over `maxPayload`: terminal. */
  MESSAGE_TOO_BIG: 1009,
  /** An error on the server: reconnect with backoff. */
  INTERNAL_ERROR: 1011,
  /** A drain during a rolling deploy: reconnect at once (with a small jitter). */
  SERVICE_RESTART: 1012,
  /** A slow consumer: reconnect with backoff. */
  TRY_AGAIN_LATER: 1013,
  /** `onConnect` threw an `UnauthorizedException`: terminal. */
  UNAUTHORIZED: 4401,
  /** `onConnect` threw a `ForbiddenException`: terminal. */
  FORBIDDEN: 4403,
} as const;

/** One of {@link EVENTS_CLOSE_CODES}. */
export type EventsCloseCode = (typeof EVENTS_CLOSE_CODES)[keyof typeof EVENTS_CLOSE_CODES];

/**
 * `onConnect` refusals close with 4400 + the HTTP status of the exception (4401, 4403, 4404, ...):
 * every code from `REFUSED_CLOSE_CODE_MIN` to `REFUSED_CLOSE_CODE_MAX` is terminal.
 */
export const REFUSED_CLOSE_CODE_MIN = 4400;
/** See {@link REFUSED_CLOSE_CODE_MIN}. */
export const REFUSED_CLOSE_CODE_MAX = 4499;
