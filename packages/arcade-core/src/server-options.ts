import type { Server } from 'node:http';
import type { HealthOptions, ReadinessReport } from './health';
import type { Logger } from './logger';
import type { MetricsOptions } from './metrics-types';

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
  /**
   * Where the server and its plugins log: any {@link Logger}, or a pino logger as it is
   * (`logger: pino()`).
   * @default a console logger at level `info`
   */
  logger?: Logger;
  /**
   * Prometheus metrics through prom-client, an optional peer dependency loaded only when this is set:
   * `metrics: {}` serves `arcade_*` metrics on `/metrics` from a private registry. Without it, prom-client
   * is never loaded and nothing is counted.
   * @default undefined (no metrics)
   */
  metrics?: MetricsOptions;
  /**
   * Liveness and readiness endpoints for load balancers: `health: {}` serves `/livez` and `/readyz`.
   * @default undefined (no health endpoints; `server.readiness()` still answers)
   */
  health?: HealthOptions;
  /**
   * How long `server.drain()` (and SIGTERM with `handleSignals`) keeps serving HTTP while readiness
   * already answers 503, so that load balancers stop routing here before the server stops listening.
   * Set it to your load balancer's readiness period times its failure threshold; 0 on Kubernetes with
   * a `preStop` sleep. New WebSocket upgrades are refused from the start of the drain either way.
   * @default 0
   */
  drainDelayMs?: number;
  /**
   * Handle SIGTERM with `server.drain()` (what an orchestrator sends to replace an instance) and SIGINT
   * with `server.close()` (Ctrl+C).
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
   * returns the same promise. Called during a drain's delay, it ends the delay at once (the close is
   * still the drain's).
   */
  close(): Promise<void>;
  /**
   * Takes the instance out of rotation for a rolling deploy: readiness answers 503 and new WebSocket
   * upgrades are refused at once; after `delayMs` (HTTP is served meanwhile) the server closes as
   * `close()` does, with `reason: 'drain'` for the `onServerClose` callbacks (`@arcade/ws` then closes
   * its sockets with 1012, Service Restart, and cleans this instance's storage keys). Bounded by
   * `delayMs` + `shutdownTimeoutMs`. Idempotent: every call returns the same promise.
   * @throws RangeError (as a rejection) for a `delayMs` that is not a non-negative integer
   */
  drain(options?: DrainOptions): Promise<void>;
  /** True from the start of `drain()` or `close()` on: readiness answers 503. */
  readonly draining: boolean;
  /** Runs the readiness checks: what the readiness endpoint answers (200 when `ready`, else 503). */
  readiness(): Promise<ReadinessReport>;
}

/** Options of `server.drain()`. */
export interface DrainOptions {
  /**
   * Milliseconds to keep serving HTTP, readiness answering 503, before the server stops listening.
   * @default the server's `drainDelayMs` (0)
   */
  delayMs?: number;
}

/** Called with the HTTP server and the options before the server listens. */
export type ServerStartListener = (server: Server, options: ServerOptions) => void | Promise<void>;

/** Why a server closes, as its `onServerClose` callbacks are told. */
export interface ServerCloseContext {
  /**
   * `'drain'` after `server.drain()` (a rolling deploy: clients should reconnect to another instance
   * at once), `'shutdown'` after `close()` alone.
   */
  readonly reason: 'shutdown' | 'drain';
}

/** Called during `close()`, concurrently with the HTTP drain. */
export type ServerCloseListener = (context: ServerCloseContext) => void | Promise<void>;
