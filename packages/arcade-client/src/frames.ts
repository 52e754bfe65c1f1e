// Reading the server's frames (docs/events-protocol.md, "Server -> client"). A frame is the
// protocol's only when it has exactly the protocol's shape; everything else is the app's raw message,
// handed over as it came, so the protocol never swallows what the app sent.
import type { PayloadIssue, RoomPosition } from '@arcade/ws/protocol';

/** What one frame from the server is, once read. */
export type Incoming =
  | { readonly kind: 'event'; readonly event: string; readonly data: unknown }
  | {
      readonly kind: 'history-event';
      readonly room: string;
      readonly position: RoomPosition;
      readonly event: string;
      readonly data: unknown;
    }
  | {
      readonly kind: 'history-raw';
      readonly room: string;
      readonly position: RoomPosition;
      readonly data: string | Uint8Array;
    }
  | { readonly kind: 'result'; readonly id: number; readonly data: unknown }
  | { readonly kind: 'error'; readonly error: ErrorReply }
  | { readonly kind: 'pong' }
  | { readonly kind: 'raw'; readonly data: string | Uint8Array };

/** An `err` frame: about request/join/leave `id`, about event `event`, or about neither (`BAD_FRAME`). */
export interface ErrorReply {
  readonly id: number | undefined;
  readonly event: string | undefined;
  readonly code: string;
  readonly message: string;
  readonly issues: readonly PayloadIssue[];
}

type Json = Record<string, unknown>;

/** Reads one received `message` event's data: a string for a text frame, an ArrayBuffer for a binary one. */
export function readFrame(data: unknown): Incoming {
  if (typeof data !== 'string') return { kind: 'raw', data: toBytes(data) };
  // Only an object can be a protocol frame: skip the parse for every other text.
  if (data.charCodeAt(0) !== 0x7b /* { */) return { kind: 'raw', data };
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return { kind: 'raw', data };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'raw', data };
  return readObject(value as Json) ?? { kind: 'raw', data };
}

function readObject(frame: Json): Incoming | undefined {
  if ('t' in frame) return readControl(frame);
  if (typeof frame.room === 'string' && 'epoch' in frame) return readHistory(frame);
  if (typeof frame.event === 'string') return { kind: 'event', event: frame.event, data: frame.data };
  return undefined;
}

function readControl(frame: Json): Incoming | undefined {
  switch (frame.t) {
    case 'res':
      return isId(frame.id) ? { kind: 'result', id: frame.id, data: frame.data } : undefined;
    case 'pong':
      return { kind: 'pong' };
    case 'err': {
      const { id, event, code, message } = frame;
      if (typeof code !== 'string' || typeof message !== 'string') return undefined;
      if (id !== undefined && !isId(id)) return undefined;
      if (event !== undefined && typeof event !== 'string') return undefined;
      return { kind: 'error', error: { id, event, code, message, issues: readIssues(frame.issues) } };
    }
    default:
      return undefined;
  }
}

function readHistory(frame: Json): Incoming | undefined {
  const { room, epoch, offset } = frame;
  if (typeof room !== 'string' || typeof epoch !== 'string' || !isOffset(offset)) return undefined;
  const position = { epoch, offset };
  if (typeof frame.event === 'string') {
    return { kind: 'history-event', room, position, event: frame.event, data: frame.data };
  }
  if (typeof frame.message === 'string') return { kind: 'history-raw', room, position, data: frame.message };
  if (typeof frame.binary === 'string') {
    const bytes = decodeBase64(frame.binary);
    return bytes && { kind: 'history-raw', room, position, data: bytes };
  }
  return undefined;
}

function readIssues(value: unknown): readonly PayloadIssue[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((issue: unknown): PayloadIssue[] => {
    if (typeof issue !== 'object' || issue === null) return [];
    const { message, path } = issue as Json;
    if (typeof message !== 'string') return [];
    const keys = Array.isArray(path)
      ? path.filter((key): key is string | number => typeof key === 'string' || typeof key === 'number')
      : undefined;
    return [keys ? { message, path: keys } : { message }];
  });
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function isOffset(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function toBytes(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  // binaryType is set to 'arraybuffer' on every socket, so nothing else should come; an empty frame is
  // safer than a crash if a WebSocket ignores it.
  return new Uint8Array(0);
}

/** Base64 to bytes with `atob` (browsers, Node 16+), so no Node-only API is needed. `undefined` when invalid. */
function decodeBase64(text: string): Uint8Array | undefined {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
