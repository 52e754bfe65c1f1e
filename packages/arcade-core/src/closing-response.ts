import {
  type IncomingMessage,
  type OutgoingHttpHeader,
  type OutgoingHttpHeaders,
  ServerResponse,
} from 'node:http';

/** What a server tells its responses: whether it is shutting down. */
export interface ShutdownState {
  closing: boolean;
}

/**
 * A ServerResponse class (the `ServerResponse` option of `http.createServer`) whose responses, once
 * the server is closing, go out with `Connection: close`, so Node closes their connection after them.
 * The check sits where the head is written, whoever writes it (Arcade, a handler through
 * `rawResponse`, a piped stream): a response needs no listener of its own and the server keeps no
 * list of them, which kept a per-request cost off the hot path.
 */
export function closingAwareResponse(state: ShutdownState): typeof ServerResponse {
  return class ClosingAwareResponse<
    Request extends IncomingMessage = IncomingMessage,
  > extends ServerResponse<Request> {
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
