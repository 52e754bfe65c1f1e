import type { RoomPosition } from '../protocol/frames';
import type { LocalConnection } from './local-connection';
import type { EncodedMessage } from './message';
import { PreparedFrame } from './prepared-frame';

/** Frames `payload` and queues it on one connection; false when the connection could not take it. */
export function deliver(connection: LocalConnection, payload: EncodedMessage): boolean {
  return connection.send(PreparedFrame.from(payload));
}

/**
 * A connection that receives room history messages with their position, as the history frames of the
 * events protocol (docs/events-protocol.md): a connection of a `handleEvents` route. It sends the frame
 * on `connection`, or holds it back while it joins the room.
 */
export interface PositionedReceiver {
  receivePositioned(
    connection: LocalConnection,
    room: string,
    position: RoomPosition,
    frame: PreparedFrame,
  ): void;
}

/** A history message's room and position, with the connections that receive it as a history frame. */
export interface Positioned {
  readonly room: string;
  readonly position: RoomPosition;
  /** By connection id; consulted only for history messages. */
  readonly receivers: ReadonlyMap<string, PositionedReceiver>;
}

/**
 * Queues `payload` on each connection but the excluded ones, framed once for all of them (guarantee
 * 7 in docs/design.md: local fan-out frames a message once, not once per socket), and not at all
 * when no connection receives it. A history message (`positioned`) reaches the connections of the
 * events protocol as one history frame, also framed once; every other connection gets `payload` as is
 * (guarantee 1).
 */
export function deliverToEach(
  connections: Iterable<LocalConnection>,
  payload: EncodedMessage,
  exclude: readonly string[] | undefined,
  positioned?: Positioned,
): void {
  const excluded = exclude?.length ? new Set(exclude) : undefined;
  const receivers = positioned?.receivers.size ? positioned.receivers : undefined;
  let frame: PreparedFrame | undefined;
  let historyFrame: PreparedFrame | undefined;
  for (const connection of connections) {
    if (excluded?.has(connection.id)) continue;
    const receiver = receivers?.get(connection.id);
    if (receiver && positioned) {
      historyFrame ??= PreparedFrame.from(historyFrameText(positioned.room, positioned.position, payload));
      receiver.receivePositioned(connection, positioned.room, positioned.position, historyFrame);
      continue;
    }
    frame ??= PreparedFrame.from(payload);
    connection.send(frame);
  }
}

/**
 * The history frame of a message kept at `position` in `room` (docs/events-protocol.md, "Frames"): an
 * event frame `{"event":...}` gets the position spliced in after its `{`, so its text is not encoded
 * again; any other text is carried as `message`, bytes as base64 `binary`.
 */
export function historyFrameText(room: string, position: RoomPosition, payload: EncodedMessage): string {
  const head = `{"room":${JSON.stringify(room)},"epoch":${JSON.stringify(position.epoch)},"offset":${position.offset},`;
  if (typeof payload !== 'string') {
    const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    return `${head}"binary":"${bytes.toString('base64')}"}`;
  }
  if (isEventFrame(payload)) return head + payload.slice(1);
  return `${head}"message":${JSON.stringify(payload)}}`;
}

/** Keys a spliced event frame must not hold: they would collide with the history frame's own. */
const HISTORY_FRAME_KEYS = ['room', 'epoch', 'offset', 'message', 'binary', 't'];

/**
 * Whether `text` is an event frame that can take a position by splicing: a JSON object (starting right
 * at its `{`) with a string `event` and none of the history frame's keys. It costs one parse per
 * history message and room delivery (not per receiver), and only when the room has protocol members.
 */
function isEventFrame(text: string): boolean {
  if (!text.startsWith('{"event":')) return false;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const object = value as Record<string, unknown>;
  return typeof object.event === 'string' && !HISTORY_FRAME_KEYS.some((key) => Object.hasOwn(object, key));
}
