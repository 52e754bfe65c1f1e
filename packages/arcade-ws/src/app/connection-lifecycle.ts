// One piece: one connection's life (register, onConnect, handler, removal, after hooks) as one class
// whose fields are its state (why a class and not closures: its doc below); the socket wrappers
// (../transport), the limits and the ids (connection-id.ts) live apart.
import type { Duplex } from 'node:stream';
import { describeError, isThenable, type Logger, type RequestContext } from '@arcade/core';
import type { RawData, WebSocket } from 'ws';
import { CLOSE_INTERNAL_ERROR, CLOSE_POLICY_VIOLATION } from '../close-codes';
import type { Registry } from '../registry/registry';
import type { ConnectionOrigin } from '../registry/registry-arguments';
import {
  ConnectionSocket,
  type UserCallback,
  type UserErrorReporter,
  type WebSocketData,
} from '../transport/arcade-websocket';
import { RUNNING } from '../transport/batched-websocket';
import type { HeartbeatGroup, HeartbeatMember } from '../transport/heartbeat';
import { SocketConnection } from '../transport/local-connection';
import type { RateLimitOptions, ResolvedConnectionOptions } from '../transport/options';
import { TokenBucket } from '../transport/rate-limiter';
import { rawDataBytes, type WebSocketMetrics } from '../transport/web-socket-metrics';
import { newConnectionId } from './connection-id';
import type { WebSocketAfterHook, WebSocketConnectHandler, WebSocketHandler } from './route-types';

/** The user's side of a WebSocket route. */
export interface RouteCallbacks<C extends RequestContext> {
  readonly handler: WebSocketHandler<C>;
  readonly onConnect: WebSocketConnectHandler<C> | undefined;
  readonly afterHooks: readonly WebSocketAfterHook<C>[];
}

/** What the transport sees of a running connection. */
export interface OpenConnection extends HeartbeatMember {
  readonly heartbeat: HeartbeatGroup | undefined;
  close(code?: number, reason?: string): void;
}

/** What a connection needs from the transport that runs it (one object shared by all its connections). */
export interface ConnectionHost {
  readonly manager: Registry;
  /** Read on every use: the app's logger changes once the server starts. */
  readonly logger: Logger;
  /** The server run's metrics; undefined when off (then every count is one `undefined` check). */
  readonly metrics: WebSocketMetrics | undefined;
  /** A socket has closed (before the after hooks). */
  socketClosed(): void;
  /** The after hooks have run and the connection is forgotten. */
  finished(connection: OpenConnection): void;
}

/**
 * What every connection of one route shares, as one object per route (and server run): a field per
 * connection for each of these would cost a pointer-sized slot on every idle connection.
 */
export interface SharedRoute<C extends RequestContext> {
  readonly callbacks: RouteCallbacks<C>;
  readonly options: ResolvedConnectionOptions;
  readonly host: ConnectionHost;
  /** The shared heartbeat the route's sockets join; none when the heartbeat is off. */
  readonly heartbeat: HeartbeatGroup | undefined;
  /** The route's pattern, for logs. */
  readonly path: string;
}

/** One upgraded socket to run (not retained as such). */
export interface ConnectionParams<C extends RequestContext> {
  readonly ctx: C;
  readonly ws: WebSocket;
  /** The upgraded socket, which frames are written to. */
  readonly socket: Duplex;
  readonly route: SharedRoute<C>;
}

/**
 * Runs one upgraded connection (docs/design.md, "WebSocket routes"): a nanoid id -> `manager.addConnection` -> `onConnect`
 * (awaited) -> handler; on close -> `manager.removeConnection`; once both the removal and the handler
 * have settled -> after hooks (in order) -> `manager.forgetConnection` -> `host.finished`.
 *
 * Error policy: nothing thrown by user code escapes (the process never crashes because of it).
 * - `addConnection`, `onConnect` or the handler throws/rejects: logged as an error, the connection is
 *   closed with 1011 (the handler is skipped after a failed `onConnect`); the after hooks still run.
 * - a listener, `onDone` or `onError` throws/rejects: logged as an error; the connection stays open.
 * - an after hook or `removeConnection` throws: logged; the remaining steps still run.
 *
 * Memory: an idle connection is this one object plus its two socket wrappers, so it is written as a
 * class with state fields rather than closures, promises and suspended async functions (each of
 * which costs a context, a promise and its reactions per connection). The request context (and the
 * `IncomingMessage` it holds) is released once the handler has settled when the route has no after
 * hook to hand it to.
 */
export class RunningConnection<C extends RequestContext>
  extends SocketConnection
  implements OpenConnection, SocketEvents, UserErrorReporter
{
  private readonly websocket: ConnectionSocket;
  private readonly route: SharedRoute<C>;
  /** Until the handler has settled, and then only while after hooks will need it. */
  private ctx: C | undefined;
  private result: unknown;
  /** Created with the first message: until then it would be full anyway. */
  private limiter: TokenBucket | undefined;
  /** Settles once the storage registration has (undefined afterwards). */
  private registration: Promise<void> | undefined;
  /** DROP_LOGGED | HANDLER_SETTLED | REMOVED: one slot rather than one per boolean. */
  private flags = 0;

  constructor(params: ConnectionParams<C>) {
    const { ctx, ws, socket, route } = params;
    super(newConnectionId(), ws, socket);
    this.ctx = ctx;
    this.route = route;
    this.websocket = new ConnectionSocket(this);

    (ws as TaggedWebSocket)[RUNNING] = this;
    ws.on('message', onSocketMessage);
    // ws closes the socket itself after an 'error' (1009 for maxPayload, 1002/1007 for bad frames);
    // a listener must exist or the EventEmitter would throw.
    ws.on('error', onSocketError);
    // 'close' is emitted once: `on` spares the wrapper objects `once` allocates.
    ws.on('close', onSocketClose);

    route.heartbeat?.add();
  }

  /**
   * Registers the connection (`origin` is its initial metadata), then runs `onConnect` and the
   * handler. Called once the transport counts the connection as running: with a registration that
   * completes at once, user code runs within this call.
   */
  start(origin: ConnectionOrigin): void {
    // Typed as the union so that a registry answering synchronously (undefined) is taken as is.
    const registration: Promise<void> | undefined = this.route.host.manager.addConnection(this, origin);
    if (registration === undefined) {
      this.registered();
      return;
    }
    this.registration = registration;
    registration.then(
      () => this.registered(),
      (error: unknown) => this.setupFailed(error),
    );
  }

  get maxBufferedBytes(): number {
    return this.route.options.maxBufferedBytes;
  }

  get transportMetrics(): WebSocketMetrics | undefined {
    return this.route.host.metrics;
  }

  /** The shared heartbeat the socket is in, if any. */
  get heartbeat(): HeartbeatGroup | undefined {
    return this.route.heartbeat;
  }

  /** A message from the socket. */
  onMessage(data: RawData, isBinary: boolean): void {
    const metrics = this.route.host.metrics;
    if (metrics !== undefined) {
      metrics.messagesReceived += 1;
      metrics.bytesReceived += rawDataBytes(data);
    }
    const { rateLimit } = this.route.options;
    if (rateLimit && !this.rateLimiter(rateLimit).take()) {
      if (metrics !== undefined) metrics.rateLimited += 1;
      if (rateLimit.onExceed === 'close') {
        this.close(CLOSE_POLICY_VIOLATION, 'Rate limit exceeded');
        return;
      }
      if (!(this.flags & DROP_LOGGED)) {
        this.flags |= DROP_LOGGED;
        this.route.host.logger.warn('WebSocket rate limit exceeded: dropping messages', {
          connectionId: this.id,
          path: this.route.path,
        });
      }
      this.websocket.refuse(toWebSocketData(data, isBinary));
      return;
    }
    this.websocket.receive(toWebSocketData(data, isBinary));
  }

  private rateLimiter(options: RateLimitOptions): TokenBucket {
    this.limiter ??= new TokenBucket(options);
    return this.limiter;
  }

  /** A protocol error reported by ws. */
  onProtocolError(error: Error): void {
    this.route.host.logger.debug('WebSocket protocol error', {
      connectionId: this.id,
      ...describeError(error),
    });
    this.websocket.fail(error);
  }

  /** The socket has closed, with `code` (as ws reports it: 1005 without a code, 1006 without a close frame). */
  onClose(code: number): void {
    const metrics = this.route.host.metrics;
    if (metrics !== undefined) metrics.disconnected(code);
    this.limiter = undefined;
    this.route.heartbeat?.remove(this);
    this.route.host.socketClosed();
    this.websocket.end();
    // Behind the registration, which the removal undoes.
    if (this.registration) {
      const remove = (): void => this.remove();
      this.registration.then(remove, remove);
    } else {
      this.remove();
    }
  }

  // The two steps below call user code directly, not through a helper taking each call as a closure
  // (one more closure per step and connection): what is left per step is the reactions on the
  // promise the user's code returns, if it returns one.
  private registered(): void {
    this.registration = undefined;
    const { onConnect } = this.route.callbacks;
    if (!onConnect) {
      this.callHandler();
      return;
    }
    let connected: unknown;
    try {
      connected = onConnect(this.context(), this.websocket, this.id);
    } catch (error) {
      this.failed(error);
      return;
    }
    if (!isThenable(connected)) {
      this.callHandler();
      return;
    }
    connected.then(
      () => this.callHandler(),
      (error: unknown) => this.failed(error),
    );
  }

  private setupFailed(error: unknown): void {
    this.registration = undefined;
    this.failed(error);
  }

  // Called even if the peer left meanwhile: its buffered messages (and onDone) still reach listen().
  private callHandler(): void {
    let result: unknown;
    try {
      result = this.route.callbacks.handler(this.context(), this.websocket, this.id);
    } catch (error) {
      this.failed(error);
      return;
    }
    if (!isThenable(result)) {
      this.handlerDone(result);
      return;
    }
    result.then(
      (settled) => this.handlerDone(settled),
      (error: unknown) => this.failed(error),
    );
  }

  private failed(error: unknown): void {
    this.log('WebSocket connection setup or handler failed; closing with 1011', error);
    this.close(CLOSE_INTERNAL_ERROR, 'Internal error');
    this.handlerDone(undefined);
  }

  private handlerDone(result: unknown): void {
    this.flags |= HANDLER_SETTLED;
    if (this.route.callbacks.afterHooks.length > 0) this.result = result;
    else this.ctx = undefined;
    if (this.flags & REMOVED) void this.finish();
  }

  // Not behind the handler: a handler that runs on (or never settles) must not keep a closed
  // connection in storage, listed and in its rooms.
  private remove(): void {
    this.route.host.manager.removeConnection(this.id).then(
      () => this.removedFromStorage(),
      (error: unknown) => {
        this.log('Removing a closed WebSocket connection from storage failed', error);
        this.removedFromStorage();
      },
    );
  }

  private removedFromStorage(): void {
    this.flags |= REMOVED;
    if (this.flags & HANDLER_SETTLED) void this.finish();
  }

  private async finish(): Promise<void> {
    try {
      const ctx = this.ctx;
      this.ctx = undefined;
      if (ctx) {
        let current: readonly [C, unknown, string] = [ctx, this.result, this.id];
        this.result = undefined;
        for (const hook of this.route.callbacks.afterHooks) {
          try {
            const next = await hook(...current);
            if (next) current = [next[0], next[1], next[2] ?? this.id];
          } catch (error) {
            this.log('WebSocket after hook threw', error);
          }
        }
      }
      this.route.host.manager.forgetConnection(this.id);
    } catch (error) {
      this.log('WebSocket connection teardown failed', error);
    }
    this.route.host.finished(this);
  }

  /** The request context, which is held until the handler has settled. */
  private context(): C {
    if (!this.ctx) throw new Error('The request context of a WebSocket connection was released too early');
    return this.ctx;
  }

  /** A listener, `onDone` or `onError` threw: logged, the connection stays open. */
  reportUserError(error: unknown, source: UserCallback): void {
    this.log(`WebSocket ${source} threw`, error);
  }

  private log(message: string, error: unknown): void {
    this.route.host.logger.error(message, {
      connectionId: this.id,
      path: this.route.path,
      ...describeError(error),
    });
  }
}

const DROP_LOGGED = 1;
const HANDLER_SETTLED = 2;
const REMOVED = 4;

// The socket's listeners are these three functions, shared by every connection (the emitter is their
// `this`), rather than three closures per connection; the socket points back to its connection.
type TaggedWebSocket = WebSocket & { [RUNNING]: SocketEvents };

/** What a connection does with its socket's events. */
interface SocketEvents {
  onMessage(data: RawData, isBinary: boolean): void;
  onProtocolError(error: Error): void;
  onClose(code: number): void;
}

function onSocketMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  (this as TaggedWebSocket)[RUNNING].onMessage(data, isBinary);
}

function onSocketError(this: WebSocket, error: Error): void {
  (this as TaggedWebSocket)[RUNNING].onProtocolError(error);
}

function onSocketClose(this: WebSocket, code: number): void {
  (this as TaggedWebSocket)[RUNNING].onClose(code);
}

function toWebSocketData(data: RawData, isBinary: boolean): WebSocketData {
  // ws hands out Buffers unless a user changed `raw.binaryType`.
  const bytes = Array.isArray(data)
    ? Buffer.concat(data)
    : data instanceof ArrayBuffer
      ? Buffer.from(data)
      : data;
  return isBinary ? bytes : bytes.toString('utf8');
}
