import { ArcadeHttpException, describeError, isThenable, type RequestContext } from '@arcade/core';
import type { WebSocket } from 'ws';
import { CLOSE_INTERNAL_ERROR } from '../close-codes';
import type { JoinFrame, LeaveFrame, RoomPosition } from '../protocol/frames';
import { assertRoomName } from '../registry/room-name';
import type { ArcadeWebSocket, WebSocketData } from '../transport/arcade-websocket';
import type { PositionedReceiver } from '../transport/delivery';
import type { LocalConnection } from '../transport/local-connection';
import { encodeMessage } from '../transport/message';
import type { PreparedFrame } from '../transport/prepared-frame';
import { type EventsRoute, type RouteConnection, runCallback } from './events-route';
import { JoinedRoom } from './joined-room';
import { joinRoom, leaveRoom, refuseRoomOperation } from './room-operations';
import { runHandler } from './run-handler';
import { badFrameError, isBadFrame, PONG_FRAME, rateLimitedError, readClientFrame } from './wire';

/** `onConnect` resolved: frames are handled. */
const CONNECTED = 1;
/** The socket has closed. */
const CLOSED = 2;
/** `onDisconnect` was called. */
const DISCONNECTED = 4;
/** An event dropped by the rate limit was answered since the last frame that got through. */
const EVENT_LIMIT_REPORTED = 8;

/** `readyState` of an open socket. */
const OPEN = 1;

/** The connection a socket belongs to, for the one close listener all of them share. */
const EVENT_CONNECTION = Symbol('arcade.eventConnection');
type TaggedWebSocket = WebSocket & { [EVENT_CONNECTION]?: EventConnection };

/**
 * One connection of a `handleEvents` route: the `socket` its handlers receive, and the reader of its
 * frames (docs/events-protocol.md), which hands events and requests to run-handler.ts and joins and
 * leaves, one at a time per room, to room-operations.ts. It runs inside a `handleWebSocket` connection,
 * so limits, rate limit, heartbeat, storage registration and after hooks are those of every WebSocket
 * route.
 *
 * Memory: an idle connection is this object, the two callbacks given to `listen` and one entry in the
 * registry's map of positioned receivers; rooms state is allocated by a client join and dropped when it
 * has nothing left to do. No timer.
 */
export class EventConnection implements RouteConnection, PositionedReceiver {
  readonly id: string;
  readonly ctx: RequestContext;
  readonly route: EventsRoute;
  private readonly websocket: ArcadeWebSocket;
  /** Per room, while a client join or leave needs it (joined-room.ts). */
  private rooms: Map<string, JoinedRoom> | undefined;
  private flags = 0;
  private closeCode: number | undefined;

  constructor(route: EventsRoute, ctx: RequestContext, websocket: ArcadeWebSocket, id: string) {
    this.route = route;
    this.ctx = ctx;
    this.websocket = websocket;
    this.id = id;
  }

  // ---- the socket of the handlers (EventSocket) -----------------------------------------------------

  emit(event: string, ...payload: unknown[]): boolean {
    return this.websocket.add(encodeMessage(event, payload[0]));
  }

  join(room: string): Promise<boolean> {
    return this.route.manager.joinRoom(this.id, room);
  }

  leave(room: string): Promise<boolean> {
    return this.route.manager.leaveRoom(this.id, room);
  }

  close(code?: number, reason?: string): void {
    this.websocket.close(code, reason);
  }

  // ---- lifecycle ------------------------------------------------------------------------------------

  /** The route's handler: registers the connection, runs `onConnect`, then reads frames. */
  start(): unknown {
    // The peer left before the handler ran: nothing to start, nothing to clean later.
    if (this.websocket.readyState === 3) return undefined;
    const { manager, definition } = this.route;
    manager.addPositionedReceiver(this.id, this);
    if (definition.onDisconnect) {
      const raw = this.websocket.raw as TaggedWebSocket;
      raw[EVENT_CONNECTION] = this;
      raw.on('close', onSocketClose);
    }
    const { onConnect } = definition;
    if (!onConnect) {
      this.opened();
      return undefined;
    }
    let result: unknown;
    try {
      result = onConnect(this);
    } catch (error) {
      this.refuse(error);
      return undefined;
    }
    if (!isThenable(result)) {
      this.opened();
      return undefined;
    }
    return result.then(
      () => this.opened(),
      (error: unknown) => this.refuse(error),
    );
  }

  private opened(): void {
    this.flags |= CONNECTED;
    this.listen();
    if (this.flags & CLOSED) this.disconnected();
  }

  /** `onConnect` threw: a 4xx HTTP exception closes with 4000 + status, anything else with 1011. */
  private refuse(error: unknown): void {
    if (error instanceof ArcadeHttpException && error.statusCode < 500) {
      this.route.logger().debug('WebSocket events connection refused by onConnect', {
        connectionId: this.id,
        path: this.ctx.route.path,
        statusCode: error.statusCode,
      });
      this.websocket.close(4000 + error.statusCode, closeReason(error.message));
    } else {
      this.log('onConnect of a handleEvents route failed; closing with 1011', error);
      this.websocket.close(CLOSE_INTERNAL_ERROR, 'Internal error');
    }
    // Still listens, for the end of the socket: frames are ignored meanwhile.
    this.listen();
  }

  private listen(): void {
    this.websocket.listen((data) => this.receive(data), {
      onDone: () => this.done(),
      onRateLimited: (data) => this.rateLimited(data),
    });
  }

  /** The socket has closed (`listen`'s onDone): the connection leaves the registry's receivers. */
  private done(): void {
    this.flags |= CLOSED;
    this.rooms = undefined;
    this.route.manager.removePositionedReceiver(this.id);
  }

  /** The socket's close code, when the route has `onDisconnect`. */
  socketClosed(code: number): void {
    this.closeCode = code;
    this.flags |= CLOSED;
    if (this.flags & CONNECTED) this.disconnected();
  }

  private disconnected(): void {
    const { onDisconnect } = this.route.definition;
    if (!onDisconnect || this.closeCode === undefined || this.flags & DISCONNECTED) return;
    this.flags |= DISCONNECTED;
    runCallback(
      () => onDisconnect(this, this.closeCode as number),
      (error) => this.log('onDisconnect of a handleEvents route threw', error),
    );
  }

  // ---- frames -----------------------------------------------------------------------------------------

  private receive(data: WebSocketData): void {
    if (!(this.flags & CONNECTED) || this.flags & CLOSED) return;
    this.flags &= ~EVENT_LIMIT_REPORTED;
    const frame = readClientFrame(data);
    if (isBadFrame(frame)) {
      this.send(badFrameError(frame));
      return;
    }
    switch (frame.t) {
      case 'ping':
        this.send(PONG_FRAME);
        return;
      case 'emit':
        void runHandler(this, frame.event, frame.data, undefined);
        return;
      case 'req':
        void runHandler(this, frame.event, frame.data, frame.id);
        return;
      case 'join':
      case 'leave':
        this.roomOperation(frame);
        return;
    }
  }

  /**
   * A frame the route's rate limit dropped (docs/events-protocol.md, "Rate limit"). A request, join
   * or leave is answered `RATE_LIMITED`: its caller waits for an answer and would otherwise time out.
   * A ping still gets its pong, so that the client's watchdog never takes a busy connection for a
   * dead one. Of a run of dropped events only the first is answered: the client hears of it without a
   * reply per flooded frame. Anything else is dropped unanswered.
   */
  private rateLimited(data: WebSocketData): void {
    if (!(this.flags & CONNECTED) || this.flags & CLOSED) return;
    const frame = readClientFrame(data);
    if (isBadFrame(frame)) return;
    switch (frame.t) {
      case 'ping':
        this.send(PONG_FRAME);
        return;
      case 'emit':
        if (this.flags & EVENT_LIMIT_REPORTED) return;
        this.flags |= EVENT_LIMIT_REPORTED;
        this.send(rateLimitedError({ event: frame.event }));
        return;
      default:
        this.send(rateLimitedError({ id: frame.id }));
    }
  }

  /** A join or leave, after the ones of the same room still running. */
  private roomOperation(frame: JoinFrame | LeaveFrame): void {
    const { id, room } = frame;
    try {
      assertRoomName(room);
    } catch (error) {
      refuseRoomOperation(this, id, error);
      return;
    }
    this.rooms ??= new Map();
    let state = this.rooms.get(room);
    if (!state) {
      state = new JoinedRoom();
      this.rooms.set(room, state);
    }
    const joined = state;
    const run = () => (frame.t === 'join' ? joinRoom(this, frame, joined) : leaveRoom(this, frame, joined));
    const queued = (joined.queue ?? Promise.resolve()).then(run).catch((error: unknown) => {
      this.log('A join or leave of a handleEvents route failed', error);
    });
    joined.queue = queued;
    void queued.then(() => {
      if (joined.queue === queued) joined.queue = undefined;
      this.dropIfIdle(room, joined);
    });
  }

  private dropIfIdle(room: string, joined: JoinedRoom): void {
    if (!joined.isIdle || this.rooms?.get(room) !== joined) return;
    this.rooms.delete(room);
    if (this.rooms.size === 0) this.rooms = undefined;
  }

  // ---- history frames (PositionedReceiver) ------------------------------------------------------------

  receivePositioned(
    connection: LocalConnection,
    room: string,
    position: RoomPosition,
    frame: PreparedFrame,
  ): void {
    const joined = this.rooms?.get(room);
    if (!joined) {
      connection.send(frame);
      return;
    }
    joined.receive(connection, position, frame);
    this.dropIfIdle(room, joined);
  }

  // ---- output (RouteConnection) -----------------------------------------------------------------------

  send(text: string): void {
    this.websocket.add(text);
  }

  /**
   * Through `raw.send`, which first writes out what `add()` queued and calls back once written (it is
   * not counted in the send metrics).
   */
  async sendAndWait(text: string): Promise<boolean> {
    await new Promise<void>((resolve) => this.websocket.raw.send(text, () => resolve()));
    return !(this.flags & CLOSED) && this.websocket.readyState === OPEN;
  }

  log(message: string, error: unknown): void {
    this.route.logger().error(message, {
      connectionId: this.id,
      path: this.ctx.route.path,
      ...describeError(error),
    });
  }
}

function onSocketClose(this: WebSocket, code: number): void {
  (this as TaggedWebSocket)[EVENT_CONNECTION]?.socketClosed(code);
}

/** A close reason fits in 123 bytes of UTF-8 (RFC 6455, section 5.5): longer ones are cut at a character. */
function closeReason(message: string): string {
  if (Buffer.byteLength(message) <= 123) return message;
  let reason = '';
  for (const character of message) {
    if (Buffer.byteLength(reason + character) > 120) break;
    reason += character;
  }
  return `${reason}...`;
}
