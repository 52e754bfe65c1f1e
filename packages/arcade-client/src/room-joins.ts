// Joins and leaves on the wire (README, "Rooms and recovery"): `join(room)` and `leave(room)`, the
// rejoin of every wanted room on each new socket (with the last position seen), and the retry of a
// join the server's storage could not serve. The state of each room and the rules of its positions are
// rooms.ts's; this file sends the frames and settles the promises.
import type { JoinResult, RoomPosition } from '@arcade/ws/protocol';
import { type BackoffBounds, backoffDelay } from './backoff.js';
import type { Connection } from './connection.js';
import {
  ArcadeClientError,
  ClientClosedError,
  JoinCancelledError,
  RequestTimeoutError,
  ServerError,
} from './errors.js';
import type { ErrorReply } from './frames.js';
import type { ResolvedOptions } from './options.js';
import type { PendingCalls } from './pending-calls.js';
import { isTransientRefusal } from './protocol.js';
import { type JoinInfo, type RoomEntry, Rooms, readJoinResult } from './rooms.js';
import type { SendPath } from './send-path.js';
import type { WebSocketLike } from './socket.js';

/** Used for the retries of joins the storage could not serve when reconnection is off. */
const DEFAULT_BOUNDS: BackoffBounds = { minDelayMs: 500, maxDelayMs: 20_000 };

/** What the joins tell the client. */
export interface RoomJoinEvents {
  /** A join or rejoin succeeded (`onJoin`). */
  readonly joined: (room: string, info: JoinInfo) => void;
  /** What has no promise to reject (`onError`): a refused rejoin, a bad reply, a retried join. */
  readonly error: (error: ArcadeClientError) => void;
}

export class RoomJoins {
  private readonly rooms = new Rooms();
  /** Leaves refused for a moment, waiting for their next try: each settles its promise when cancelled. */
  private readonly leaveRetries = new Map<ReturnType<typeof setTimeout>, () => void>();

  constructor(
    private readonly options: Pick<ResolvedOptions, 'requestTimeoutMs' | 'reconnect' | 'random'>,
    private readonly connection: Pick<Connection, 'live' | 'isClosed'>,
    private readonly calls: PendingCalls,
    private readonly sendPath: SendPath,
    private readonly events: RoomJoinEvents,
  ) {}

  /** The wanted rooms, each with the last position seen: a snapshot. */
  view(): ReadonlyMap<string, RoomPosition | null> {
    return this.rooms.view();
  }

  /** A history frame of `room` arrived at `position`. */
  seen(room: string, position: RoomPosition): void {
    this.rooms.seen(room, position);
  }

  /** `join(room)`: see `ArcadeClient.join`. */
  join(room: string): Promise<JoinResult> {
    if (this.connection.isClosed) return Promise.reject(new ClientClosedError(`join "${room}"`));
    const socket = this.connection.live;
    let entry = this.rooms.get(room);
    if (entry?.joined && socket && entry.socket === socket) {
      return Promise.resolve({ recovered: true, position: entry.position });
    }
    if (!entry) {
      entry = this.rooms.want(room);
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

  /** `leave(room)`: see `ArcadeClient.leave`. */
  leave(room: string): Promise<void> {
    const entry = this.rooms.drop(room);
    if (entry) for (const waiter of entry.waiters.splice(0)) waiter.reject(new JoinCancelledError(room));
    const socket = this.connection.live;
    // Not connected: the next connection will simply not rejoin it.
    if (!socket) return Promise.resolve();
    return new Promise<void>((resolve, reject) => this.sendLeave(socket, room, entry, 0, resolve, reject));
  }

  /**
   * Sends a leave of `room` on `socket`. Refused for a moment (`RATE_LIMITED`, `STORAGE_UNAVAILABLE`),
   * it is sent again after a backoff, as long as that socket lives and the room was not joined again.
   * Refused for good, the server keeps the connection in the room: so does the client, if the room was
   * joined there (and the promise rejects), rather than forget a room whose messages still arrive.
   */
  private sendLeave(
    socket: WebSocketLike,
    room: string,
    entry: RoomEntry | undefined,
    failures: number,
    resolve: () => void,
    reject: (error: unknown) => void,
  ): void {
    const id = this.calls.newId();
    const timeoutMs = this.options.requestTimeoutMs;
    const stillLeaving = () => this.connection.live === socket && !this.rooms.get(room);
    this.calls.add(
      id,
      socket,
      {
        result: () => resolve(),
        refused: (reply) => {
          if (isTransientRefusal(reply.code) && stillLeaving()) {
            const delayMs = backoffDelay(
              failures,
              this.options.reconnect || DEFAULT_BOUNDS,
              this.options.random,
            );
            const timer = setTimeout(() => {
              this.leaveRetries.delete(timer);
              if (stillLeaving()) this.sendLeave(socket, room, entry, failures + 1, resolve, reject);
              else resolve();
            }, delayMs);
            this.leaveRetries.set(timer, resolve);
            return;
          }
          if (entry?.joined && entry.socket === socket && stillLeaving()) this.rooms.restore(room, entry);
          reject(new ServerError(reply.code, reply.message, { room, issues: reply.issues }));
        },
        // The connection that was in the room is gone, and the next one will not rejoin it: left.
        lost: () => resolve(),
        closed: () => resolve(),
        timedOut: () => reject(new RequestTimeoutError(`leave "${room}"`, timeoutMs)),
      },
      timeoutMs,
    );
    this.sendPath.writeNow(socket, JSON.stringify({ t: 'leave', id, room }));
  }

  /**
   * A socket opened: a join of every wanted room on it. Each promise settles once its join is answered
   * or lost, or its timeout passed (the queue is written after them: queued frames reach the server
   * after the rooms they may be about).
   */
  rejoin(socket: WebSocketLike): Promise<void>[] {
    const joins: Promise<void>[] = [];
    for (const [room, entry] of this.rooms.all()) joins.push(this.sendJoin(socket, room, entry));
    return joins;
  }

  /** The socket is gone: no room is joined any more (they stay wanted, with their positions). */
  disconnected(): void {
    // A leave waiting for its retry is done: the next connection will not rejoin the room.
    this.cancelLeaveRetries();
    this.rooms.disconnected();
  }

  /** The client closed: every room is forgotten, and every `join(room)` still waiting rejects. */
  close(): void {
    this.cancelLeaveRetries();
    for (const entry of this.rooms.clear()) {
      for (const waiter of entry.waiters.splice(0)) waiter.reject(new ClientClosedError('join'));
    }
  }

  private cancelLeaveRetries(): void {
    for (const [timer, left] of this.leaveRetries) {
      clearTimeout(timer);
      left();
    }
    this.leaveRetries.clear();
  }

  /**
   * Sends a join of `room` (with `since` when a position is known). Resolves when it is answered, lost
   * or older than `requestTimeoutMs`; an answer that comes later is still applied.
   */
  private sendJoin(socket: WebSocketLike, room: string, entry: RoomEntry): Promise<void> {
    const id = this.calls.newId();
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
      this.sendPath.writeNow(
        socket,
        JSON.stringify(since ? { t: 'join', id, room, since } : { t: 'join', id, room }),
      );
    });
  }

  private joinAnswered(room: string, id: number, data: unknown): void {
    const entry = this.rooms.get(room);
    // Left meanwhile, or a newer join of the same room was sent.
    if (!entry || entry.joinId !== id) return;
    const result = readJoinResult(data);
    if (!result) {
      this.events.error(
        new ArcadeClientError('BAD_REPLY', `the server answered join "${room}" with ${JSON.stringify(data)}`),
      );
      return;
    }
    const info = this.rooms.applyJoin(entry, result);
    const answer = { recovered: info.recovered, position: info.position };
    for (const waiter of entry.waiters.splice(0)) waiter.resolve(answer);
    this.events.joined(room, info);
  }

  private joinRefused(room: string, id: number, socket: WebSocketLike, reply: ErrorReply): void {
    const entry = this.rooms.get(room);
    if (!entry || entry.joinId !== id) return;
    const error = new ServerError(reply.code, reply.message, { room, issues: reply.issues });
    if (isTransientRefusal(reply.code)) {
      // The server's storage is down for a moment, or its rate limit dropped the join: the room stays
      // wanted and the join is tried again.
      const bounds = this.options.reconnect || DEFAULT_BOUNDS;
      const delayMs = backoffDelay(entry.failures++, bounds, this.options.random);
      entry.retryTimer = setTimeout(() => {
        entry.retryTimer = undefined;
        if (this.connection.live === socket && this.rooms.get(room) === entry) {
          void this.sendJoin(socket, room, entry);
        }
      }, delayMs);
      this.events.error(error);
      return;
    }
    this.rooms.drop(room);
    const waiters = entry.waiters.splice(0);
    for (const waiter of waiters) waiter.reject(error);
    if (waiters.length === 0) this.events.error(error);
  }
}
