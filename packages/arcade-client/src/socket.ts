// The part of the WebSocket API the client uses, stated structurally so that the browser's class,
// Node 22's global one (undici) and the `ws` package's all fit without the DOM or Node typings.

/** The `close` event of a WebSocket: its code and reason. */
export interface CloseEventLike {
  readonly code: number;
  readonly reason: string;
}

/** The `message` event of a WebSocket: a string for a text frame, bytes for a binary one. */
export interface MessageEventLike {
  readonly data: unknown;
}

/**
 * A WebSocket as the client drives it. The handlers take `never` so that any WebSocket's own event
 * types are accepted; the client knows the shape of what it receives (the two interfaces above).
 */
export interface WebSocketLike {
  readonly readyState: number;
  readonly protocol: string;
  binaryType: string;
  onopen: ((event: never) => unknown) | null;
  onmessage: ((event: never) => unknown) | null;
  onclose: ((event: never) => unknown) | null;
  onerror: ((event: never) => unknown) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** A WebSocket class: the browser's `WebSocket`, Node 22's global one, or `WebSocket` of the `ws` package. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** `readyState` of an open socket (the same value in every implementation). */
export const OPEN = 1;

/**
 * Drops a socket now. `ws` sockets have `terminate()`, which ends the TCP connection at once; the
 * standard API only has `close()`, whose closing handshake a silent server never completes (the
 * browser then gives up by itself).
 */
export function dropSocket(socket: WebSocketLike, reason: string): void {
  const terminate = (socket as { terminate?: unknown }).terminate;
  try {
    if (typeof terminate === 'function') terminate.call(socket);
    // 4000: a code of the private range, so the server never reads it as one of its own.
    else socket.close(4000, reason.slice(0, 120));
  } catch {
    // Already closing: nothing left to drop.
  }
}
