import { EVENT_ERROR_CODES } from '../protocol/codes';
import type { ClientFrame, ErrorFrame, PayloadIssue, RoomPosition } from '../protocol/frames';
import type { WebSocketData } from '../transport/arcade-websocket';

// The frames of docs/events-protocol.md as the server reads and writes them. Reading checks every
// field a frame needs, so the connection code only ever sees well-formed frames.

/** A frame that is not a protocol frame: answered `BAD_FRAME` (with the frame's id when it had a valid one). */
export interface BadFrame {
  readonly bad: string;
  readonly id?: number;
}

/** Reads one inbound WebSocket message as a client frame, or says why it is not one. */
export function readClientFrame(data: WebSocketData): ClientFrame | BadFrame {
  if (typeof data !== 'string') {
    return { bad: 'Binary frames are not part of the events protocol: send one JSON object per text frame' };
  }
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return { bad: 'The frame is not JSON: send one JSON object per text frame' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { bad: 'The frame is not a JSON object such as {"t":"emit","event":"name","data":...}' };
  }
  const frame = value as Record<string, unknown>;
  switch (frame.t) {
    case 'emit':
      if (!isName(frame.event)) return { bad: 'An emit frame needs "event", a non-empty string' };
      return { t: 'emit', event: frame.event, data: frame.data };
    case 'req': {
      const id = frameId(frame);
      if (id === undefined) return { bad: 'A req frame needs "id", a positive integer' };
      if (!isName(frame.event)) return { bad: 'A req frame needs "event", a non-empty string', id };
      return { t: 'req', id, event: frame.event, data: frame.data };
    }
    case 'join':
    case 'leave': {
      const id = frameId(frame);
      if (id === undefined) return { bad: `A ${frame.t} frame needs "id", a positive integer` };
      if (typeof frame.room !== 'string') return { bad: `A ${frame.t} frame needs "room", a string`, id };
      if (frame.t === 'leave') return { t: 'leave', id, room: frame.room };
      if (frame.since === undefined) return { t: 'join', id, room: frame.room };
      const since = position(frame.since);
      if (!since) {
        return {
          bad: '"since" must be a position {"epoch": string, "offset": integer >= 0}, as a history frame or join reply gave it',
          id,
        };
      }
      return { t: 'join', id, room: frame.room, since };
    }
    case 'ping':
      return { t: 'ping' };
    default:
      return { bad: 'Unknown frame type "t": expected emit, req, join, leave or ping' };
  }
}

export function isBadFrame(frame: ClientFrame | BadFrame): frame is BadFrame {
  return 'bad' in frame;
}

function isName(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function frameId(frame: Record<string, unknown>): number | undefined {
  const { id } = frame;
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

function position(value: unknown): RoomPosition | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { epoch, offset } = value as Record<string, unknown>;
  if (typeof epoch !== 'string' || epoch === '') return undefined;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) return undefined;
  return { epoch, offset };
}

/** `{"t":"res","id":id,"data":data}`; `data` left out when undefined. Throws when `data` is not JSON. */
export function resultFrame(id: number, data: unknown): string {
  return JSON.stringify({ t: 'res', id, data });
}

/** `{"t":"err",...}` refusing request `id`, event `event`, or (neither) a frame. */
export function errorFrame(error: Omit<ErrorFrame, 't'>): string {
  return JSON.stringify({ t: 'err', ...error });
}

/** The `BAD_FRAME` answer to `frame`. */
export function badFrameError(frame: BadFrame): string {
  return errorFrame({ id: frame.id, code: EVENT_ERROR_CODES.BAD_FRAME, message: frame.bad });
}

export const PONG_FRAME = '{"t":"pong"}';

/** The `RATE_LIMITED` answer to a frame the route's rate limit dropped: request `id`, or event `event`. */
export function rateLimitedError(refused: { id: number } | { event: string }): string {
  return errorFrame({
    ...refused,
    code: EVENT_ERROR_CODES.RATE_LIMITED,
    message: 'Too many messages on this connection: the rate limit dropped this one; send it again later',
  });
}

/** Issues as they travel: a message and a path of keys and indexes. */
export function payloadIssues(
  issues: ReadonlyArray<{ readonly message: string; readonly path?: ReadonlyArray<unknown> | undefined }>,
): PayloadIssue[] {
  return issues.map(({ message, path }) =>
    path?.length ? { message, path: path.map(pathKey) } : { message },
  );
}

function pathKey(segment: unknown): string | number {
  const key =
    typeof segment === 'object' && segment !== null && 'key' in segment
      ? (segment as { key: unknown }).key
      : segment;
  if (typeof key === 'number' || typeof key === 'string') return key;
  return String(key);
}
