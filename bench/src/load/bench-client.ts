import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { EVENTS_SUBPROTOCOL } from '@arcade/ws/protocol';
import type { Dialect } from '../protocol';
import { markReceived } from './payload';

/** Called for every application message: the payload is `buffer[start..end)` (latin1 text). */
export type MessageListener = (buffer: Buffer, start: number, end: number) => void;

const OPCODE_TEXT = 0x1;
const OPCODE_BINARY = 0x2;
const OPCODE_CLOSE = 0x8;
const OPCODE_PING = 0x9;
const OPCODE_PONG = 0xa;
/** `42["m","` and `"]`: the Socket.IO 4 event frame around a payload that needs no JSON escaping. */
const SOCKETIO_PREFIX = 8;
const SOCKETIO_SUFFIX = 2;
/** `{"event":"m","data":"` and `"}`: an events-protocol event frame around such a payload. */
const EVENTS_EVENT_PREFIX = 21;
const EVENTS_EVENT_SUFFIX = 2;
/** `{"t":"res","id":`, then the id's digits, then `,"data":"`: a reply frame up to its payload. */
const EVENTS_RESULT_HEAD = 16;
const EVENTS_RESULT_DATA = 9;
const EVENTS_SUFFIX = 2;
const HANDSHAKE_TIMEOUT_MS = 15_000;
const ZERO_MASK = Buffer.alloc(4);

/**
 * A deliberately small WebSocket client for load generation: a `net` socket, an RFC 6455 handshake and
 * a frame parser that hands payload ranges to the listener without copying or decoding them.
 *
 * Why not the `ws` client: with 1000 receivers in one process, the client's own per-message cost
 * decides how much of the 2 cores is left for the server under test. This client does the minimum
 * (every frame is parsed, pings are answered) and costs the same whichever server it talks to.
 * Frames are masked with a zero key (allowed by the framing, ignored by servers), so sending costs one
 * small allocation. Payloads must be ASCII without `"` or `\`, so Socket.IO and events-protocol frames
 * need no escaping: both dialects wrap a payload in a fixed text and find it again at fixed offsets,
 * with no JSON encoding or parsing, so their cost per message is the raw one plus a short string.
 */
export class BenchClient {
  private rest: Buffer | null = null;
  private closed = false;
  /** The last request id sent (events protocol: ids are positive integers, one per pending request). */
  private lastId = 0;

  private constructor(
    private readonly socket: Socket,
    private readonly dialect: Dialect,
    private readonly onMessage: MessageListener,
  ) {}

  /**
   * Opens a connection and resolves once it can carry messages (for Socket.IO: namespace joined; for the
   * events protocol: the server accepted the subprotocol `arcade.events.v1`, which the client offers).
   */
  static open(
    port: number,
    path: string,
    dialect: Dialect,
    onMessage: MessageListener,
  ): Promise<BenchClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.setNoDelay(true);
      const client = new BenchClient(socket, dialect, onMessage);
      let head = Buffer.alloc(0);
      let settled = false;
      const timer = setTimeout(
        () => fail(new Error(`handshake to port ${port} timed out`)),
        HANDSHAKE_TIMEOUT_MS,
      );
      const fail = (error: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      const ready = (): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.off('error', fail);
        socket.on('error', () => client.markClosed());
        resolve(client);
      };
      socket.on('error', fail);
      socket.on('close', () => {
        client.markClosed();
        fail(new Error(`connection to port ${port} closed during the handshake`));
      });
      socket.on('connect', () => {
        socket.write(
          `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
            (dialect === 'events' ? `Sec-WebSocket-Protocol: ${EVENTS_SUBPROTOCOL}\r\n\r\n` : '\r\n'),
        );
      });
      const onHandshakeData = (chunk: Buffer): void => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        const statusLine = head.toString('latin1', 0, head.indexOf('\r\n'));
        if (!statusLine.startsWith('HTTP/1.1 101')) {
          fail(new Error(`upgrade to ${path} refused: ${statusLine}`));
          return;
        }
        if (dialect === 'events' && !acceptsEvents(head.toString('latin1', 0, end))) {
          fail(new Error(`upgrade to ${path} did not accept the subprotocol ${EVENTS_SUBPROTOCOL}`));
          return;
        }
        socket.off('data', onHandshakeData);
        if (dialect === 'socketio') {
          // Engine.IO sends its open packet `0{...}`; we answer `40` and wait for the `40{...}` ack.
          client.handshakeListener = (buffer, start) => {
            if (buffer[start] === 0x30 /* 0 */ && buffer[start + 1] !== 0x30) client.sendRaw('40');
            else if (buffer[start] === 0x34 && buffer[start + 1] === 0x30 /* 40 */) {
              client.handshakeListener = null;
              ready();
            }
          };
        } else {
          ready();
        }
        socket.on('data', (data: Buffer) => client.onData(data));
        if (head.length > end + 4) client.onData(head.subarray(end + 4));
      };
      socket.on('data', onHandshakeData);
    });
  }

  private handshakeListener: MessageListener | null = null;

  get isOpen(): boolean {
    return !this.closed;
  }

  /**
   * Sends one application message: as it is, as a Socket.IO `m` event, or as an events-protocol `m`
   * event (`{"t":"emit","event":"m","data":"<payload>"}`).
   */
  send(payload: string): void {
    if (this.dialect === 'raw') this.sendRaw(payload);
    else if (this.dialect === 'socketio') this.sendRaw(`42["m","${payload}"]`);
    else this.sendRaw(`{"t":"emit","event":"m","data":"${payload}"}`);
  }

  /**
   * Sends a message its server answers on this connection: in the events protocol a request
   * (`{"t":"req","id":N,"event":"echo","data":"<payload>"}`, answered by a `res` frame whose payload the
   * listener gets); the other dialects' echo routes answer every message, so there it is {@link send}.
   */
  request(payload: string): void {
    if (this.dialect !== 'events') this.send(payload);
    else this.sendRaw(`{"t":"req","id":${++this.lastId},"event":"echo","data":"${payload}"}`);
  }

  /** Starts a clean close (close frame, then FIN); the socket is destroyed if the peer lingers. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.socket.destroy(), 2000);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.writeFrame(OPCODE_CLOSE, Buffer.from([0x03, 0xe8]));
      this.socket.end();
    });
  }

  private markClosed(): void {
    this.closed = true;
  }

  private sendRaw(text: string): void {
    const length = Buffer.byteLength(text, 'latin1');
    const header = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
    const frame = Buffer.allocUnsafe(header + 4 + length);
    frame[0] = 0x80 | OPCODE_TEXT;
    if (header === 2) frame[1] = 0x80 | length;
    else if (header === 4) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(length, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeBigUInt64BE(BigInt(length), 2);
    }
    frame.writeUInt32BE(0, header);
    frame.write(text, header + 4, 'latin1');
    if (!this.closed) this.socket.write(frame);
  }

  private writeFrame(opcode: number, payload: Buffer): void {
    if (this.closed) return;
    this.socket.write(
      Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length]), ZERO_MASK, payload]),
    );
  }

  private onData(chunk: Buffer): void {
    markReceived();
    const buffer = this.rest === null ? chunk : Buffer.concat([this.rest, chunk]);
    this.rest = null;
    let offset = 0;
    for (;;) {
      const available = buffer.length - offset;
      if (available < 2) break;
      let length = buffer[offset + 1]! & 0x7f;
      let header = 2;
      if (length === 126) {
        if (available < 4) break;
        length = buffer.readUInt16BE(offset + 2);
        header = 4;
      } else if (length === 127) {
        if (available < 10) break;
        length = buffer.readUInt32BE(offset + 2) * 2 ** 32 + buffer.readUInt32BE(offset + 6);
        header = 10;
      }
      if (available < header + length) break;
      this.onFrame(buffer[offset]! & 0x0f, buffer, offset + header, offset + header + length);
      offset += header + length;
    }
    if (offset < buffer.length) this.rest = buffer.subarray(offset);
  }

  private onFrame(opcode: number, buffer: Buffer, start: number, end: number): void {
    if (opcode === OPCODE_TEXT || opcode === OPCODE_BINARY) {
      if (this.dialect === 'raw') {
        this.onMessage(buffer, start, end);
      } else if (this.dialect === 'events') {
        this.onEventsFrame(buffer, start, end);
      } else if (this.handshakeListener !== null) {
        this.handshakeListener(buffer, start, end);
      } else if (buffer[start] === 0x34 && buffer[start + 1] === 0x32 /* 42 */) {
        this.onMessage(buffer, start + SOCKETIO_PREFIX, end - SOCKETIO_SUFFIX);
      } else if (end - start === 1 && buffer[start] === 0x32 /* Engine.IO ping */) {
        this.sendRaw('3');
      }
    } else if (opcode === OPCODE_PING) {
      this.writeFrame(OPCODE_PONG, Buffer.from(buffer.subarray(start, end)));
    } else if (opcode === OPCODE_CLOSE) {
      this.socket.end();
    }
  }

  /**
   * An events-protocol frame: an event (`{"event":"m","data":"<payload>"}`, the only event the bench
   * targets send) or a reply (`{"t":"res","id":N,"data":"<payload>"}`) goes to the listener with the
   * payload's range; anything else (`err`, `pong`) is dropped, so a refused message counts as lost.
   */
  private onEventsFrame(buffer: Buffer, start: number, end: number): void {
    if (buffer[start + 2] === 0x65 /* {"e */) {
      this.onMessage(buffer, start + EVENTS_EVENT_PREFIX, end - EVENTS_EVENT_SUFFIX);
    } else if (buffer[start + 6] === 0x72 /* {"t":"r */) {
      let cursor = start + EVENTS_RESULT_HEAD;
      while (cursor < end && buffer[cursor]! >= 0x30 && buffer[cursor]! <= 0x39) cursor++;
      this.onMessage(buffer, cursor + EVENTS_RESULT_DATA, end - EVENTS_SUFFIX);
    }
  }
}

/** Whether a 101 response's headers accept the events protocol's subprotocol. */
function acceptsEvents(head: string): boolean {
  const match = /\r\nsec-websocket-protocol:[ \t]*([^\r]*)/i.exec(head);
  return match?.[1]?.trim() === EVENTS_SUBPROTOCOL;
}
