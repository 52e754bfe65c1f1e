import type { EncodedMessage } from './message';

// Wire format of every pub/sub message between instances (docs/cluster.md, "Framing"):
//   byte 0      version (1)
//   byte 1      kind: 1 room, 2 broadcast, 3 request, 4 reply
//   byte 2      flags: bit 0 a payload follows, bit 1 the payload is binary (else UTF-8 text)
//   bytes 3-6   header length n (uint32, big endian)
//   n bytes     header: UTF-8 JSON, always with `s` (the sender's instance id)
//   rest        the payload bytes, exactly as emitted
// The payload is never parsed or re-encoded: a JSON-looking string stays a string, bytes stay bytes.

const VERSION = 1;
const PREFIX_LENGTH = 7;
const FLAG_PAYLOAD = 1;
const FLAG_BINARY = 2;

const KIND_CODES = { room: 1, broadcast: 2, request: 3, reply: 4 } as const;

/** What a cluster message is for. */
export type EnvelopeKind = keyof typeof KIND_CODES;

/** The header fields every envelope has. */
export interface EnvelopeHeader {
  /** Instance id of the sender. */
  readonly s: string;
}

/** A decoded cluster message. */
export interface Envelope<H extends EnvelopeHeader = EnvelopeHeader> {
  readonly kind: EnvelopeKind;
  readonly header: H;
  readonly payload: EncodedMessage | undefined;
}

/** Frames one cluster message. The header starts with `s` (see {@link senderMatcher}). */
export function encodeEnvelope(
  kind: EnvelopeKind,
  header: EnvelopeHeader,
  payload?: EncodedMessage,
): Uint8Array {
  // `s` first, whatever the header's key order: senderMatcher relies on it.
  const headerBytes = Buffer.from(JSON.stringify(Object.assign({ s: header.s }, header)), 'utf8');
  const payloadLength =
    payload === undefined
      ? 0
      : typeof payload === 'string'
        ? Buffer.byteLength(payload, 'utf8')
        : payload.byteLength;
  const bytes = Buffer.allocUnsafe(PREFIX_LENGTH + headerBytes.length + payloadLength);
  bytes[0] = VERSION;
  bytes[1] = KIND_CODES[kind];
  bytes[2] = payload === undefined ? 0 : FLAG_PAYLOAD | (typeof payload === 'string' ? 0 : FLAG_BINARY);
  bytes.writeUInt32BE(headerBytes.length, 3);
  headerBytes.copy(bytes, PREFIX_LENGTH);
  const payloadOffset = PREFIX_LENGTH + headerBytes.length;
  if (typeof payload === 'string') bytes.write(payload, payloadOffset, 'utf8');
  else if (payload !== undefined) bytes.set(payload, payloadOffset);
  return bytes;
}

/** Reads a cluster message; `undefined` for anything this version did not write. */
export function decodeEnvelope(message: string | Uint8Array): Envelope | undefined {
  if (typeof message === 'string' || message.byteLength < PREFIX_LENGTH || message[0] !== VERSION)
    return undefined;
  const bytes = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  const kind = kindOf(bytes[1]);
  const flags = bytes[2] ?? 0;
  const headerLength = bytes.readUInt32BE(3);
  const payloadOffset = PREFIX_LENGTH + headerLength;
  if (kind === undefined || payloadOffset > bytes.length) return undefined;
  let header: unknown;
  try {
    header = JSON.parse(bytes.toString('utf8', PREFIX_LENGTH, payloadOffset));
  } catch {
    return undefined;
  }
  if (typeof header !== 'object' || header === null || typeof (header as EnvelopeHeader).s !== 'string') {
    return undefined;
  }
  let payload: EncodedMessage | undefined;
  if (flags & FLAG_PAYLOAD) {
    // A view, not a copy: the CacheManager contract hands every listener bytes of its own.
    payload =
      flags & FLAG_BINARY
        ? new Uint8Array(bytes.buffer, bytes.byteOffset + payloadOffset, bytes.length - payloadOffset)
        : bytes.toString('utf8', payloadOffset);
  }
  return { kind, header: header as EnvelopeHeader, payload };
}

function kindOf(code: number | undefined): EnvelopeKind | undefined {
  for (const [kind, value] of Object.entries(KIND_CODES)) if (value === code) return kind as EnvelopeKind;
  return undefined;
}

/**
 * A cheap test of "did this instance send this message?", without parsing the header or copying the
 * payload: an instance hears its own room messages (it listens to the room too) and drops them, so
 * this runs once per message it sent.
 */
export function senderMatcher(instanceId: string): (message: string | Uint8Array) => boolean {
  const start = Buffer.from(`{"s":${JSON.stringify(instanceId)}`, 'utf8');
  return (message) => {
    if (typeof message === 'string' || message.byteLength < PREFIX_LENGTH + start.length + 1) return false;
    const bytes = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
    const next = bytes[PREFIX_LENGTH + start.length];
    return (
      bytes.compare(start, 0, start.length, PREFIX_LENGTH, PREFIX_LENGTH + start.length) === 0 &&
      (next === 0x2c || next === 0x7d) // ',' or '}': the whole id matched, not a prefix of a longer one
    );
  };
}
