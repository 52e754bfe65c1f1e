import { ArcadeHttpException, describeError, isThenable, type RequestContext } from '@arcade/core';
import type { WebSocket } from 'ws';
import { CLOSE_INTERNAL_ERROR } from '../close-codes';
import { WebSocketError } from '../errors';
import { EVENT_ERROR_CODES } from '../protocol/codes';
import type { JoinFrame, JoinResult, LeaveFrame, PayloadIssue, RoomPosition } from '../protocol/frames';
import { assertRoomName } from '../registry/room-name';
import type { ArcadeWebSocket, WebSocketData } from '../transport/arcade-websocket';
import { historyFrameText, type PositionedReceiver } from '../transport/delivery';
import type { LocalConnection } from '../transport/local-connection';
import { encodeMessage } from '../transport/message';
import type { PreparedFrame } from '../transport/prepared-frame';
import { EventError } from './event-error';
import type { EventsRoute } from './events-route';
import { JoinedRoom } from './joined-room';
import { validatePayload } from './validation';
import { badFrameError, errorFrame, isBadFrame, PONG_FRAME, readClientFrame, resultFrame } from './wire';

/** `onConnect` resolved: frames are handled. */
const CONNECTED = 1;
/** The socket has closed. */
const CLOSED = 2;
/** `onDisconnect` was called. */
const DISCONNECTED = 4;

/** `readyState` of an open socket. */
const OPEN = 1;

/**
 * How much of a replay is written before it waits for the socket to take it (`replay`): far below any
 * sane `maxBufferedBytes` (4 MiB by default), large enough that a usual replay goes out in one turn.
 */
const REPLAY_CHUNK_BYTES = 64 * 1024;

/** The connection a socket belongs to, for the one close listener all of them share. */
const EVENT_CONNECTION = Symbol('arcade.eventConnection');
type TaggedWebSocket = WebSocket & { [EVENT_CONNECTION]?: EventConnection };

/**
 * One connection of a `handleEvents` route: the `socket` its handlers receive, and the reader of its
 * frames (docs/events-protocol.md). It runs inside a `handleWebSocket` connection, so limits, rate
 * limit, heartbeat, storage registration and after hooks are those of every WebSocket route.
 *
 * Memory: an idle connection is this object, the two callbacks given to `listen` and one entry in the
 * registry's map of positioned receivers; rooms state is allocated by a client join and dropped when it
 * has nothing left to do. No timer.
 */
export class EventConnection implements PositionedReceiver {
  readonly id: string;
  readonly ctx: RequestContext;
  private readonly websocket: ArcadeWebSocket;
  private readonly route: EventsRoute;
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
    this.websocket.listen((data) => this.receive(data), { onDone: () => this.done() });
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
    this.settle(
      () => onDisconnect(this, this.closeCode as number),
      (error) => this.log('onDisconnect of a handleEvents route threw', error),
    );
  }

  // ---- frames -----------------------------------------------------------------------------------------

  private receive(data: WebSocketData): void {
    if (!(this.flags & CONNECTED) || this.flags & CLOSED) return;
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
        void this.handle(frame.event, frame.data, undefined);
        return;
      case 'req':
        void this.handle(frame.event, frame.data, frame.id);
        return;
      case 'join':
      case 'leave':
        this.roomOperation(frame);
        return;
    }
  }

  /** Runs the handler of an event (`id` undefined) or a request, and answers the request. */
  private async handle(event: string, data: unknown, id: number | undefined): Promise<void> {
    const { events, schemas } = this.route.definition;
    const handler = Object.hasOwn(events, event) ? events[event] : undefined;
    const refused = (code: string, message: string, issues?: PayloadIssue[]) =>
      this.send(
        errorFrame(id === undefined ? { event, code, message, issues } : { id, code, message, issues }),
      );
    if (typeof handler !== 'function') {
      refused(EVENT_ERROR_CODES.UNKNOWN_EVENT, `No handler for ${JSON.stringify(event)} on this route`);
      return;
    }
    let payload = data;
    let result: unknown;
    try {
      const schema = schemas && Object.hasOwn(schemas, event) ? schemas[event] : undefined;
      if (schema) {
        const validated = await validatePayload(schema, data);
        if ('issues' in validated) {
          refused(
            EVENT_ERROR_CODES.INVALID_PAYLOAD,
            `Invalid payload for ${JSON.stringify(event)}: ${validated.issues[0]?.message ?? 'refused by its schema'}`,
            validated.issues,
          );
          return;
        }
        payload = validated.value;
      }
      result = await handler(payload, this);
    } catch (error) {
      if (error instanceof EventError) {
        refused(error.code, error.message);
      } else {
        this.log(`The handler of ${JSON.stringify(event)} failed`, error);
        refused(EVENT_ERROR_CODES.HANDLER_FAILED, `The handler of ${JSON.stringify(event)} failed`);
      }
      return;
    }
    if (id === undefined) return;
    let reply: string;
    try {
      reply = resultFrame(id, result);
    } catch (error) {
      this.log(`The reply of ${JSON.stringify(event)} is not JSON`, error);
      refused(EVENT_ERROR_CODES.HANDLER_FAILED, `The handler of ${JSON.stringify(event)} failed`);
      return;
    }
    this.send(reply);
  }

  /** A join or leave, after the ones of the same room still running. */
  private roomOperation(frame: JoinFrame | LeaveFrame): void {
    const { id, room } = frame;
    try {
      assertRoomName(room);
    } catch (error) {
      this.refuseOperation(id, error);
      return;
    }
    this.rooms ??= new Map();
    let state = this.rooms.get(room);
    if (!state) {
      state = new JoinedRoom();
      this.rooms.set(room, state);
    }
    const joined = state;
    const run = () => (frame.t === 'join' ? this.joinRoom(frame, joined) : this.leaveRoom(frame, joined));
    const queued = (joined.queue ?? Promise.resolve()).then(run).catch((error: unknown) => {
      this.log('A join or leave of a handleEvents route failed', error);
    });
    joined.queue = queued;
    void queued.then(() => {
      if (joined.queue === queued) joined.queue = undefined;
      this.dropIfIdle(room, joined);
    });
  }

  /**
   * docs/events-protocol.md, "Joining, and recovery without gap or duplicate": authorize, hold back,
   * join, read, replay, answer, release.
   */
  private async joinRoom({ id, room, since }: JoinFrame, joined: JoinedRoom): Promise<void> {
    const { manager, definition } = this.route;
    let allowed: boolean;
    try {
      allowed = definition.authorizeJoin ? (await definition.authorizeJoin(room, this)) === true : false;
    } catch (error) {
      this.refuseOperation(id, error);
      return;
    }
    if (!allowed) {
      this.send(
        errorFrame({
          id,
          code: EVENT_ERROR_CODES.JOIN_REFUSED,
          message: definition.authorizeJoin
            ? `Joining room ${JSON.stringify(room)} was refused`
            : 'This route has no authorizeJoin: clients cannot join rooms',
        }),
      );
      return;
    }
    joined.hold();
    try {
      if (!(await manager.joinRoom(this.id, room))) {
        joined.release(undefined);
        return;
      }
    } catch (error) {
      joined.release(undefined);
      this.refuseOperation(id, error);
      return;
    }
    let read: Awaited<ReturnType<typeof manager.getRoomHistory>>;
    try {
      read = await manager.getRoomHistory(room, since ? { since } : { limit: 0 });
    } catch (error) {
      // Not a member without the replay: the client's next join must not find its position moved past a gap.
      joined.mute();
      if (await manager.leaveRoom(this.id, room).catch(() => false)) joined.clear();
      this.refuseOperation(id, error);
      return;
    }
    const replayed = since !== undefined && read.recovered ? read.position : null;
    // The connection closed during a long replay: nothing left to answer.
    if (replayed && !(await this.replay(room, replayed.epoch, read.messages))) return;
    const result: JoinResult = { recovered: read.recovered, position: read.position };
    this.send(resultFrame(id, result));
    joined.release(replayed ?? undefined);
    const { onJoined } = definition;
    if (onJoined) {
      this.settle(
        () => onJoined(room, this, result),
        (error) => this.log('onJoined of a handleEvents route threw', error),
      );
    }
  }

  /**
   * Sends a replay's history frames, oldest first. A replay can hold far more than the connection's
   * `maxBufferedBytes` (a long absence, large messages): written in one turn it would close the
   * connection as a slow consumer (1013), and the client would reconnect and ask again. So after every
   * REPLAY_CHUNK_BYTES the replay waits until the socket has taken what was written: that chunk's last
   * frame goes through `raw.send`, which writes out what `add()` queued first and calls back once
   * written (it is not counted in the send metrics). False when the connection closed meanwhile.
   */
  private async replay(
    room: string,
    epoch: string,
    messages: ReadonlyArray<{ readonly offset: number; readonly message: string | Uint8Array }>,
  ): Promise<boolean> {
    let chunk = 0;
    for (const [index, { offset, message }] of messages.entries()) {
      const text = historyFrameText(room, { epoch, offset }, message);
      chunk += text.length;
      if (chunk < REPLAY_CHUNK_BYTES || index === messages.length - 1) {
        this.send(text);
        continue;
      }
      chunk = 0;
      await new Promise<void>((resolve) => this.websocket.raw.send(text, () => resolve()));
      if (this.flags & CLOSED || this.websocket.readyState !== OPEN) return false;
    }
    return true;
  }

  private async leaveRoom({ id, room }: LeaveFrame, joined: JoinedRoom): Promise<void> {
    const { manager, definition } = this.route;
    try {
      if (definition.onLeave) await definition.onLeave(room, this);
      await manager.leaveRoom(this.id, room);
    } catch (error) {
      this.refuseOperation(id, error);
      return;
    }
    joined.clear();
    this.send(resultFrame(id, undefined));
  }

  private dropIfIdle(room: string, joined: JoinedRoom): void {
    if (!joined.isIdle || this.rooms?.get(room) !== joined) return;
    this.rooms.delete(room);
    if (this.rooms.size === 0) this.rooms = undefined;
  }

  /** Answers join or leave `id` with the error's code: ours, an `EventError`'s, or HANDLER_FAILED. */
  private refuseOperation(id: number, error: unknown): void {
    if (error instanceof WebSocketError || error instanceof EventError) {
      this.send(errorFrame({ id, code: error.code, message: error.message }));
      return;
    }
    this.log('A join or leave of a handleEvents route failed', error);
    this.send(
      errorFrame({ id, code: EVENT_ERROR_CODES.HANDLER_FAILED, message: 'The join or leave failed' }),
    );
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

  // ---- helpers ----------------------------------------------------------------------------------------

  private send(text: string): void {
    this.websocket.add(text);
  }

  /** Runs a user callback whose throw or rejection goes to `failed`. */
  private settle(callback: () => unknown, failed: (error: unknown) => void): void {
    try {
      const result = callback();
      if (isThenable(result)) result.then(undefined, failed);
    } catch (error) {
      failed(error);
    }
  }

  private log(message: string, error: unknown): void {
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
