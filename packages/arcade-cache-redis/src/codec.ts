import {
  assertCacheValue,
  type CacheValue,
  type JsonValue,
  type LogPosition,
  type PubSubMessage,
} from '@arcade/cache';

/*
 * Framing of stored values and pub/sub payloads: one tag byte, then the payload. The tag says what
 * the bytes are, so a string that looks like JSON is never parsed and bytes never pass through text.
 *   's' UTF-8 text (a string)     'b' raw bytes (a Uint8Array)     'j' JSON text (any other JSON value)
 * and, for pub/sub only, 'B' raw bytes published as a Node.js Buffer, delivered as a Buffer again
 * (as the in-process adapter does); stored bytes always read back as a plain Uint8Array.
 * A message published by appendToLog carries its log position in front of its frame:
 *   'p' <offset in decimal> ':' <epoch> ':' <frame>     (an epoch never contains ':')
 * The append script builds it (log-scripts.ts): only the script knows the position.
 */
const TAG_STRING = 0x73;
const TAG_BYTES = 0x62;
const TAG_JSON = 0x6a;
const TAG_BUFFER = 0x42;
const TAG_POSITIONED = 0x70;
const POSITION_SEPARATOR = 0x3a;
const OFFSET_DIGITS = /^[1-9][0-9]*$/;
const TEXT_PREFIX = String.fromCharCode(TAG_STRING);
const JSON_PREFIX = String.fromCharCode(TAG_JSON);

function framed(tag: number, payload: Buffer | Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(payload.byteLength + 1);
  frame[0] = tag;
  frame.set(payload, 1);
  return frame;
}

/**
 * Frames a value for storage; rejects what JSON cannot hold with `INVALID_ARGUMENT`. Text and JSON
 * are framed as a string, which Redis receives as the same bytes as a framed Buffer: a command whose
 * arguments are all strings is written by ioredis as one string, where a single Buffer argument makes
 * it copy the whole command into a new Buffer (twice when auto-pipelined). Those copies are malloc-ed
 * outside the V8 heap and freed only when a GC collects them: a burst of connects, each writing its
 * record, leaves the allocator's heap fragmented and the RSS higher even after full GCs.
 */
export function encodeValue(value: CacheValue, what = 'the value'): string | Buffer {
  if (typeof value === 'string') return TEXT_PREFIX + value;
  if (value instanceof Uint8Array) return framed(TAG_BYTES, value);
  assertCacheValue(value, what);
  return JSON_PREFIX + JSON.stringify(value);
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

/** A message frame decoded: text, or bytes still inside the frame (copied per listener). */
type DecodedPayload = { text: string } | { bytes: Buffer; asBuffer: boolean };

/** A decoded pub/sub frame, with its log position when appendToLog published it. */
export type DecodedMessage = DecodedPayload & { position?: LogPosition };

/** Reads a message frame ('s', 'b' or 'B'); `bytes` keeps the tag at index 0. */
function decodePayload(frame: Buffer): DecodedPayload | undefined {
  if (frame[0] === TAG_STRING) return { text: frame.toString('utf8', 1) };
  if (frame[0] === TAG_BYTES || frame[0] === TAG_BUFFER)
    return { bytes: frame, asBuffer: frame[0] === TAG_BUFFER };
  return undefined;
}

/** Reads a 'p' frame: the position, then the message frame it wraps. */
function decodePositioned(frame: Buffer): DecodedMessage | undefined {
  const offsetEnd = frame.indexOf(POSITION_SEPARATOR, 1);
  const epochEnd = offsetEnd < 0 ? -1 : frame.indexOf(POSITION_SEPARATOR, offsetEnd + 1);
  if (epochEnd <= offsetEnd + 1) return undefined;
  const digits = frame.toString('latin1', 1, offsetEnd);
  const offset = Number(digits);
  if (!OFFSET_DIGITS.test(digits) || !Number.isSafeInteger(offset)) return undefined;
  const payload = decodePayload(frame.subarray(epochEnd + 1));
  if (!payload) return undefined;
  return { ...payload, position: { epoch: frame.toString('utf8', offsetEnd + 1, epochEnd), offset } };
}

/**
 * Reads a pub/sub frame back, or `undefined` for a payload this adapter did not publish. Text is
 * decoded once; bytes are copied per listener by {@link copyMessage}.
 */
export function decodeMessage(frame: Buffer): DecodedMessage | undefined {
  return frame[0] === TAG_POSITIONED ? decodePositioned(frame) : decodePayload(frame);
}

/**
 * Reads the frame of a log entry back, or `undefined` when this adapter did not write it. Bytes come
 * back as a plain Uint8Array, as stored bytes always do, even those appended as a Buffer.
 */
export function decodeLogMessage(frame: Buffer): PubSubMessage | undefined {
  const payload = decodePayload(frame);
  if (!payload) return undefined;
  return 'text' in payload ? payload.text : copyBytes(payload.bytes, 1);
}

/** The payload as one listener receives it: bytes in a copy of its own, of the type published. */
export function copyMessage(decoded: DecodedMessage): PubSubMessage {
  if ('text' in decoded) return decoded.text;
  return decoded.asBuffer ? Buffer.from(decoded.bytes.subarray(1)) : copyBytes(decoded.bytes, 1);
}
