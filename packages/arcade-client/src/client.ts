// The client: what outlives each socket on top of a Connection, which owns the sockets themselves. The
// parts: send-path.ts (the offline queue and the send budget), requests.ts, room-joins.ts (the wanted
// rooms, their positions and rejoins), pending-calls.ts (every call waiting for its answer); here, the
// public API, the listeners and the frames received. README.md describes the behaviour;
// docs/events-protocol.md of @arcade/ws the frames.
import type { EventsMap, JoinResult, RoomPosition } from '@arcade/ws/protocol';
import { checkListener, checkName, encodeCall, rejectBadName } from './arguments.js';
import { Connection } from './connection.js';
import { type ArcadeClientError, ListenerError, ServerError } from './errors.js';
import { readFrame } from './frames.js';
import { ListenerList } from './listeners.js';
import { type ClientOptions, checkDuration, type ResolvedOptions, resolveOptions } from './options.js';
import { PendingCalls } from './pending-calls.js';
import { Requests } from './requests.js';
import { RoomJoins } from './room-joins.js';
import type { JoinInfo } from './rooms.js';
import { SendPath } from './send-path.js';
import type { WebSocketLike } from './socket.js';
import type { ArcadeClient, ClientStatus, EventMeta, Requester, SendResult, StatusEvent } from './types.js';

const NO_META: EventMeta = Object.freeze({});

/**
 * Creates a client of the events route at `url` (`ws://`, `wss://`, or in a page a path such as
 * `/chat`), typed by the app's events map `M`. It connects at once unless `autoConnect: false`.
 * Throws an `ArcadeClientError` (`INVALID_OPTION`, `NO_WEBSOCKET`) for a bad URL or option.
 */
export function createClient<M extends EventsMap>(url: string, options?: ClientOptions): ArcadeClient<M> {
  return new Client<M>(resolveOptions(url, options));
}

class Client<M extends EventsMap> implements ArcadeClient<M> {
  private readonly connection: Connection;
  private readonly calls = new PendingCalls();
  private readonly sendPath: SendPath;
  private readonly requests: Requests;
  private readonly roomJoins: RoomJoins;
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
    this.connection = new Connection(options, {
      opened: (socket) => this.opened(socket),
      message: (data) => this.received(data),
      detached: (socket) => this.detached(socket),
      status: (event) => this.statusListeners.emit(event),
      error: (error) => this.reportError(error),
    });
    this.sendPath = new SendPath(options, this.connection);
    this.requests = new Requests(options, this.connection, this.calls, this.sendPath);
    this.roomJoins = new RoomJoins(options, this.connection, this.calls, this.sendPath, {
      joined: (room, info) => this.joinListeners.emit(room, info),
      error: (error) => this.reportError(error),
    });
    if (options.autoConnect) this.connection.connect();
  }

  // ---- public API ------------------------------------------------------------------------------

  get status(): ClientStatus {
    return this.connection.status;
  }

  get rooms(): ReadonlyMap<string, RoomPosition | null> {
    return this.roomJoins.view();
  }

  send(event: string, ...payload: unknown[]): SendResult {
    checkName('send(event)', event);
    const text = encodeCall('emit', event, payload, undefined);
    if (this.connection.isClosed) return 'dropped';
    return this.sendPath.send(text);
  }

  request(event: string, ...payload: unknown[]): Promise<never> {
    return this.requests.request(this.options.requestTimeoutMs, event, payload);
  }

  withTimeout(timeoutMs: number): Requester<M> {
    const ms = checkDuration('withTimeout(timeoutMs)', timeoutMs, 1, 'INVALID_ARGUMENT');
    return {
      request: (event: string, ...payload: unknown[]) => this.requests.request(ms, event, payload),
    };
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
    return rejectBadName('join(room)', room) ?? this.roomJoins.join(room);
  }

  leave(room: string): Promise<void> {
    return rejectBadName('leave(room)', room) ?? this.roomJoins.leave(room);
  }

  connect(): void {
    this.connection.connect();
  }

  close(): Promise<void> {
    if (!this.connection.isClosed) {
      // Everything pending is rejected as closed before the socket goes, so none is rejected as lost.
      this.calls.closeAll();
      this.sendPath.clear();
      this.roomJoins.close();
    }
    const closing = this.connection.close();
    this.eventListeners.clear();
    this.rawListeners.clear();
    this.statusListeners.clear();
    this.joinListeners.clear();
    this.errorListeners.clear();
    return closing;
  }

  // ---- sockets --------------------------------------------------------------------------------

  /**
   * A socket opened: the rooms are rejoined on it, then, once each join is answered (or its timeout
   * passed), the offline queue is written: queued frames reach the server after the rooms they may be about.
   */
  private opened(socket: WebSocketLike): void {
    this.sendPath.opened();
    const joins = this.roomJoins.rejoin(socket);
    if (joins.length === 0) {
      this.sendPath.flush(socket);
      return;
    }
    void Promise.all(joins).then(() => {
      if (this.connection.live === socket) this.sendPath.flush(socket);
    });
  }

  /** The socket is gone: calls written on it are lost, no room is joined any more, `send` queues. */
  private detached(socket: WebSocketLike): void {
    this.sendPath.detached();
    this.roomJoins.disconnected();
    this.calls.lost(socket);
  }

  // ---- receiving -------------------------------------------------------------------------------

  private received(data: unknown): void {
    const frame = readFrame(data);
    switch (frame.kind) {
      case 'event':
        this.eventListeners.get(frame.event)?.emit(frame.data, NO_META);
        return;
      case 'history-event':
        this.roomJoins.seen(frame.room, frame.position);
        this.eventListeners
          .get(frame.event)
          ?.emit(frame.data, { room: frame.room, position: frame.position });
        return;
      case 'history-raw':
        this.roomJoins.seen(frame.room, frame.position);
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
