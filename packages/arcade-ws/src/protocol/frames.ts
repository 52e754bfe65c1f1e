// The frames of the events protocol, both directions (docs/events-protocol.md, "Frames"). Each is one
// JSON object in one text frame. Pure types.

/**
 * Where a history message sits in its room: `offset` counts the room's history messages from 1 within
 * one `epoch`; a new epoch starts whenever the room's history was lost (expired, storage restarted
 * empty), so a position from before the loss never passes for a current one.
 */
export interface RoomPosition {
  readonly epoch: string;
  readonly offset: number;
}

// ---- client -> server ----

/** An event: `data` absent for an event without payload. */
export interface EmitFrame {
  t: 'emit';
  event: string;
  data?: unknown;
}

/** A request; `id` is a positive integer unique among the connection's pending ids. */
export interface RequestFrame {
  t: 'req';
  id: number;
  event: string;
  data?: unknown;
}

/** Join `room` (the app's `authorizeJoin` decides), recovering what followed `since` when given. */
export interface JoinFrame {
  t: 'join';
  id: number;
  room: string;
  since?: RoomPosition;
}

/** Leave `room`. */
export interface LeaveFrame {
  t: 'leave';
  id: number;
  room: string;
}

/** The client's watchdog asks for a sign of life. */
export interface PingFrame {
  t: 'ping';
}

/** Any frame a client sends. */
export type ClientFrame = EmitFrame | RequestFrame | JoinFrame | LeaveFrame | PingFrame;

// ---- server -> client ----

/** An event: the text every `emit*(target, event, data)` of `@arcade/ws` sends. */
export interface EventFrame {
  event: string;
  data?: unknown;
}

/** Where a history frame sits in its room's history. */
export interface HistoryPosition {
  room: string;
  epoch: string;
  offset: number;
}

/** An event kept in a room's history. */
export interface HistoryEventFrame extends HistoryPosition, EventFrame {}

/** A history message that is not an event frame: its text as emitted. */
export interface HistoryMessageFrame extends HistoryPosition {
  message: string;
}

/** A binary history message: its bytes in base64. */
export interface HistoryBinaryFrame extends HistoryPosition {
  binary: string;
}

/** Any frame carrying a room position. */
export type HistoryFrame = HistoryEventFrame | HistoryMessageFrame | HistoryBinaryFrame;

/** The reply to a join. `position` is the newest position the client now holds (null: no history). */
export interface JoinResult {
  recovered: boolean;
  position: RoomPosition | null;
}

/** The reply to request or join `id` (`data` absent for `undefined` and for a leave). */
export interface ResultFrame {
  t: 'res';
  id: number;
  data?: unknown;
}

/** Why a payload was refused: one issue of the Standard Schema result, path as keys and indexes. */
export interface PayloadIssue {
  message: string;
  path?: (string | number)[];
}

/**
 * A refusal: of request, join or leave `id`, of event `event`, or (neither) of a frame that is not a
 * protocol frame (`BAD_FRAME`). `code` is one of `EVENT_ERROR_CODES` or an `EventError`'s own code.
 */
export interface ErrorFrame {
  t: 'err';
  id?: number;
  event?: string;
  code: string;
  message: string;
  issues?: PayloadIssue[];
}

/** The answer to a ping. */
export interface PongFrame {
  t: 'pong';
}

/** Any frame the protocol itself sends (events and history frames aside). */
export type ControlFrame = ResultFrame | ErrorFrame | PongFrame;

/** Any frame a protocol client may receive; anything else is a raw message of the app. */
export type ServerFrame = EventFrame | HistoryFrame | ControlFrame;
