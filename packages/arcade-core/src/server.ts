// One piece: a running server's life (listen, signals, drain, bounded close) as one class whose
// fields are the states those steps share; the options (server-options.ts), the HTTP limits
// (http-limits.ts), health and metrics endpoints (operations-endpoints.ts) live apart.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { DEFAULT_BODY_LIMIT } from './body';
import { closingAwareResponse, isWriting, type ShutdownState } from './closing-response';
import {
  type DispatchConfig,
  dispatchRequest,
  dispatchUpgrade,
  refuseUpgrade,
  type UpgradeTracking,
} from './dispatch';
import { ServiceUnavailableException } from './exceptions';
import {
  DEFAULT_READINESS_CHECK_TIMEOUT_MS,
  type ReadinessChecks,
  type ReadinessReport,
  type ResolvedHealthOptions,
  resolveHealthOptions,
} from './health';
import { httpLimitsOf } from './http-limits';
import { HttpMetrics } from './http-metrics';
import { describeError, type Logger } from './logger';
import type { ServerMetrics } from './metrics';
import { OperationsEndpoints } from './operations-endpoints';
import { errorResponseFor, sendError } from './respond';
import type { RouteTable } from './route-table';
import type {
  ArcadeServer,
  DrainOptions,
  ServerCloseContext,
  ServerCloseListener,
  ServerOptions,
  ServerStartListener,
} from './server-options';
import { settlesWithin } from './settles-within';
import { StaticFiles } from './static-files';

/** What an App hands to {@link startServer}. */
export interface StartServerInput {
  options: ServerOptions;
  table: RouteTable;
  logger: Logger;
  startListeners: readonly ServerStartListener[];
  closeListeners: readonly ServerCloseListener[];
  readinessChecks: ReadinessChecks;
  /** The run's metrics when `options.metrics` is set (the app made them, so that plugins see them). */
  metrics: ServerMetrics | undefined;
  onClosed: () => void;
}

/** How long `server.close()` waits by default before destroying what is still open (`shutdownTimeoutMs`). */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
/** How long close() waits, after destroying what it tracks, for sockets a plugin took over. */
const TAKEN_OVER_SOCKETS_GRACE_MS = 1_000;
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

function validate(options: ServerOptions): void {
  httpLimitsOf(options);
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65_535) {
    throw new RangeError(`port must be an integer from 0 to 65535, got ${options.port}`);
  }
  if (
    options.bodyLimit !== undefined &&
    (!Number.isSafeInteger(options.bodyLimit) || options.bodyLimit < 0)
  ) {
    throw new RangeError(
      `bodyLimit must be a non-negative integer number of bytes, got ${options.bodyLimit}`,
    );
  }
  const timeout = options.shutdownTimeoutMs;
  if (timeout !== undefined && (!Number.isFinite(timeout) || timeout < 0)) {
    throw new RangeError(`shutdownTimeoutMs must be a non-negative number, got ${timeout}`);
  }
  drainDelayOf(options.drainDelayMs, 'drainDelayMs');
}

/** A drain delay, checked: a non-negative integer number of milliseconds (0 when not given). */
function drainDelayOf(value: number | undefined, name: string): number {
  if (value === undefined) return 0;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(
      `${name} must be a non-negative integer number of milliseconds, got ${String(value)}`,
    );
  }
  return value;
}

function urlOf(host: string, port: number): string {
  if (host === '0.0.0.0') return `http://127.0.0.1:${port}`;
  if (host === '::') return `http://[::1]:${port}`;
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

/**
 * Runs `init`, creates the HTTP server, awaits the start listeners and listens.
 * If a start listener or listening fails, the close listeners run so plugins release what they
 * started.
 */
export async function startServer(input: StartServerInput): Promise<ArcadeServer> {
  const { options, logger, metrics } = input;
  validate(options);
  const health = options.health === undefined ? undefined : resolveHealthOptions(options.health);
  const metricsPath = metrics?.options.path;
  if (health !== undefined && (metricsPath === health.livenessPath || metricsPath === health.readinessPath)) {
    throw new RangeError(`metrics.path ${metricsPath} is also a health path: give each its own`);
  }
  await options.init?.();
  const config: DispatchConfig = {
    table: input.table,
    logger,
    exposeErrorDetails: options.exposeErrorDetails ?? false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    staticFiles:
      options.staticFilesDirectory === undefined
        ? undefined
        : new StaticFiles(options.staticFilesDirectory, logger, options.serveDotfiles === true),
    httpMetrics:
      metrics === undefined ? undefined : new HttpMetrics(metrics, metrics.options.httpDurationBuckets),
  };
  const server = new RunningServer(config, options, input, health);
  try {
    for (const listener of input.startListeners) await listener(server.httpServer, options);
    await server.listen();
  } catch (error) {
    await server.close();
    throw error;
  }
  return server;
}

/**
 * A `'close'` listener that receives its emitter (a socket) as `this`: one function serves them all,
 * so none costs a closure of its own (10 000 idle connections would hold 10 000 of them).
 */
function sharedCloseListener<T>(onClose: (emitter: T) => void): (this: T) => void {
  return function onSocketClose(this: T): void {
    onClose(this);
  };
}

class RunningServer implements ArcadeServer {
  readonly host: string;
  readonly httpServer: Server;
  readonly #shutdownState: ShutdownState = {
    closing: false,
    // A response that had promised keep-alive before close() is done: end its connection, unless Node
    // has handed it to the next (pipelined) response meanwhile. `end`, not `destroy`: what is still
    // buffered for a slow reader goes out first.
    onResponseDone: (socket) =>
      process.nextTick(() => {
        if (!isWriting(socket)) socket.end();
      }),
  };
  #port = 0;
  #closing: Promise<void> | undefined;
  /** Set by drain(): readiness answers 503 and upgrades are refused from then on. */
  #draining: Promise<void> | undefined;
  /** Ends a drain's delay early: close() called meanwhile. */
  #endDrainDelay: (() => void) | undefined;
  readonly #operations: OperationsEndpoints | undefined;
  readonly #readinessTimeoutMs: number;
  /** Plain HTTP connections, for the drain. Upgraded sockets move to #upgraded. */
  readonly #connections = new Set<Socket>();
  readonly #upgraded = new Set<Duplex>();
  readonly #maxHttpConnections: number;
  /** Set while connections are refused, so the warning is logged once per episode. */
  #overCapacity = false;
  #onDrained: (() => void) | undefined;
  readonly #onHttpSocketClose = sharedCloseListener<Socket>((socket) => {
    this.#connections.delete(socket);
    if (this.#connections.size === 0) this.#onDrained?.();
  });
  readonly #onUpgradedSocketClose = sharedCloseListener<Duplex>((socket) => this.#upgraded.delete(socket));
  /** Upgraded sockets core still owns (until `takeOverSocket()`), destroyed at the end of close(). */
  readonly #upgradeTracking: UpgradeTracking = {
    track: (socket) => {
      this.#upgraded.add(socket);
      socket.on('close', this.#onUpgradedSocketClose);
    },
    untrack: (socket) => {
      if (this.#upgraded.delete(socket)) socket.off('close', this.#onUpgradedSocketClose);
    },
  };
  readonly #signalHandler = (signal: NodeJS.Signals): void => {
    if (signal === 'SIGTERM') {
      this.config.logger.info('SIGTERM received: draining the server', { signal });
      this.drain().catch(() => undefined);
    } else {
      this.config.logger.info('Signal received: closing the server', { signal });
      void this.close();
    }
  };

  constructor(
    private readonly config: DispatchConfig,
    private readonly options: ServerOptions,
    private readonly input: StartServerInput,
    health: ResolvedHealthOptions | undefined,
  ) {
    this.host = options.host ?? '0.0.0.0';
    this.#readinessTimeoutMs = health?.checkTimeoutMs ?? DEFAULT_READINESS_CHECK_TIMEOUT_MS;
    const { metrics } = input;
    const metricsPath = metrics?.options.path;
    this.#operations =
      health === undefined && (metricsPath === undefined || metricsPath === false)
        ? undefined
        : new OperationsEndpoints({
            health,
            metrics:
              metrics === undefined || metricsPath === undefined || metricsPath === false
                ? undefined
                : { path: metricsPath, registry: metrics.registry, authorize: metrics.options.authorize },
            httpMetrics: config.httpMetrics,
            policy: config,
            readiness: () => this.readiness(),
          });
    const limits = httpLimitsOf(options);
    this.#maxHttpConnections = limits.maxHttpConnections;
    const httpServer = createServer({
      ...limits.node,
      ServerResponse: closingAwareResponse(this.#shutdownState),
    });
    this.httpServer = httpServer;
    httpServer.on('connection', (socket: Socket) => this.#track(socket));
    httpServer.on('request', (request: IncomingMessage, response: ServerResponse) =>
      this.#onRequest(request, response),
    );
    httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.#onUpgrade(request, socket, head),
    );
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return urlOf(this.host, this.#port);
  }

  listen(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.httpServer.once('error', onError);
      this.httpServer.listen(this.options.port, this.host, () => {
        this.httpServer.off('error', onError);
        this.#port = (this.httpServer.address() as AddressInfo).port;
        if (this.options.handleSignals === true) {
          for (const signal of SIGNALS) process.on(signal, this.#signalHandler);
        }
        this.config.logger.info('Server listening', { url: this.url });
        resolve();
      });
    });
  }

  close(): Promise<void> {
    this.#endDrainDelay?.();
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  get draining(): boolean {
    return this.#draining !== undefined || this.#closing !== undefined;
  }

  drain(options: DrainOptions = {}): Promise<void> {
    if (this.#draining === undefined) {
      let delayMs: number;
      try {
        delayMs = drainDelayOf(options.delayMs ?? this.options.drainDelayMs, 'drain({ delayMs })');
      } catch (error) {
        return Promise.reject(error);
      }
      this.config.logger.info('Draining: readiness answers 503 and new WebSocket upgrades are refused', {
        url: this.url,
        delayMs,
      });
      this.#draining = this.#waitDrainDelay(delayMs).then(() => this.close());
    }
    return this.#draining;
  }

  readiness(): Promise<ReadinessReport> {
    return this.input.readinessChecks.report(this.draining, this.#readinessTimeoutMs, this.config.logger);
  }

  /** Resolves after `delayMs`, or as soon as close() is called. */
  #waitDrainDelay(delayMs: number): Promise<void> {
    if (delayMs === 0 || this.#closing !== undefined) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.#endDrainDelay?.(), delayMs);
      this.#endDrainDelay = () => {
        this.#endDrainDelay = undefined;
        clearTimeout(timer);
        resolve();
      };
    });
  }

  #track(socket: Socket): void {
    if (this.#connections.size >= this.#maxHttpConnections) {
      // Refused before any byte is read: the cheapest answer to a flood of connections.
      socket.destroy();
      if (!this.#overCapacity) {
        this.#overCapacity = true;
        this.config.logger.warn('Refusing HTTP connections: maxHttpConnections reached', {
          maxHttpConnections: this.#maxHttpConnections,
        });
      }
      return;
    }
    this.#overCapacity = false;
    this.#connections.add(socket);
    // `on`, not `once`: `once` wraps the listener in a closure per socket; 'close' fires once anyway.
    socket.on('close', this.#onHttpSocketClose);
  }

  #onRequest(request: IncomingMessage, response: ServerResponse): void {
    if (this.#operations?.serve(request, response)) return;
    if (this.#closing !== undefined) {
      this.config.httpMetrics?.begin(response, (request.method ?? 'GET').toUpperCase());
      // A keep-alive client sent a new request after close() began: refuse it (the closing-aware
      // response makes Node hang up after it).
      const failure = errorResponseFor(
        new ServiceUnavailableException({ message: 'Server is shutting down' }),
        this.config,
        {},
      );
      sendError(response, failure, undefined, this.config.logger);
      return;
    }
    dispatchRequest(this.config, request, response);
  }

  #onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    // The socket leaves HTTP bookkeeping: its new owner (a plugin) closes it in its onServerClose.
    this.#connections.delete(socket as Socket);
    socket.off('close', this.#onHttpSocketClose);
    if (this.#connections.size === 0 && this.#closing !== undefined) this.#onDrained?.();
    if (this.draining) {
      // Refused from the start of a drain: the client reconnects to an instance that stays.
      const refusal = new ServiceUnavailableException({
        message: this.#closing === undefined ? 'Server is draining' : 'Server is shutting down',
      });
      refuseUpgrade(this.config, socket, refusal, this.#upgradeTracking);
      return;
    }
    dispatchUpgrade(this.config, request, socket, head, this.#upgradeTracking);
  }

  async #shutdown(): Promise<void> {
    this.#shutdownState.closing = true;
    for (const signal of SIGNALS) process.off(signal, this.#signalHandler);
    const listening = this.httpServer.listening;
    const stopped = new Promise<void>((resolve) => {
      if (!listening) resolve();
      else this.httpServer.close(() => resolve());
    });
    // Connections with no response under way (idle, a request not complete, nothing sent yet) close
    // now. A response whose head is written from now on carries `Connection: close`, and Node closes
    // its connection after it; one whose head went out before is ended by onResponseDone.
    for (const socket of this.#connections) if (!isWriting(socket)) socket.destroy();
    const drained = new Promise<void>((resolve) => {
      if (this.#connections.size === 0) resolve();
      else this.#onDrained = resolve;
    });
    const context: ServerCloseContext = { reason: this.#draining === undefined ? 'shutdown' : 'drain' };
    const callbacks = Promise.all(
      this.input.closeListeners.map(async (listener) => {
        try {
          await listener(context);
        } catch (error) {
          this.config.logger.error('An onServerClose callback failed', describeError(error));
        }
      }),
    );
    const timeoutMs = this.options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
    if (!(await settlesWithin(Promise.all([drained, callbacks]), timeoutMs))) {
      this.config.logger.warn('Shutdown timed out; destroying what is still open', {
        timeoutMs,
        openConnections: this.#connections.size,
        upgradedSockets: this.#upgraded.size,
      });
    }
    for (const socket of this.#connections) socket.destroy();
    for (const socket of this.#upgraded) socket.destroy();
    // Only sockets a plugin took over can still hold the server open: core cannot reach them.
    if (!(await settlesWithin(stopped, TAKEN_OVER_SOCKETS_GRACE_MS))) {
      this.config.logger.error(
        'Server closed with upgraded sockets still open: a plugin took them over (takeOverSocket) and did not close them in onServerClose',
        { url: this.url },
      );
    }
    if (listening) this.config.logger.info('Server closed', { url: this.url });
    this.input.onClosed();
  }
}
