import type { IncomingMessage, OutgoingHttpHeader, OutgoingHttpHeaders } from 'node:http';
import { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * The response a connection is writing now (Node hands a connection to one response at a time). Set
 * by the first response, not when the connection opens: a socket's properties are full by then, so
 * one more grows its property array (a 64-byte copy thrown away, 24 bytes more kept), which an
 * upgraded socket, never given a response, would carry for the WebSocket's whole life.
 */
const WRITING = Symbol('arcade.writingResponse');

/** A connection as the drain sees it. */
interface TrackedSocket extends Socket {
  [WRITING]?: ServerResponse | undefined;
}

/**
 * Whether the connection has a response under way. Without one it is idle, or holds a request not yet
 * complete (or nothing at all): the drain may close it.
 */
export function isWriting(socket: Socket): boolean {
  return (socket as TrackedSocket)[WRITING] !== undefined;
}

/** What a server tells its responses, and learns from them, while it shuts down. */
export interface ShutdownState {
  closing: boolean;
  /** Called, once `closing`, when a response is done with its connection. */
  onResponseDone(socket: Socket): void;
}

/**
 * The ServerResponse class of an Arcade server (the `ServerResponse` option of `http.createServer`).
 * Node hands a connection to its responses one at a time (`assignSocket`, `detachSocket`); the class
 * notes which one is writing on the connection, so the shutdown drain knows which connections it may
 * close at once, without a listener or a set entry per request. Once the server is closing, a head
 * written by anyone (Arcade, a handler through `rawResponse`, a piped stream) carries
 * `Connection: close`, and Node closes the connection after that response.
 */
export function closingAwareResponse(state: ShutdownState): typeof ServerResponse {
  return class ClosingAwareResponse<
    Request extends IncomingMessage = IncomingMessage,
  > extends ServerResponse<Request> {
    override assignSocket(socket: Socket): void {
      super.assignSocket(socket);
      (socket as TrackedSocket)[WRITING] = this;
    }

    override detachSocket(socket: Socket): void {
      super.detachSocket(socket);
      (socket as TrackedSocket)[WRITING] = undefined;
      if (state.closing) state.onResponseDone(socket);
    }

    override writeHead(
      statusCode: number,
      statusMessage?: string,
      headers?: OutgoingHttpHeaders | OutgoingHttpHeader[],
    ): this;
    override writeHead(statusCode: number, headers?: OutgoingHttpHeaders | OutgoingHttpHeader[]): this;
    override writeHead(
      statusCode: number,
      statusMessageOrHeaders?: string | OutgoingHttpHeaders | OutgoingHttpHeader[],
      headers?: OutgoingHttpHeaders | OutgoingHttpHeader[],
    ): this {
      if (state.closing) this.shouldKeepAlive = false;
      // Node's writeHead takes (status, headers) as (status, reason = headers): passing both on is the same call.
      return super.writeHead(statusCode, statusMessageOrHeaders as string | undefined, headers);
    }
  };
}
