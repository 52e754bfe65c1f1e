const OPCODE_TEXT = 0x1;
const OPCODE_BINARY = 0x2;
const FIN = 0x80;

/**
 * A message framed once (RFC 6455 section 5.2: one final, unmasked server frame, no extension bits)
 * and written as-is to any number of sockets, so a broadcast costs one serialization and one framing
 * whatever the number of receivers.
 *
 * Valid only on connections without permessage-deflate (the transport never negotiates it).
 */
export class PreparedFrame {
  /** The frame bytes, header and payload. Written to sockets as is: never mutate it. */
  readonly bytes: Buffer;

  private constructor(bytes: Buffer) {
    this.bytes = bytes;
  }

  /** A string becomes a text frame (UTF-8), bytes become a binary frame. */
  static from(message: string | Uint8Array): PreparedFrame {
    if (typeof message === 'string') {
      const payloadLength = Buffer.byteLength(message, 'utf8');
      const frame = allocateFrame(OPCODE_TEXT, payloadLength);
      frame.write(message, frame.length - payloadLength, 'utf8');
      return new PreparedFrame(frame);
    }
    if (message instanceof Uint8Array) {
      const frame = allocateFrame(OPCODE_BINARY, message.byteLength);
      frame.set(message, frame.length - message.byteLength);
      return new PreparedFrame(frame);
    }
    throw new TypeError(`A WebSocket message must be a string or a Uint8Array, got ${typeof message}`);
  }

  /** Bytes this frame occupies on the wire (header included). */
  get byteLength(): number {
    return this.bytes.length;
  }
}

/** A buffer holding the frame header, with room for `payloadLength` bytes after it. */
function allocateFrame(opcode: number, payloadLength: number): Buffer {
  // Payload length encoding: 7 bits, or 126 + 16 bits, or 127 + 64 bits (RFC 6455 5.2).
  const headerLength = payloadLength < 126 ? 2 : payloadLength <= 0xffff ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + payloadLength);
  frame[0] = FIN | opcode;
  if (headerLength === 2) {
    frame[1] = payloadLength;
  } else if (headerLength === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(payloadLength, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(payloadLength), 2);
  }
  return frame;
}
