// The connection's life: attempts, backoff, close codes, the watchdog, network events and the status
// the app sees (README, "Reconnection"). It owns one socket at a time and knows nothing of rooms,
// requests or the queue: it tells the client when a socket is ready to use and when it is gone.
//
// Every handler of a socket first checks that the socket is still the current one: a replaced socket's
// late events (its close, a last message) are ignored instead of being mistaken for the new one's.
// Connection attempts are numbered the same way (`attempt`): an attempt cancelled by close(), by
// `offline` or by its timeout finds a newer number when its provider settles and stops there, so no
// lock can be left held by an attempt that never finished.
import { backoffDelay, restartDelay } from './backoff.js';
import {
  type ArcadeClientError,
  ClientClosedError,
  ConnectFailedError,
  describeError,
  SubprotocolRefusedError,
  TerminalCloseError,
} from './errors.js';
import { connectionUrl, type ResolvedOptions } from './options.js';
import { closeAction, EVENTS_SUBPROTOCOL } from './protocol.js';
import { type CloseEventLike, dropSocket, type MessageEventLike, type WebSocketLike } from './socket.js';
import type { ClientStatus, StatusEvent } from './types.js';
import { Watchdog } from './watchdog.js';

/** What the connection tells the client. */
export interface ConnectionEvents {
  /** A socket opened and accepted the events protocol: the client rejoins its rooms on it. */
  readonly opened: (socket: WebSocketLike) => void;
  /** A frame arrived on the open socket. */
  readonly message: (data: unknown) => void;
  /** The socket is gone (closed, dropped, or replaced); nothing written on it will be answered. */
  readonly detached: (socket: WebSocketLike) => void;
  readonly status: (event: StatusEvent) => void;
  readonly error: (error: ArcadeClientError) => void;
}

/** Where the connection is in its life; `status` is what the app sees of it. */
type Phase = 'idle' | 'running' | 'stopped' | 'closed';

export class Connection {
  private phase: Phase = 'idle';
  private current: ClientStatus = 'closed';
  /** The socket of the attempt in progress or of the connection. */
  private socket: WebSocketLike | null = null;
  /** `socket` once open and accepted. */
  private openSocket: WebSocketLike | null = null;
  private attempt = 0;
  /** Failed attempts and lost connections since the last stable connection: the backoff's exponent. */
  private failures = 0;
  private online: boolean;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private stableTimer: ReturnType<typeof setTimeout> | undefined;
  private closing: Promise<void> | undefined;
  private readonly stopNetwork: (() => void) | undefined;
  private readonly watchdog: Watchdog;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly events: ConnectionEvents,
  ) {
    this.watchdog = new Watchdog(
      options.pingIdleMs,
      options.pongTimeoutMs,
      () => this.openSocket?.send('{"t":"ping"}'),
      () => this.livenessLost(),
    );
    const { network } = options;
    this.online = network ? network.isOnline() !== false : true;
    this.stopNetwork = network?.subscribe((online) => this.networkChanged(online));
  }

  get status(): ClientStatus {
    return this.current;
  }

  /** The open socket, `null` between connections. */
  get live(): WebSocketLike | null {
    return this.openSocket;
  }

  get isClosed(): boolean {
    return this.phase === 'closed';
  }

  connect(): void {
    if (this.phase === 'closed') throw new ClientClosedError('connect()');
    if (this.phase === 'running') return;
    this.phase = 'running';
    this.failures = 0;
    this.setStatus({ status: 'connecting' });
    this.startAttempt();
  }

  /** Closes for good (`connect()` then throws); resolves once the socket is closed. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.phase = 'closed';
    this.attempt += 1;
    this.stopNetwork?.();
    clearTimeout(this.retryTimer);
    const socket = this.socket;
    this.detach();
    this.closing = new Promise<void>((resolve) => {
      if (!socket) return resolve();
      socket.onclose = () => resolve();
      try {
        socket.close(1000, 'client closed');
      } catch {
        resolve();
      }
    });
    this.setStatus({ status: 'closed', code: null, reason: 'close() was called', error: null });
    return this.closing;
  }

  /** Starts a connection attempt now (or waits for the network when it is down). */
  private startAttempt(): void {
    clearTimeout(this.retryTimer);
    if (!this.online) {
      this.setStatus({ status: 'reconnecting', code: null, reason: 'network offline', delayMs: null });
      return;
    }
    const attempt = ++this.attempt;
    this.connectTimer = setTimeout(
      () => this.attemptFailed(attempt, `no connection within ${this.options.connectTimeoutMs} ms`),
      this.options.connectTimeoutMs,
    );
    void this.openAttempt(attempt);
  }

  private async openAttempt(attempt: number): Promise<void> {
    let url = this.options.url.href;
    if (this.options.params) {
      try {
        const params = await this.options.params();
        if (attempt !== this.attempt) return;
        url = connectionUrl(this.options.url, params);
      } catch (error) {
        if (attempt !== this.attempt) return;
        this.events.error(
          new ConnectFailedError(
            `the params provider failed: ${describeError(error)}; retrying with backoff`,
            error,
          ),
        );
        this.attemptFailed(attempt, 'the params provider failed');
        return;
      }
    }
    let socket: WebSocketLike;
    try {
      socket = new this.options.WebSocket(url, EVENTS_SUBPROTOCOL);
      socket.binaryType = 'arraybuffer';
    } catch (error) {
      this.events.error(
        new ConnectFailedError(
          `new WebSocket(${url}) threw: ${describeError(error)}; retrying with backoff`,
          error,
        ),
      );
      this.attemptFailed(attempt, 'the WebSocket could not be created');
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket === socket) this.opened(socket);
    };
    socket.onmessage = (event: MessageEventLike) => {
      if (this.openSocket !== socket) return;
      this.watchdog.received();
      this.events.message(event.data);
    };
    let refusedSubprotocol = false;
    socket.onclose = (event: CloseEventLike) => {
      if (this.socket !== socket) return;
      if (refusedSubprotocol) this.subprotocolRefused(socket, '');
      else this.socketClosed(event.code, event.reason);
    };
    // The close event that always follows an error says what the client needs, with one exception:
    // the `ws` package fails the handshake of a server that accepts no subprotocol (browsers and
    // undici open it, which `opened` catches), and only its error's message tells.
    socket.onerror = (event: { message?: unknown }) => {
      if (typeof event.message === 'string' && event.message.includes('no subprotocol'))
        refusedSubprotocol = true;
    };
  }

  /** Attempt `attempt` failed before its socket opened. */
  private attemptFailed(attempt: number, reason: string): void {
    if (attempt !== this.attempt || this.phase !== 'running') return;
    this.attempt += 1;
    const socket = this.socket;
    this.detach();
    if (socket) dropSocket(socket, reason);
    this.retry(null, reason, 'backoff');
  }

  private opened(socket: WebSocketLike): void {
    clearTimeout(this.connectTimer);
    if (socket.protocol !== EVENTS_SUBPROTOCOL) {
      this.subprotocolRefused(socket, socket.protocol);
      return;
    }
    this.openSocket = socket;
    const { reconnect } = this.options;
    if (reconnect && reconnect.stableAfterMs === 0) this.failures = 0;
    else if (reconnect) {
      this.stableTimer = setTimeout(() => {
        this.failures = 0;
      }, reconnect.stableAfterMs);
    }
    this.watchdog.start();
    this.events.opened(socket);
    // The client may have closed in its `opened` work.
    if (this.openSocket === socket) this.setStatus({ status: 'open' });
  }

  /** The server is not an events route: retrying cannot help, so the client stops. */
  private subprotocolRefused(socket: WebSocketLike, accepted: string): void {
    const error = new SubprotocolRefusedError(this.options.url.href, accepted);
    this.attempt += 1;
    this.detach();
    dropSocket(socket, 'subprotocol refused');
    this.stop(null, error.message, error);
  }

  /** The current socket closed (the server, the network, or an attempt refused). */
  private socketClosed(code: number, reason: string): void {
    this.attempt += 1;
    this.detach();
    const action = closeAction(code);
    if (action === 'stop') this.stop(code, reason, new TerminalCloseError(code, reason));
    else this.retry(code, reason, action);
  }

  /** The watchdog found the server silent: the socket is dropped and replaced. */
  private livenessLost(): void {
    const socket = this.openSocket;
    if (!socket) return;
    const reason = `no frame from the server within ${this.options.pongTimeoutMs} ms of a ping`;
    this.attempt += 1;
    this.detach();
    dropSocket(socket, reason);
    this.retry(null, reason, 'backoff');
  }

  /** Schedules the next attempt after a failure (or stops, with reconnection off). */
  private retry(code: number | null, reason: string, action: 'backoff' | 'reconnect-now'): void {
    const { reconnect } = this.options;
    if (reconnect === false) {
      this.stop(code, reason, null);
      return;
    }
    if (!this.online) {
      this.setStatus({ status: 'reconnecting', code, reason, delayMs: null });
      return;
    }
    const delayMs =
      action === 'reconnect-now'
        ? restartDelay(reconnect, this.options.random)
        : backoffDelay(this.failures++, reconnect, this.options.random);
    this.setStatus({ status: 'reconnecting', code, reason, delayMs });
    // A status listener may have closed the client.
    if (this.phase === 'running') this.retryTimer = setTimeout(() => this.startAttempt(), delayMs);
  }

  /** Reconnection ends (terminal code, refused subprotocol, reconnection off); `connect()` starts again. */
  private stop(code: number | null, reason: string, error: ArcadeClientError | null): void {
    this.phase = 'stopped';
    clearTimeout(this.retryTimer);
    this.setStatus({ status: 'closed', code, reason, error });
    if (error) this.events.error(error);
  }

  /** Forgets the current socket and stops the timers of the connection; the caller closes the socket if needed. */
  private detach(): void {
    const socket = this.socket;
    this.socket = null;
    this.openSocket = null;
    this.watchdog.stop();
    clearTimeout(this.connectTimer);
    clearTimeout(this.stableTimer);
    if (socket) this.events.detached(socket);
  }

  private networkChanged(online: boolean): void {
    if (online === this.online) return;
    this.online = online;
    if (this.phase !== 'running') return;
    if (online) {
      // The failures were the network's: start over, now.
      this.failures = 0;
      if (!this.socket) this.startAttempt();
      return;
    }
    const socket = this.socket;
    this.attempt += 1;
    clearTimeout(this.retryTimer);
    this.detach();
    if (socket) dropSocket(socket, 'network offline');
    this.setStatus({ status: 'reconnecting', code: null, reason: 'network offline', delayMs: null });
  }

  private setStatus(event: StatusEvent): void {
    this.current = event.status;
    this.events.status(event);
  }
}
