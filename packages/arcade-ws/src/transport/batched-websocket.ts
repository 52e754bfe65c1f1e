import { WebSocket } from 'ws';
import { type BatchTarget, flushNow } from './write-batcher';

/** The connection a socket belongs to, set on the `ws` socket (one symbol property, no closure). */
export const RUNNING = Symbol('arcade.runningConnection');

type BufferLike = Parameters<WebSocket['send']>[0];
type SendOptions = Parameters<WebSocket['send']>[1];
type SendCallback = Parameters<WebSocket['send']>[2];

/**
 * The `ws` WebSocket class the transport's servers create (their documented `WebSocket` option).
 * Frames sent with `add()` or an emit wait in the write batcher until the end of the turn; every
 * other way a frame reaches the socket goes through `send` or `close` here, and first writes out what
 * the batcher holds for the connection, so frames leave in the order they were sent:
 * - `ws` answering the peer's close frame, or closing on a protocol error (1002, 1007, 1009): the
 *   replies and messages of the same turn go out before the close frame, not dropped after it;
 * - user code calling `websocket.raw.send()` or `raw.close()`, even through a kept reference.
 * Pings and pongs do not flush: a control frame may pass data frames of the same turn.
 */
export class BatchedWebSocket extends WebSocket {
  /**
   * Defined by the constructor, not added when the connection starts: added later, it would not fit
   * in the object (ws's fields fill it) and would cost a property array per socket.
   */
  [RUNNING]: BatchTarget | undefined = undefined;

  override close(code?: number, data?: string | Buffer): void {
    this.flushBatch();
    super.close(code, data);
  }

  override send(data: BufferLike, cb?: (err?: Error) => void): void;
  override send(data: BufferLike, options: SendOptions, cb?: SendCallback): void;
  override send(data: BufferLike, options?: SendOptions | SendCallback, cb?: SendCallback): void {
    this.flushBatch();
    if (typeof options === 'function' || options === undefined) super.send(data, options);
    else super.send(data, options, cb);
  }

  private flushBatch(): void {
    const connection = this[RUNNING];
    if (connection !== undefined) flushNow(connection);
  }
}
