import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import { CLOSE_NORMAL, CLOSE_SLOW_CONSUMER } from '../close-codes';
import type { PreparedFrame } from './prepared-frame';
import { framePayloadBytes, type WebSocketMetrics } from './web-socket-metrics';
import { type BatchTarget, writeBatched } from './write-batcher';

/** A WebSocket connection open on this instance, as the registry sees it. */
export interface LocalConnection {
  readonly id: string;
  /** True while frames can be sent (the WebSocket is OPEN). */
  readonly isOpen: boolean;
  /**
   * Queues a prepared frame: the frames of a turn leave together at its end (write-batcher.ts); beyond
   * maxBufferedBytes the connection is closed with 1013 and the frame discarded. Returns false
   * when the frame was not queued (connection not open, or just closed as a slow consumer).
   */
  send(frame: PreparedFrame): boolean;
  /** Starts the closing handshake (code 1000 when omitted); a no-op when already closing or closed. */
  close(code?: number, reason?: string): void;
}

/**
 * The transport's LocalConnection: prepared frames are written to the upgraded socket at the end of
 * the turn (write-batcher.ts), next to what `ws` itself writes there.
 *
 * Reliance on `ws` internals (ws 8.x): with permessage-deflate off (always, here) `ws`'s Sender
 * writes every frame synchronously to this same socket, whole; so frames written here interleave
 * with ws's own only at frame boundaries. Order: the socket's `ws` is a BatchedWebSocket, whose
 * `send` and `close` (ws's own close replies included) write out the queued frames first; pings and
 * pongs may pass frames of the same turn (harmless for control frames). `raw.send(blob)`, which ws
 * queues asynchronously, should not be mixed with `add()`.
 */
export abstract class SocketConnection implements LocalConnection, BatchTarget {
  readonly id: string;
  /** The `ws` socket. */
  readonly ws: WebSocket;
  /** The upgraded socket (also written by `ws` itself: pings, pongs, close frames). */
  readonly socket: Duplex;

  constructor(id: string, ws: WebSocket, socket: Duplex) {
    this.id = id;
    this.ws = ws;
    this.socket = socket;
  }

  /**
   * Outbound bytes the connection may have queued (also bounds what is buffered before listen).
   * Read from the route's shared options by the subclass: no field per connection.
   */
  abstract get maxBufferedBytes(): number;

  /** The server run's metrics, read from the route's shared state by the subclass; undefined when off. */
  abstract get transportMetrics(): WebSocketMetrics | undefined;

  /**
   * Bytes received on the socket so far (the heartbeat's proof of life). Node's http and https
   * servers upgrade a `net.Socket` (a `TLSSocket` is one), which counts them; undefined for a socket
   * that does not.
   */
  get bytesRead(): number | undefined {
    const { bytesRead } = this.socket as Partial<Socket>;
    return typeof bytesRead === 'number' ? bytesRead : undefined;
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN && this.socket.writable;
  }

  send(frame: PreparedFrame): boolean {
    if (!this.isOpen) return false;
    const metrics = this.transportMetrics;
    if (!writeBatched(this, frame.bytes, this.maxBufferedBytes)) {
      if (metrics !== undefined) metrics.slowConsumerCloses += 1;
      this.close(CLOSE_SLOW_CONSUMER, 'Slow consumer');
      return false;
    }
    if (metrics !== undefined) {
      metrics.messagesSent += 1;
      metrics.bytesSent += framePayloadBytes(frame.bytes);
    }
    return true;
  }

  close(code: number = CLOSE_NORMAL, reason?: string): void {
    if (this.ws.readyState === WebSocket.CLOSING || this.ws.readyState === WebSocket.CLOSED) return;
    // ws (a BatchedWebSocket) writes out what this turn queued, then the close frame. For an undefined
    // code it sends a close frame without a status (seen as 1005) and drops the reason.
    this.ws.close(code, reason);
  }
}
