import { isThenable } from '@arcade/core';
import type { WebSocket } from 'ws';
import { CLOSE_SLOW_CONSUMER } from '../close-codes';
import { WebSocketListenError } from '../errors';
import type { SocketConnection } from './local-connection';
import { PreparedFrame } from './prepared-frame';

/** A message as received or sent: text frames are strings, binary frames are bytes. */
export type WebSocketData = string | Uint8Array;

/** Callbacks of `websocket.listen`. A callback that throws (or rejects) is logged; the connection stays open. */
export interface WebSocketListenOptions {
  /** Called once, after the last message, when the connection has closed. */
  onDone?: () => unknown;
  /** Called with a protocol error reported by the socket (invalid frame, message too big, ...); ws then closes it. */
  onError?: (error: Error) => unknown;
  /**
   * Called, in order with the other messages, with each message that `rateLimit` dropped (with
   * `onExceed: 'drop'`; `'close'` closes instead): a chance to tell the client, e.g. to answer a
   * request it would otherwise wait for. Without it a dropped message is only counted and logged.
   */
  onRateLimited?: (data: WebSocketData) => unknown;
}

/** The `websocket` a handler and `onConnect` receive. */
export interface ArcadeWebSocket {
  /**
   * Sends a string as a text frame or bytes as a binary frame. Writes are batched per event-loop
   * turn and count against `maxBufferedBytes`. Returns false (and drops the message) when the
   * connection is not open.
   */
  add(data: WebSocketData): boolean;
  /**
   * Starts delivering inbound messages: text frames as `string`, binary frames as `Uint8Array`.
   * Messages received before this call were buffered and are delivered first, in order, right after
   * it returns. Can be called once per connection (a second call throws `WebSocketListenError`).
   */
  listen(onData: (data: WebSocketData) => unknown, options?: WebSocketListenOptions): void;
  /** Starts the closing handshake (code 1000 when omitted); a no-op once closing. */
  close(code?: number, reason?: string): void;
  /** The negotiated subprotocol, '' when none. */
  readonly protocol: string;
  /** 0 CONNECTING, 1 OPEN, 2 CLOSING, 3 CLOSED (the WebSocket constants). */
  readonly readyState: number;
  /**
   * The underlying `ws` WebSocket, for what this wrapper does not cover. Its `send` and `close` first
   * write out the frames `add()` queued in this turn, so what is sent through it follows them.
   */
  readonly raw: WebSocket;
}

/** Inbound events waiting for `listen()`, and the bytes of their messages. */
interface PendingEvents {
  readonly events: InboundEvent[];
  bytes: number;
}

type InboundEvent =
  | { readonly kind: 'data' | 'limited'; readonly data: WebSocketData; readonly size: number }
  | { readonly kind: 'error'; readonly error: Error }
  | { readonly kind: 'done' };

/** The user callbacks of `listen`. */
export type UserCallback = 'listener' | 'onDone' | 'onError' | 'onRateLimited';

/** Reports an exception thrown (or a promise rejected) by user code; it never propagates. */
export interface UserErrorReporter {
  reportUserError(error: unknown, source: UserCallback): void;
}

/**
 * The wrapper handed to user code. Until `listen` is called, inbound events are queued (bounded by
 * `maxBufferedBytes`: beyond it the connection is closed with 1013), so nothing is lost while
 * `onConnect` runs.
 */
export class ConnectionSocket implements ArcadeWebSocket {
  // The socket, the limit and the error reporter are all read from the connection: fewer fields
  // per connection.
  private readonly connection: SocketConnection & UserErrorReporter;
  // Two fields rather than one { onData, options } object: one allocation less per connection.
  private onData: ((data: WebSocketData) => unknown) | undefined;
  private listenOptions: WebSocketListenOptions | undefined;
  // Allocated with the first event that must wait for listen(), dropped once delivered: most
  // connections never need it, so its state costs them one field.
  private pending: PendingEvents | undefined;

  constructor(connection: SocketConnection & UserErrorReporter) {
    this.connection = connection;
  }

  get raw(): WebSocket {
    return this.connection.ws;
  }

  get protocol(): string {
    return this.connection.ws.protocol;
  }

  get readyState(): number {
    return this.connection.ws.readyState;
  }

  add(data: WebSocketData): boolean {
    return this.connection.send(PreparedFrame.from(data));
  }

  listen(onData: (data: WebSocketData) => unknown, options?: WebSocketListenOptions): void {
    if (this.onData) throw new WebSocketListenError(this.connection.id);
    this.onData = onData;
    this.listenOptions = options;
    if (this.pending) {
      // Delivered after the caller's synchronous code, as a stream would: the handler finishes
      // setting up (e.g. setConnectionData) before its first message. Events arriving meanwhile
      // join the queue, behind the earlier ones.
      queueMicrotask(() => this.drain());
    }
  }

  close(code?: number, reason?: string): void {
    this.connection.close(code, reason);
  }

  /** A message from the socket. */
  receive(data: WebSocketData): void {
    this.inbound('data', data);
  }

  /** A message the rate limit dropped: handed to `onRateLimited`, in order with the others. */
  refuse(data: WebSocketData): void {
    this.inbound('limited', data);
  }

  /** A message in, dispatched at once while listening; before listen(), queued within `maxBufferedBytes`. */
  private inbound(kind: 'data' | 'limited', data: WebSocketData): void {
    if (this.onData && !this.pending) {
      this.dispatch({ kind, data, size: 0 });
      return;
    }
    const size = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    if ((this.pending?.bytes ?? 0) + size > this.connection.maxBufferedBytes) {
      this.connection.close(CLOSE_SLOW_CONSUMER, 'Too many messages before listen');
      return;
    }
    this.enqueue({ kind, data, size });
  }

  /** A protocol error from the socket. */
  fail(error: Error): void {
    this.deliver({ kind: 'error', error });
  }

  /** The socket has closed: no message follows. */
  end(): void {
    this.deliver({ kind: 'done' });
  }

  private deliver(event: InboundEvent): void {
    if (this.onData && !this.pending) this.dispatch(event);
    else this.enqueue(event);
  }

  private enqueue(event: InboundEvent): void {
    this.pending ??= { events: [], bytes: 0 };
    this.pending.events.push(event);
    if (event.kind === 'data' || event.kind === 'limited') this.pending.bytes += event.size;
  }

  private drain(): void {
    const pending = this.pending;
    if (!this.onData || !pending) return;
    this.pending = undefined;
    for (const event of pending.events) this.dispatch(event);
  }

  private dispatch(event: InboundEvent): void {
    const onData = this.onData;
    const options = this.listenOptions;
    switch (event.kind) {
      case 'data':
        if (onData) this.call(() => onData(event.data), 'listener');
        return;
      case 'limited':
        if (options?.onRateLimited) this.call(() => options.onRateLimited?.(event.data), 'onRateLimited');
        return;
      case 'error':
        if (options?.onError) this.call(() => options.onError?.(event.error), 'onError');
        return;
      case 'done':
        if (options?.onDone) this.call(() => options.onDone?.(), 'onDone');
        return;
    }
  }

  private call(callback: () => unknown, source: UserCallback): void {
    try {
      const result = callback();
      if (isThenable(result)) {
        result.then(undefined, (error: unknown) => this.connection.reportUserError(error, source));
      }
    } catch (error) {
      this.connection.reportUserError(error, source);
    }
  }
}
