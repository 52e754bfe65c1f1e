import type { EncodedMessage } from '../transport/message';

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
/** Printable ASCII: JSON.stringify escapes control characters, so a header is ASCII unless it holds other text. */
const ASCII = /^[\x20-\x7e]*$/;

/** Whether a header can go in the text form: ASCII, and short enough for one length byte under 0x80. */
function fitsTextForm(headerJson: string): boolean {
  return headerJson.length < 0x80 && ASCII.test(headerJson);
}

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
): string | Uint8Array {
  // `s` first, whatever the header's key order: senderMatcher relies on it.
  const headerJson = JSON.stringify(Object.assign({ s: header.s }, header));
  return frame(kind, headerJson, fitsTextForm(headerJson), payload);
}

/**
 * The envelopes one instance sends. Most of them carry a header of just `{ s }` (every room message
 * without `exclude`), so its JSON is built once.
 */
export class SenderEnvelopes {
  private readonly plainHeader: string;
  /** Checked once here rather than on every message. */
  private readonly plainFitsText: boolean;
  /** True for a message this instance sent (see {@link senderMatcher}). */
  readonly isOwn: (message: string | Uint8Array) => boolean;

  constructor(readonly sender: string) {
    this.plainHeader = JSON.stringify({ s: sender });
    this.plainFitsText = fitsTextForm(this.plainHeader);
    this.isOwn = senderMatcher(sender);
  }

  /** `encodeEnvelope(kind, { s: sender }, payload)`. */
  plain(kind: EnvelopeKind, payload?: EncodedMessage): string | Uint8Array {
    return frame(kind, this.plainHeader, this.plainFitsText, payload);
  }
}

/**
 * The message as a string when every byte of it is ASCII but the payload, and the payload is text:
 * the same bytes, which pub/sub adapters carry without a binary path (and receivers slice without
 * copying). Otherwise as bytes.
 */
function frame(
  kind: EnvelopeKind,
  headerJson: string,
  headerFitsText: boolean,
  payload: EncodedMessage | undefined,
): string | Uint8Array {
  const flags = payload === undefined ? 0 : FLAG_PAYLOAD | (typeof payload === 'string' ? 0 : FLAG_BINARY);
  if (typeof payload !== 'object' && headerFitsText) {
    return (
      String.fromCharCode(VERSION, KIND_CODES[kind], flags, 0, 0, 0, headerJson.length) +
      headerJson +
      (payload ?? '')
    );
  }
  const headerBytes = Buffer.from(headerJson, 'utf8');
  const payloadLength =
    payload === undefined
      ? 0
      : typeof payload === 'string'
        ? Buffer.byteLength(payload, 'utf8')
        : payload.byteLength;
  const bytes = Buffer.allocUnsafe(PREFIX_LENGTH + headerBytes.length + payloadLength);
  bytes[0] = VERSION;
  bytes[1] = KIND_CODES[kind];
  bytes[2] = flags;
  bytes.writeUInt32BE(headerBytes.length, 3);
  headerBytes.copy(bytes, PREFIX_LENGTH);
  const payloadOffset = PREFIX_LENGTH + headerBytes.length;
  if (typeof payload === 'string') bytes.write(payload, payloadOffset, 'utf8');
  else if (payload !== undefined) bytes.set(payload, payloadOffset);
  return bytes;
}

/** Reads a cluster message, in either form; `undefined` for anything this version did not write. */
export function decodeEnvelope(message: string | Uint8Array): Envelope | undefined {
  return typeof message === 'string' ? decodeText(message) : decodeBytes(message);
}

function decodeText(message: string): Envelope | undefined {
  if (message.length < PREFIX_LENGTH || message.charCodeAt(0) !== VERSION) return undefined;
  const flags = message.charCodeAt(2);
  // The text form exists only for headers under 128 bytes: the three high length bytes are zero.
  if (message.charCodeAt(3) + message.charCodeAt(4) + message.charCodeAt(5) !== 0 || flags & FLAG_BINARY) {
    return undefined;
  }
  const payloadOffset = PREFIX_LENGTH + message.charCodeAt(6);
  if (payloadOffset > message.length) return undefined;
  return envelopeOf(
    message.charCodeAt(1),
    message.slice(PREFIX_LENGTH, payloadOffset),
    flags & FLAG_PAYLOAD ? message.slice(payloadOffset) : undefined,
  );
}

function decodeBytes(message: Uint8Array): Envelope | undefined {
  if (message.byteLength < PREFIX_LENGTH || message[0] !== VERSION) return undefined;
  const bytes = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  const flags = bytes[2] ?? 0;
  const payloadOffset = PREFIX_LENGTH + bytes.readUInt32BE(3);
  if (payloadOffset > bytes.length) return undefined;
  let payload: EncodedMessage | undefined;
  if (flags & FLAG_PAYLOAD) {
    // A view, not a copy: the CacheManager contract hands every listener bytes of its own.
    payload =
      flags & FLAG_BINARY
        ? new Uint8Array(bytes.buffer, bytes.byteOffset + payloadOffset, bytes.length - payloadOffset)
        : bytes.toString('utf8', payloadOffset);
  }
  return envelopeOf(bytes[1], bytes.toString('utf8', PREFIX_LENGTH, payloadOffset), payload);
}

function envelopeOf(
  code: number | undefined,
  headerJson: string,
  payload: EncodedMessage | undefined,
): Envelope | undefined {
  const kind = kindOf(code);
  if (kind === undefined) return undefined;
  let header: unknown;
  try {
    header = JSON.parse(headerJson);
  } catch {
    return undefined;
  }
  if (typeof header !== 'object' || header === null || typeof (header as EnvelopeHeader).s !== 'string') {
    return undefined;
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
  const startText = `{"s":${JSON.stringify(instanceId)}`;
  const start = Buffer.from(startText, 'utf8');
  const end = PREFIX_LENGTH + start.length;
  const textEnd = PREFIX_LENGTH + startText.length;
  // ',' or '}' after the id: the whole id matched, not a prefix of a longer one.
  const endsId = (next: number | undefined): boolean => next === 0x2c || next === 0x7d;
  return (message) => {
    if (typeof message === 'string') {
      return message.startsWith(startText, PREFIX_LENGTH) && endsId(message.charCodeAt(textEnd));
    }
    if (message.byteLength < end + 1) return false;
    const bytes = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
    return bytes.compare(start, 0, start.length, PREFIX_LENGTH, end) === 0 && endsId(bytes[end]);
  };
}
