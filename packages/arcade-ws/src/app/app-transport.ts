import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  type App,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  ForbiddenException,
  type Logger,
  type RequestContext,
  type ServerOptions,
  ServiceUnavailableException,
  settlesWithin,
  type UpgradeRequest,
} from '@arcade/core';
import { type WebSocket, WebSocketServer } from 'ws';
import { CLOSE_GOING_AWAY, CLOSE_SERVICE_RESTART } from '../close-codes';
import { nonNegativeNumber } from '../internal/checks';
import type { Registry } from '../registry/registry';
import { BatchedWebSocket } from '../transport/batched-websocket';
import { type HandshakeResponse, handshakeResponseOf } from '../transport/handshake';
import { HeartbeatGroup } from '../transport/heartbeat';
import {
  type HeartbeatOptions,
  isOriginAllowed,
  type ResolvedConnectionOptions,
  resolveConnectionOptions,
  type WebSocketOptions,
} from '../transport/options';
import type { WebSocketMetrics } from '../transport/web-socket-metrics';
import {
  type ConnectionHost,
  type OpenConnection,
  type RouteCallbacks,
  RunningConnection,
  type SharedRoute,
} from './connection-lifecycle';

/**
 * The upgraded sockets of one App: its `ws` servers (noServer mode, one per distinct maxPayload), its
 * running connections, their shared heartbeats, and the bounded close of them all. Created with the
 * app's WebSocketManager, which calls `start` and `close` from the server's lifecycle hooks.
 */
export class AppTransport implements ConnectionHost {
  private readonly app: App;
  private options: WebSocketOptions = {};
  private shutdownTimeoutMs = DEFAULT_SHUTDOWN_TIMEOUT_MS;
  private closing = false;
  private openSockets = 0;
  /** This server run's metrics; undefined without `runServer({ metrics })` (set by the WebSocketManager). */
  metrics: WebSocketMetrics | undefined;
  private readonly running = new Set<OpenConnection>();
  /** Resolves close()'s wait once `running` is empty. */
  private onAllFinished: (() => void) | undefined;
  private readonly servers = new Map<number, WebSocketServer>();
  /** Per WebSocket route, what its connections share; dropped at close with the heartbeats. */
  // Keyed by the route's callbacks; each value is the SharedRoute of that route's context type.
  private readonly sharedRoutes = new Map<object, unknown>();
  /** One shared heartbeat per distinct `{ intervalMs, timeoutMs }`. */
  private readonly heartbeats = new Map<string, HeartbeatGroup>();
  /**
   * What the before hooks of the upgrade being handled asked for, read back by ws's handleProtocols
   * and 'headers' callbacks. Set only while `handleUpgrade` runs: it calls both synchronously (no
   * `verifyClient`), so they can only be asking about that upgrade.
   */
  private handshake: HandshakeResponse | undefined;

  constructor(
    app: App,
    /** Where connections are registered: the app's registry. */
    readonly manager: Registry,
  ) {
    this.app = app;
  }

  /** The app's logger, read on every use: it changes once the server starts. */
  get logger(): Logger {
    return this.app.logger;
  }

  /** The server-wide options given to `runServer({ webSocket })` (empty before the server starts). */
  get serverOptions(): WebSocketOptions {
    return this.options;
  }

  /**
   * Accepts or refuses one upgrade whose before hooks have run. Refusals throw HTTP exceptions,
   * which core answers on the raw socket; once ws has the socket nothing throws.
   */
  upgrade<C extends RequestContext>(
    ctx: C,
    { request, socket, head, takeOverSocket }: UpgradeRequest,
    route: RouteCallbacks<C>,
    options: ResolvedConnectionOptions,
  ): void {
    if (this.closing) throw new ServiceUnavailableException({ message: 'Server is shutting down' });
    if (!isOriginAllowed(options.allowedOrigins, request.headers.origin)) {
      throw new ForbiddenException({ message: 'Origin not allowed' });
    }
    const maxConnections = this.options.maxConnections;
    if (maxConnections !== undefined && this.openSockets >= maxConnections) {
      throw new ServiceUnavailableException({ message: 'Too many WebSocket connections' });
    }
    const server = this.serverFor(options.maxPayload);
    this.handshake = handshakeResponseOf(ctx, this.reportInvalidHeader);
    // handleUpgrade completes synchronously (no verifyClient), so the connection count checked above
    // cannot be overtaken by a concurrent upgrade, and `handshake` is this upgrade's throughout.
    try {
      server.handleUpgrade(request, socket, head, (ws) => {
        // ws now handles the socket's errors, and close() ends every running connection.
        takeOverSocket();
        this.accept(ctx, ws, socket, request, route, options);
      });
    } finally {
      this.handshake = undefined;
    }
  }

  private readonly reportInvalidHeader = (name: string, error: unknown): void => {
    this.app.logger.warn('Invalid response header left out of the WebSocket handshake', {
      header: name,
      error: error instanceof Error ? error.message : String(error),
    });
  };

  // Apart from upgrade(): the closure ws keeps until its socket closes must not hold the request.
  private accept<C extends RequestContext>(
    ctx: C,
    ws: WebSocket,
    socket: Duplex,
    request: IncomingMessage,
    route: RouteCallbacks<C>,
    options: ResolvedConnectionOptions,
  ): void {
    this.openSockets += 1;
    const metrics = this.metrics;
    if (metrics !== undefined) metrics.connects += 1;
    const running = new RunningConnection({ ctx, ws, socket, route: this.sharedRoute(ctx, route, options) });
    this.running.add(running);
    running.start({ userAgent: request.headers['user-agent'], remoteAddress: request.socket.remoteAddress });
  }

  /** What the connections of `callbacks`' route share: built again when its resolved options change. */
  private sharedRoute<C extends RequestContext>(
    ctx: C,
    callbacks: RouteCallbacks<C>,
    options: ResolvedConnectionOptions,
  ): SharedRoute<C> {
    const existing = this.sharedRoutes.get(callbacks) as SharedRoute<C> | undefined;
    if (existing?.options === options) return existing;
    const shared: SharedRoute<C> = {
      callbacks,
      options,
      host: this,
      heartbeat: options.heartbeat ? this.heartbeatGroup(options.heartbeat) : undefined,
      path: ctx.route.path,
    };
    this.sharedRoutes.set(callbacks, shared);
    return shared;
  }

  private heartbeatGroup({ intervalMs, timeoutMs }: HeartbeatOptions): HeartbeatGroup {
    const key = `${intervalMs}:${timeoutMs}`;
    let group = this.heartbeats.get(key);
    if (!group) {
      const created: HeartbeatGroup = new HeartbeatGroup({ intervalMs, timeoutMs }, () =>
        this.membersOf(created),
      );
      group = created;
      this.heartbeats.set(key, group);
    }
    return group;
  }

  // Walks the connections rather than keeping a second per-connection Set in each group.
  private *membersOf(group: HeartbeatGroup): Iterable<OpenConnection> {
    for (const running of this.running) if (running.heartbeat === group) yield running;
  }

  /** A socket has closed: it no longer counts against maxConnections. */
  socketClosed(): void {
    this.openSockets -= 1;
  }

  /** Sockets open now (the connections gauge). */
  get openSocketCount(): number {
    return this.openSockets;
  }

  /** The after hooks of `connection` have run. */
  finished(connection: OpenConnection): void {
    this.running.delete(connection);
    if (this.running.size === 0) this.onAllFinished?.();
  }

  private serverFor(maxPayload: number): WebSocketServer {
    let server = this.servers.get(maxPayload);
    if (!server) {
      server = new WebSocketServer({
        noServer: true,
        clientTracking: false,
        // Sends and closes through `ws` write out the connection's batched frames first.
        WebSocket: BatchedWebSocket,
        // Off for good: prepared frames are written raw to the socket, which compression would break.
        perMessageDeflate: false,
        maxPayload,
        handleProtocols: (offered) => {
          const chosen = this.handshake?.protocol;
          return chosen !== undefined && offered.has(chosen) ? chosen : false;
        },
      });
      server.on('headers', (lines) => {
        const extra = this.handshake?.headerLines;
        if (extra) lines.push(...extra);
      });
      this.servers.set(maxPayload, server);
    }
    return server;
  }

  /**
   * At server start: takes the server-wide options, failing `runServer` on an invalid one rather than
   * the first upgrade, and hands them back for the registry's part.
   */
  start(serverOptions: ServerOptions): WebSocketOptions {
    this.closing = false;
    this.options = serverOptions.webSocket ?? {};
    this.shutdownTimeoutMs = serverOptions.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
    if (this.options.maxConnections !== undefined) {
      nonNegativeNumber('WebSocket option maxConnections', this.options.maxConnections);
    }
    resolveConnectionOptions(this.options, undefined);
    return this.options;
  }

  /**
   * Graceful close: 1001 (Going Away) to every socket, or 1012 (Service Restart) for a drain, then waits
   * for their close handshakes and after hooks. Each of the two waits (before and after terminating the
   * stragglers) is bounded by a third of `shutdownTimeoutMs`, which leaves the last third to the
   * registry's shutdown (storage cleanup).
   */
  async close(reason: 'shutdown' | 'drain' = 'shutdown'): Promise<void> {
    this.closing = true;
    const waitMs = Math.max(1, Math.floor(this.shutdownTimeoutMs / 3));
    const connections = [...this.running];
    for (const connection of connections) {
      if (reason === 'drain') connection.close(CLOSE_SERVICE_RESTART, 'Server restarting');
      else connection.close(CLOSE_GOING_AWAY, 'Server shutting down');
    }
    // No upgrade is accepted while closing, so `running` only shrinks from here.
    const allFinished = new Promise<void>((resolve) => {
      this.onAllFinished = resolve;
      if (this.running.size === 0) resolve();
    });
    if (!(await settlesWithin(allFinished, waitMs))) {
      for (const { ws } of connections) ws.terminate();
      await settlesWithin(allFinished, waitMs);
    }
    this.onAllFinished = undefined;
    for (const group of this.heartbeats.values()) group.stop();
    this.heartbeats.clear();
    this.sharedRoutes.clear();
    for (const server of this.servers.values()) server.close();
    this.servers.clear();
  }
}
