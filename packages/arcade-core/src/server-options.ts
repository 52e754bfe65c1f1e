import type { Server } from 'node:http';
import type { Logger } from './logger';

/**
 * Options of `runServer` / `app.runServer`. An interface, so plugins can add their own options by
 * declaration merging (`@arcade/ws` adds `webSocket`).
 */
export interface ServerOptions {
  /** The TCP port; `0` picks a free one (read it back from `server.port`). */
  port: number;
  /**
   * The address to listen on.
   * @default '0.0.0.0'
   */
  host?: string;
  /**
   * Defines the routes; awaited before the server starts listening. Typed `() => unknown` (not
   * `void | Promise<void>`) so that `init: () => route.get('/').handle(...)` compiles.
   * @default undefined (routes defined before `runServer` are served)
   */
  init?: () => unknown;
  /**
   * A folder served for GET/HEAD requests no route matches.
   * @default undefined (no static files)
   */
  staticFilesDirectory?: string;
  /**
   * Serve files and folders of `staticFilesDirectory` whose name starts with a dot (`.env`,
   * `.git/`, `.well-known/`). Off by default: such files are answered 404 like missing ones.
   * @default false
   */
  serveDotfiles?: boolean;
  /**
   * The largest request body read, in bytes; larger ones are answered 413. Routes may override it
   * with `.bodyLimit(bytes)`.
   * @default 1048576 (1 MiB)
   */
  bodyLimit?: number;
  /**
   * Time a client has to send its request line and headers; then it gets 408 and is closed.
   * @default 10000 (see `DEFAULT_HEADERS_TIMEOUT_MS` for why)
   */
  headersTimeoutMs?: number;
  /**
   * Time a client has to send its whole request, body included; then it gets 408 and is closed.
   * At least `headersTimeoutMs`.
   * @default 30000
   */
  requestTimeoutMs?: number;
  /**
   * How long an idle keep-alive connection stays open for the client's next request.
   * @default 5000
   */
  keepAliveTimeoutMs?: number;
  /**
   * Plain HTTP connections open at once (WebSocket handshakes count until they upgrade); a new one
   * beyond it is closed at once, and a warning is logged.
   * @default 10000
   */
  maxHttpConnections?: number;
  /** @default a console logger at level `info` */
  logger?: Logger;
  /**
   * Close the server gracefully on SIGINT and SIGTERM (a second signal then ends the process at once).
   * @default false
   */
  handleSignals?: boolean;
  /**
   * Bound, in milliseconds, for draining in-flight requests and running shutdown callbacks in
   * `close()`; what is still open afterwards is destroyed (but sockets a plugin took over with
   * `takeOverSocket()`, which it closes itself).
   * @default 10000
   */
  shutdownTimeoutMs?: number;
  /**
   * Put the thrown value's name, message and stack in 500 bodies. For development only: never turn
   * it on where untrusted clients can reach the server.
   * @default false
   */
  exposeErrorDetails?: boolean;
}

/** A running server, as `runServer` resolves it. */
export interface ArcadeServer {
  /** The port actually bound (useful with `port: 0`). */
  readonly port: number;
  /** The address bound. */
  readonly host: string;
  /** A base URL to reach the server, such as `http://127.0.0.1:3000`. */
  readonly url: string;
  /** The Node HTTP server. */
  readonly httpServer: Server;
  /**
   * Stops accepting connections, lets in-flight requests finish (bounded by `shutdownTimeoutMs`),
   * closes idle keep-alive sockets and runs the `onServerClose` callbacks. Idempotent: every call
   * returns the same promise.
   */
  close(): Promise<void>;
}

/** Called with the HTTP server and the options before the server listens. */
export type ServerStartListener = (server: Server, options: ServerOptions) => void | Promise<void>;

/** Called during `close()`, concurrently with the HTTP drain. */
export type ServerCloseListener = () => void | Promise<void>;
