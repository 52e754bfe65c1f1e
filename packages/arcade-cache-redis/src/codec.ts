import { assertCacheValue, type CacheValue, type JsonValue, type PubSubMessage } from '@arcade/cache';

/*
 * Framing of stored values and pub/sub payloads: one tag byte, then the payload. The tag says what
 * the bytes are, so a string that looks like JSON is never parsed and bytes never pass through text.
 *   's' UTF-8 text (a string)     'b' raw bytes (a Uint8Array)     'j' JSON text (any other JSON value)
 * and, for pub/sub only, 'B' raw bytes published as a Node.js Buffer, delivered as a Buffer again
 * (as the in-process adapter does); stored bytes always read back as a plain Uint8Array.
 */
const TAG_STRING = 0x73;
const TAG_BYTES = 0x62;
const TAG_JSON = 0x6a;
const TAG_BUFFER = 0x42;
const TEXT_PREFIX = String.fromCharCode(TAG_STRING);

function framed(tag: number, payload: Buffer | Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(payload.byteLength + 1);
  frame[0] = tag;
  frame.set(payload, 1);
  return frame;
}

function framedText(tag: number, text: string): Buffer {
  const frame = Buffer.allocUnsafe(Buffer.byteLength(text, 'utf8') + 1);
  frame[0] = tag;
  frame.write(text, 1, 'utf8');
  return frame;
}

/** Frames a value for storage; rejects what JSON cannot hold with `INVALID_ARGUMENT`. */
export function encodeValue(value: CacheValue, what = 'the value'): Buffer {
  if (typeof value === 'string') return framedText(TAG_STRING, value);
  if (value instanceof Uint8Array) return framed(TAG_BYTES, value);
  assertCacheValue(value, what);
  return framedText(TAG_JSON, JSON.stringify(value));
}

/** A fresh `Uint8Array` (not a Buffer, not a view of `source`) holding `source`'s bytes from `start`. */
function copyBytes(source: Buffer, start: number): Uint8Array {
  return new Uint8Array(source.subarray(start));
}

/** Reads a stored frame back; `undefined` when it was not written by this adapter. */
export function decodeValue(frame: Buffer): CacheValue | undefined {
  switch (frame[0]) {
    case TAG_STRING:
      return frame.toString('utf8', 1);
    case TAG_BYTES:
      return copyBytes(frame, 1);
    case TAG_JSON:
      return JSON.parse(frame.toString('utf8', 1)) as JsonValue;
    default:
      return undefined;
  }
}

/**
 * Frames a pub/sub payload. Text is framed as a string: Redis receives the same bytes as from a
 * framed Buffer, and ioredis writes string arguments without its slower binary path.
 */
export function encodeMessage(message: PubSubMessage): string | Buffer {
  if (typeof message === 'string') return TEXT_PREFIX + message;
  return framed(Buffer.isBuffer(message) ? TAG_BUFFER : TAG_BYTES, message);
}

/** A decoded pub/sub frame: text, or bytes still inside the frame (copied per listener). */
export type DecodedMessage = { text: string } | { bytes: Buffer; asBuffer: boolean };

/**
 * Reads a pub/sub frame back, or `undefined` for a payload this adapter did not publish. Text is
 * decoded once; bytes are copied per listener by {@link copyMessage}.
 */
export function decodeMessage(frame: Buffer): DecodedMessage | undefined {
  if (frame[0] === TAG_STRING) return { text: frame.toString('utf8', 1) };
  if (frame[0] === TAG_BYTES || frame[0] === TAG_BUFFER)
    return { bytes: frame, asBuffer: frame[0] === TAG_BUFFER };
  return undefined;
}

/** The payload as one listener receives it: bytes in a copy of its own, of the type published. */
export function copyMessage(decoded: DecodedMessage): PubSubMessage {
  if ('text' in decoded) return decoded.text;
  return decoded.asBuffer ? Buffer.from(decoded.bytes.subarray(1)) : copyBytes(decoded.bytes, 1);
}
