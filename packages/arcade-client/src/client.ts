// The client: what outlives each socket (the wanted rooms and their positions, the offline queue, the
// pending calls, the listeners) on top of a Connection, which owns the sockets themselves. README.md
// describes the behaviour; docs/events-protocol.md of @arcade/ws the frames.
import type { EventsMap, JoinResult, RoomPosition } from '@arcade/ws/protocol';
import { type BackoffBounds, backoffDelay } from './backoff.js';
import { Connection } from './connection.js';
import {
  ArcadeClientError,
  ClientClosedError,
  ConnectionLostError,
  describeError,
  JoinCancelledError,
  ListenerError,
  QueueFullError,
  RequestTimeoutError,
  ServerError,
  usageError,
} from './errors.js';
import { type ErrorReply, readFrame } from './frames.js';
import { ListenerList } from './listeners.js';
import { OfflineQueue, type QueuedFrame } from './offline-queue.js';
import { type ClientOptions, checkDuration, type ResolvedOptions, resolveOptions } from './options.js';
import { PendingCalls } from './pending-calls.js';
import { STORAGE_UNAVAILABLE } from './protocol.js';
import { type JoinInfo, type RoomEntry, Rooms, readJoinResult } from './rooms.js';
import { SendBudget } from './send-budget.js';
import { OPEN, type WebSocketLike } from './socket.js';
import type { ArcadeClient, ClientStatus, EventMeta, Requester, SendResult, StatusEvent } from './types.js';

const NO_META: EventMeta = Object.freeze({});

/** Used for the retries of joins the storage could not serve when reconnection is off. */
const DEFAULT_BOUNDS: BackoffBounds = { minDelayMs: 500, maxDelayMs: 20_000 };

/**
 * Creates a client of the events route at `url` (`ws://`, `wss://`, or in a page a path such as
 * `/chat`), typed by the app's events map `M`. It connects at once unless `autoConnect: false`.
 * Throws an `ArcadeClientError` (`INVALID_OPTION`, `NO_WEBSOCKET`) for a bad URL or option.
 */
export function createClient<M extends EventsMap>(url: string, options?: ClientOptions): ArcadeClient<M> {
  return new Client<M>(resolveOptions(url, options));
}

class Client<M extends EventsMap> implements ArcadeClient<M> {
  /**
   * The rooms are rejoined: `send` writes straight to the open socket when nothing waits in the queue
   * and the send budget has a token.
   */
  private ready = false;
  private nextId = 1;
  private readonly connection: Connection;
  private readonly queue: OfflineQueue;
  /** The `sendRate` budget of the current connection; none with `sendRate: false`. */
  private readonly budget: SendBudget | undefined;
  /** The next write of the queue once the budget has a token again. */
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly calls = new PendingCalls();
  private readonly roomState = new Rooms();
  private readonly eventListeners = new Map<string, ListenerList<[unknown, EventMeta]>>();
  private readonly rawListeners = new ListenerList<[string | Uint8Array, EventMeta]>((error) =>
    this.listenerThrew('onRaw', error),
  );
  private readonly statusListeners = new ListenerList<[StatusEvent]>((error) =>
    this.listenerThrew('onStatus', error),
  );
  private readonly joinListeners = new ListenerList<[string, JoinInfo]>((error) =>
    this.listenerThrew('onJoin', error),
  );
  private readonly errorListeners = new ListenerList<[ArcadeClientError]>(fallbackReport);

  constructor(private readonly options: ResolvedOptions) {
    this.queue = new OfflineQueue(options.queueSize);
    this.budget = options.sendRate ? new SendBudget(options.sendRate) : undefined;
    this.connection = new Connection(options, {
      opened: (socket) => this.rejoin(socket),
      message: (data) => this.received(data),
      detached: (socket) => this.detached(socket),
      status: (event) => this.statusListeners.emit(event),
      error: (error) => this.reportError(error),
    });
    if (options.autoConnect) this.connection.connect();
  }

  // ---- public API ------------------------------------------------------------------------------

  get status(): ClientStatus {
    return this.connection.status;
  }

  get rooms(): ReadonlyMap<string, RoomPosition | null> {
    return this.roomState.view();
  }

  send(event: string, ...payload: unknown[]): SendResult {
    checkName('send(event)', event);
    const text = encode('emit', event, payload, undefined);
    if (this.connection.isClosed) return 'dropped';
    const socket = this.connection.live;
    if (this.ready && socket && this.mayWriteNow()) {
      socket.send(text);
      return 'sent';
    }
    if (!this.queue.push({ text })) return 'dropped';
    if (this.ready && socket) this.flushLater(socket);
    return 'queued';
  }

  request(event: string, ...payload: unknown[]): Promise<never> {
    return this.requestWithin(this.options.requestTimeoutMs, event, payload);
  }

  withTimeout(timeoutMs: number): Requester<M> {
    const ms = checkDuration('withTimeout(timeoutMs)', timeoutMs, 1, 'INVALID_ARGUMENT');
    return { request: (event: string, ...payload: unknown[]) => this.requestWithin(ms, event, payload) };
  }

  on(event: string, listener: (data: never, meta: EventMeta) => void): () => void {
    checkName('on(event)', event);
    checkListener('on', listener);
    let list = this.eventListeners.get(event);
    if (!list) {
      list = new ListenerList((error) => this.listenerThrew(`on("${event}")`, error));
      this.eventListeners.set(event, list);
    }
    const remove = list.add(listener as (data: unknown, meta: EventMeta) => void);
    const owner = list;
    return () => {
      remove();
      if (owner.isEmpty && this.eventListeners.get(event) === owner) this.eventListeners.delete(event);
    };
  }

  onRaw(listener: (data: string | Uint8Array, meta: EventMeta) => void): () => void {
    checkListener('onRaw', listener);
    return this.rawListeners.add(listener);
  }

  onStatus(listener: (event: StatusEvent) => void): () => void {
    checkListener('onStatus', listener);
    return this.statusListeners.add(listener);
  }

  onError(listener: (error: ArcadeClientError) => void): () => void {
    checkListener('onError', listener);
    return this.errorListeners.add(listener);
  }

  onJoin(listener: (room: string, info: JoinInfo) => void): () => void {
    checkListener('onJoin', listener);
    return this.joinListeners.add(listener);
  }

  join(room: string): Promise<JoinResult> {
    try {
      checkName('join(room)', room);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.connection.isClosed) return Promise.reject(new ClientClosedError(`join "${room}"`));
    const socket = this.connection.live;
    let entry = this.roomState.get(room);
    if (entry?.joined && socket && entry.socket === socket) {
      return Promise.resolve({ recovered: true, position: entry.position });
    }
    if (!entry) {
      entry = this.roomState.want(room);
      if (socket) void this.sendJoin(socket, room, entry);
    }
    const waiters = entry.waiters;
    const timeoutMs = this.options.requestTimeoutMs;
    return new Promise<JoinResult>((resolve, reject) => {
      const waiter = {
        resolve: (result: JoinResult) => {
          clearTimeout(timer);
          resolve(result);
        },
        reject: (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      // The timeout ends the wait, not the wish: the room stays wanted and onJoin reports the join later.
      const timer = setTimeout(() => {
        const index = waiters.indexOf(waiter);
        if (index >= 0) waiters.splice(index, 1);
        reject(new RequestTimeoutError(`join "${room}"`, timeoutMs));
      }, timeoutMs);
      waiters.push(waiter);
    });
  }

  leave(room: string): Promise<void> {
    try {
      checkName('leave(room)', room);
    } catch (error) {
      return Promise.reject(error);
    }
    const entry = this.roomState.drop(room);
    if (entry) for (const waiter of entry.waiters.splice(0)) waiter.reject(new JoinCancelledError(room));
    const socket = this.connection.live;
    // Not connected: the next connection will simply not rejoin it.
    if (!socket) return Promise.resolve();
    const id = this.nextId++;
    const operation = `leave "${room}"`;
    const timeoutMs = this.options.requestTimeoutMs;
    return new Promise<void>((resolve, reject) => {
      this.calls.add(
        id,
        socket,
        {
          result: () => resolve(),
          refused: (reply) =>
            reject(new ServerError(reply.code, reply.message, { room, issues: reply.issues })),
          // The connection that was in the room is gone, and the next one will not rejoin it: left.
          lost: () => resolve(),
          closed: () => resolve(),
          timedOut: () => reject(new RequestTimeoutError(operation, timeoutMs)),
        },
        timeoutMs,
      );
      this.budget?.spend();
      socket.send(JSON.stringify({ t: 'leave', id, room }));
    });
  }

  connect(): void {
    this.connection.connect();
  }

  close(): Promise<void> {
    if (!this.connection.isClosed) {
      // Everything pending is rejected as closed before the socket goes, so none is rejected as lost.
      this.calls.closeAll();
      this.queue.takeAll();
      for (const entry of this.roomState.clear()) {
        for (const waiter of entry.waiters.splice(0)) waiter.reject(new ClientClosedError('join'));
      }
    }
    const closing = this.connection.close();
    this.eventListeners.clear();
    this.rawListeners.clear();
    this.statusListeners.clear();
    this.joinListeners.clear();
    this.errorListeners.clear();
    return closing;
  }

  // ---- requests --------------------------------------------------------------------------------

  private requestWithin(timeoutMs: number, event: string, payload: unknown[]): Promise<never> {
    const operation = `request "${String(event)}"`;
    const id = this.nextId++;
    let text: string;
    try {
      checkName('request(event)', event);
      text = encode('req', event, payload, id);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.connection.isClosed) return Promise.reject(new ClientClosedError(operation));
    return new Promise<never>((resolve, reject) => {
      let queued: QueuedFrame | undefined;
      const live = this.connection.live;
      const socket = this.ready && live && this.mayWriteNow() ? live : null;
      this.calls.add(
        id,
        socket,
        {
          result: (data) => resolve(data as never),
          refused: (reply) =>
            reject(new ServerError(reply.code, reply.message, { event, issues: reply.issues })),
          lost: () => reject(new ConnectionLostError(operation)),
          closed: () => reject(new ClientClosedError(operation)),
          timedOut: () => {
            if (queued) this.queue.remove(queued);
            reject(new RequestTimeoutError(operation, timeoutMs));
          },
        },
        timeoutMs,
      );
      if (socket) {
        socket.send(text);
        return;
      }
      queued = {
        text,
        onWritten: () => {
          queued = undefined;
          const live = this.connection.live;
          if (live) this.calls.written(id, live);
        },
      };
      if (!this.queue.push(queued)) {
        this.calls.drop(id);
        reject(new QueueFullError(operation, this.options.queueSize));
        return;
      }
      if (this.ready && live) this.flushLater(live);
    });
  }

  /**
   * Whether a frame may skip the queue: nothing waits there (frames go out in order) and the send
   * budget has a token for it (which it then takes).
   */
  private mayWriteNow(): boolean {
    return this.queue.size === 0 && (this.budget?.take() ?? true);
  }

  // ---- rooms -----------------------------------------------------------------------------------

  /**
   * A socket opened: a join for every wanted room, then, once each is answered (or its timeout passed),
   * the offline queue: queued frames reach the server after the rooms they may be about.
   */
  private rejoin(socket: WebSocketLike): void {
    this.budget?.reset();
    const joins: Promise<void>[] = [];
    for (const [room, entry] of this.roomState.all()) joins.push(this.sendJoin(socket, room, entry));
    if (joins.length === 0) {
      this.flush(socket);
      return;
    }
    void Promise.all(joins).then(() => {
      if (this.connection.live === socket) this.flush(socket);
    });
  }

  /**
   * Writes the queue in order, as fast as the send budget allows (the rest later); `send` writes
   * directly once the queue is empty.
   */
  private flush(socket: WebSocketLike): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (socket.readyState !== OPEN) return;
    this.ready = true;
    while (this.queue.size > 0) {
      if (this.budget && !this.budget.take()) {
        this.flushLater(socket);
        return;
      }
      const frame = this.queue.shift() as QueuedFrame;
      socket.send(frame.text);
      frame.onWritten?.();
    }
  }

  /** Writes what waits in the queue once the budget has a token again (one timer at a time). */
  private flushLater(socket: WebSocketLike): void {
    if (this.flushTimer !== undefined) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      if (this.connection.live === socket) this.flush(socket);
    }, this.budget?.msUntilToken() ?? 0);
  }

  /** The socket is gone: calls written on it are lost, no room is joined any more, `send` queues. */
  private detached(socket: WebSocketLike): void {
    this.ready = false;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.roomState.disconnected();
    this.calls.lost(socket);
  }

  /**
   * Sends a join of `room` (with `since` when a position is known). Resolves when it is answered, lost
   * or older than `requestTimeoutMs`; an answer that comes later is still applied.
   */
  private sendJoin(socket: WebSocketLike, room: string, entry: RoomEntry): Promise<void> {
    const id = this.nextId++;
    const since = entry.position;
    entry.joinId = id;
    entry.socket = socket;
    entry.sentSince = since !== null;
    return new Promise<void>((settled) => {
      const timer = setTimeout(settled, this.options.requestTimeoutMs);
      const done = () => {
        clearTimeout(timer);
        settled();
      };
      this.calls.add(id, socket, {
        result: (data) => {
          done();
          this.joinAnswered(room, id, data);
        },
        refused: (reply) => {
          done();
          this.joinRefused(room, id, socket, reply);
        },
        lost: done,
        closed: done,
      });
      // Joins are about this socket: never held back, but counted (the server counts them).
      this.budget?.spend();
      socket.send(JSON.stringify(since ? { t: 'join', id, room, since } : { t: 'join', id, room }));
    });
  }

  private joinAnswered(room: string, id: number, data: unknown): void {
    const entry = this.roomState.get(room);
    // Left meanwhile, or a newer join of the same room was sent.
    if (!entry || entry.joinId !== id) return;
    const result = readJoinResult(data);
    if (!result) {
      this.reportError(
        new ArcadeClientError('BAD_REPLY', `the server answered join "${room}" with ${JSON.stringify(data)}`),
      );
      return;
    }
    const info = this.roomState.applyJoin(entry, result);
    const answer = { recovered: info.recovered, position: info.position };
    for (const waiter of entry.waiters.splice(0)) waiter.resolve(answer);
    this.joinListeners.emit(room, info);
  }

  private joinRefused(room: string, id: number, socket: WebSocketLike, reply: ErrorReply): void {
    const entry = this.roomState.get(room);
    if (!entry || entry.joinId !== id) return;
    const error = new ServerError(reply.code, reply.message, { room, issues: reply.issues });
    if (reply.code === STORAGE_UNAVAILABLE) {
      // The server's storage is down for a moment: the room stays wanted and the join is tried again.
      const bounds = this.options.reconnect || DEFAULT_BOUNDS;
      const delayMs = backoffDelay(entry.failures++, bounds, this.options.random);
      entry.retryTimer = setTimeout(() => {
        entry.retryTimer = undefined;
        if (this.connection.live === socket && this.roomState.get(room) === entry) {
          void this.sendJoin(socket, room, entry);
        }
      }, delayMs);
      this.reportError(error);
      return;
    }
    this.roomState.drop(room);
    const waiters = entry.waiters.splice(0);
    for (const waiter of waiters) waiter.reject(error);
    if (waiters.length === 0) this.reportError(error);
  }

  // ---- receiving -------------------------------------------------------------------------------

  private received(data: unknown): void {
    const frame = readFrame(data);
    switch (frame.kind) {
      case 'event':
        this.eventListeners.get(frame.event)?.emit(frame.data, NO_META);
        return;
      case 'history-event':
        this.roomState.seen(frame.room, frame.position);
        this.eventListeners
          .get(frame.event)
          ?.emit(frame.data, { room: frame.room, position: frame.position });
        return;
      case 'history-raw':
        this.roomState.seen(frame.room, frame.position);
        this.rawListeners.emit(frame.data, { room: frame.room, position: frame.position });
        return;
      case 'raw':
        this.rawListeners.emit(frame.data, NO_META);
        return;
      case 'result':
        // An answer to a call that timed out already finds nothing: it is dropped.
        this.calls.result(frame.id, frame.data);
        return;
      case 'error': {
        const { error } = frame;
        if (error.id !== undefined) this.calls.refused(error.id, error);
        else
          this.reportError(
            new ServerError(error.code, error.message, { issues: error.issues, event: error.event }),
          );
        return;
      }
      case 'pong':
        return;
    }
  }

  // ---- reporting -------------------------------------------------------------------------------

  private reportError(error: ArcadeClientError): void {
    if (this.errorListeners.isEmpty) fallbackReport(error);
    else this.errorListeners.emit(error);
  }

  private listenerThrew(where: string, error: unknown): void {
    this.reportError(new ListenerError(where, error));
  }
}

/** Where errors go when the app listens to none (and where a throwing onError listener's error goes). */
function fallbackReport(error: unknown): void {
  const report = (globalThis as { reportError?: unknown }).reportError;
  if (typeof report === 'function') report(error);
  else console.error(error);
}

function checkName(what: string, name: unknown): void {
  if (typeof name !== 'string' || name === '') {
    throw usageError(
      'INVALID_ARGUMENT',
      `${what} must be a non-empty string, got ${JSON.stringify(name) ?? typeof name}`,
    );
  }
}

function checkListener(what: string, listener: unknown): void {
  if (typeof listener !== 'function') {
    throw usageError(
      'INVALID_ARGUMENT',
      `${what}(listener): the listener must be a function, got ${typeof listener}`,
    );
  }
}

/** One `emit` or `req` frame; a payload JSON cannot encode (a BigInt, a cycle) is refused here, at the call. */
function encode(t: 'emit' | 'req', event: string, payload: unknown[], id: number | undefined): string {
  const frame: Record<string, unknown> = id === undefined ? { t, event } : { t, id, event };
  if (payload.length > 0 && payload[0] !== undefined) frame.data = payload[0];
  try {
    return JSON.stringify(frame);
  } catch (error) {
    throw usageError(
      'UNSERIALIZABLE_PAYLOAD',
      `the payload of "${event}" cannot be sent as JSON: ${describeError(error)}`,
      error,
    );
  }
}
