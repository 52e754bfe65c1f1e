// Every error the client produces, each with a stable `code` to switch on (README, "Errors").
import type { PayloadIssue } from '@arcade/ws/protocol';

/** The `code`s of the errors the client itself produces (a {@link ServerError} carries the server's). */
export type ClientErrorCode =
  | 'INVALID_OPTION'
  | 'INVALID_ARGUMENT'
  | 'NO_WEBSOCKET'
  | 'UNSERIALIZABLE_PAYLOAD'
  | 'REQUEST_TIMEOUT'
  | 'QUEUE_FULL'
  | 'CONNECTION_LOST'
  | 'CLIENT_CLOSED'
  | 'JOIN_CANCELLED'
  | 'TERMINAL_CLOSE'
  | 'SUBPROTOCOL_REFUSED'
  | 'CONNECT_FAILED'
  | 'BAD_REPLY'
  | 'LISTENER_FAILED';

/** The base of every error of `@arcade/client`: `instanceof ArcadeClientError` catches them all. */
export class ArcadeClientError extends Error {
  override readonly name: string = 'ArcadeClientError';
  /** Stable: one of {@link ClientErrorCode}, or the server's code on a {@link ServerError}. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** A request, join or leave got no answer within its timeout (`requestTimeoutMs` or `withTimeout`). */
export class RequestTimeoutError extends ArcadeClientError {
  override readonly name = 'RequestTimeoutError';
  declare readonly code: 'REQUEST_TIMEOUT';

  constructor(
    /** What was awaited: `request "name"`, `join "room"` or `leave "room"`. */
    readonly operation: string,
    readonly timeoutMs: number,
  ) {
    super(
      'REQUEST_TIMEOUT',
      `${operation} got no answer within ${timeoutMs} ms (raise requestTimeoutMs, or client.withTimeout(ms) for one request)`,
    );
  }
}

/**
 * The server refused: an `err` frame (docs/events-protocol.md, "Error codes"). `code` is the
 * server's (`INVALID_PAYLOAD`, `JOIN_REFUSED`, an `EventError`'s own code...) and `message` its text.
 */
export class ServerError extends ArcadeClientError {
  override readonly name = 'ServerError';
  /** Why a payload was refused (`INVALID_PAYLOAD`): the validator's issues. Empty otherwise. */
  readonly issues: readonly PayloadIssue[];
  /** The request or event the refusal is about, when it is about one. */
  readonly event: string | undefined;
  /** The room of a refused join or leave. */
  readonly room: string | undefined;

  constructor(
    code: string,
    message: string,
    about: { issues?: readonly PayloadIssue[]; event?: string; room?: string } = {},
  ) {
    super(code, message);
    this.issues = about.issues ?? [];
    this.event = about.event;
    this.room = about.room;
  }
}

/** A request or join was refused at once: the offline queue holds `queueSize` frames already. */
export class QueueFullError extends ArcadeClientError {
  override readonly name = 'QueueFullError';
  declare readonly code: 'QUEUE_FULL';

  constructor(operation: string, queueSize: number) {
    super(
      'QUEUE_FULL',
      `${operation} was not queued: the offline queue already holds ${queueSize} frames (raise queueSize, or wait for status 'open')`,
    );
  }
}

/**
 * The connection closed after the request was sent and before its reply came. The server may or may
 * not have handled it: the client never sends a request twice by itself.
 */
export class ConnectionLostError extends ArcadeClientError {
  override readonly name = 'ConnectionLostError';
  declare readonly code: 'CONNECTION_LOST';

  constructor(operation: string) {
    super(
      'CONNECTION_LOST',
      `${operation} was sent but the connection closed before the reply; the server may have handled it`,
    );
  }
}

/** The client was closed (`close()`, or stopped by a terminal close code): what was pending is rejected. */
export class ClientClosedError extends ArcadeClientError {
  override readonly name = 'ClientClosedError';
  declare readonly code: 'CLIENT_CLOSED';

  constructor(operation: string, options?: { cause?: unknown }) {
    super('CLIENT_CLOSED', `${operation} failed: the client is closed`, options);
  }
}

/** `leave(room)` was called before the pending `join(room)` was answered. */
export class JoinCancelledError extends ArcadeClientError {
  override readonly name = 'JoinCancelledError';
  declare readonly code: 'JOIN_CANCELLED';

  constructor(readonly room: string) {
    super('JOIN_CANCELLED', `join "${room}" was cancelled by leave("${room}")`);
  }
}

/**
 * The server closed with a code the client does not retry (1000, 1002, 1003, 1007, 1008, 1009,
 * 4400-4499): reconnection stopped. `connect()` starts again (after fixing what the code says).
 */
export class TerminalCloseError extends ArcadeClientError {
  override readonly name = 'TerminalCloseError';
  declare readonly code: 'TERMINAL_CLOSE';

  constructor(
    readonly closeCode: number,
    readonly reason: string,
  ) {
    super(
      'TERMINAL_CLOSE',
      `the server closed the connection with ${closeCode}${reason ? ` (${reason})` : ''}, a code that is not retried; call connect() to try again`,
    );
  }
}

/** The server opened the connection without accepting the events subprotocol: not an events route. */
export class SubprotocolRefusedError extends ArcadeClientError {
  override readonly name = 'SubprotocolRefusedError';
  declare readonly code: 'SUBPROTOCOL_REFUSED';

  constructor(url: string, accepted: string) {
    super(
      'SUBPROTOCOL_REFUSED',
      `${url} accepted ${accepted ? `subprotocol "${accepted}"` : 'no subprotocol'} instead of arcade.events.v1: serve this route with handleEvents (@arcade/ws), not handleWebSocket`,
    );
  }
}

/** A connection attempt failed before a socket existed (the `params` provider, the WebSocket constructor); it is retried. */
export class ConnectFailedError extends ArcadeClientError {
  override readonly name = 'ConnectFailedError';
  declare readonly code: 'CONNECT_FAILED';

  constructor(message: string, cause: unknown) {
    super('CONNECT_FAILED', message, { cause });
  }
}

/** A listener given to `on`, `onRaw`, `onStatus` or `onJoin` threw; the client went on. */
export class ListenerError extends ArcadeClientError {
  override readonly name = 'ListenerError';
  declare readonly code: 'LISTENER_FAILED';

  constructor(where: string, cause: unknown) {
    super('LISTENER_FAILED', `a listener of ${where} threw: ${describeError(cause)}`, { cause });
  }
}

/** The codes of the mistakes of the caller: a bad option or argument, a payload JSON cannot encode. */
export type UsageErrorCode =
  | 'INVALID_OPTION'
  | 'INVALID_ARGUMENT'
  | 'NO_WEBSOCKET'
  | 'UNSERIALIZABLE_PAYLOAD';

/** Builds the error for a mistake of the caller, thrown (or rejected) at the call that made it. */
export function usageError(code: UsageErrorCode, message: string, cause?: unknown): ArcadeClientError {
  return new ArcadeClientError(code, message, cause === undefined ? undefined : { cause });
}

/** An error's message, or the thrown value as text. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
