import { EventError } from '@arcade/ws';
import type {
  ChatErrorCode,
  ChatFrameKind,
  ChatLine,
  ChatUser,
  MemberNotice,
  PrivateMessage,
  RoomSummary,
  RoomView,
  SentLine,
  Welcome,
} from './chat-events';
import { type ChatServices, roomMembers, userOf } from './chat-services';
import { FRAME_BUDGETS, refusalMessage } from './client-limits';
import { recentLines } from './history';
import { ChatInputError, validateJoinedRoom, validateName } from './validation';

function chatError(code: ChatErrorCode, message: string): EventError {
  return new EventError(code, message);
}

/** Waits for every one of `steps`, then throws the first failure, if any: none is left unawaited. */
async function settleAll(steps: readonly Promise<unknown>[]): Promise<void> {
  for (const result of await Promise.allSettled(steps)) if (result.status === 'rejected') throw result.reason;
}

/**
 * One connection of the chat's events route on this instance: the name it connected with, the room it
 * is in, and what it asks for. Everything it asks (the protocol's joins and leaves, which
 * `authorizeJoin` and `onLeave` hand here, and each event and request) runs one after the other, in the
 * order the frames arrived, and so does what follows an answered join (`onJoined`, queued as the join
 * is answered): a frame sent once a join was answered finds the connection in that room. Each frame
 * counts against the budget of its kind for `rateKey`, the client's address (see `rateLimitKey` and
 * `FRAME_BUDGETS`), which outlives the connection: a client that reconnects, or opens more
 * connections, gets no fresh budget.
 *
 * The connection is in one room at a time, and its `room` and the room directory's count always move
 * together (see `setRoom`).
 */
export class ChatConnection {
  private name: string | undefined;
  private room: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** Set by `closed()`: a join whose announcement has not started is not announced any more. */
  private closing = false;

  constructor(
    readonly id: string,
    private readonly services: ChatServices,
    private readonly rateKey: string,
    /** The `name` query parameter of the connection: checked by its first join. */
    private readonly requestedName: string | undefined,
  ) {}

  /** The first event of the connection: its id and the limits the page should respect. */
  welcome(): Welcome {
    return {
      connectionId: this.id,
      serverInstanceId: this.services.serverInstanceId(),
      limits: this.services.limits,
    };
  }

  /**
   * `authorizeJoin`: the checks of a protocol join of `room` (its budget, the room's and the name's
   * rules) and nothing else. A join can still fail in @arcade/ws after this (the storage), so what a
   * join changes waits for `joined`.
   */
  authorizeJoin(room: string): Promise<boolean> {
    return this.run('join', async () => {
      validateJoinedRoom(room);
      this.name ??= validateName(this.requestedName);
      return true;
    });
  }

  /**
   * `onJoined`: @arcade/ws answered the join of `room`, so the connection is a member: it leaves the
   * room it was in (one room at a time), the directory counts it, and the room's members are told,
   * with a count that includes it. Counted against no budget: the join was. Never rejects: a failure
   * is logged (by `replyError`) and the join stands, as @arcade/ws has it.
   */
  joined(room: string): Promise<void> {
    return this.serial('join', () => this.arrive(room)).catch(() => undefined);
  }

  /**
   * `onLeave`: the protocol's leave of `room`, awaited by @arcade/ws before it applies it. Counted with
   * the joins whatever room it names (each is a storage step of @arcade/ws); refused past that budget,
   * before it has any effect. When it is the connection's room, the connection is taken out of it
   * here, before the room's members and the directory are told (so the notice's count is the room's);
   * @arcade/ws's own leave then finds it out already.
   */
  leave(room: string): Promise<void> {
    return this.run('leave', async () => {
      if (this.room === room) await this.leaveCurrent();
    });
  }

  say(text: string): Promise<SentLine> {
    return this.run('say', () => this.speak(text));
  }

  whisper(to: string, text: string): Promise<PrivateMessage> {
    return this.run('whisper', () => this.whisperTo(to, text));
  }

  typing(typing: boolean): Promise<void> {
    return this.run('typing', async () => {
      const room = this.requireRoom();
      await this.services.events
        .toRoom(room, { exclude: this.id })
        .emit('typing', { room, from: this.user, typing });
    });
  }

  listRooms(): Promise<RoomSummary[]> {
    return this.run('listRooms', () => this.services.rooms.list());
  }

  roomView(room: string, history: boolean): Promise<RoomView> {
    return this.run('roomView', async () => {
      if (this.room !== room) {
        throw chatError('NOT_JOINED', `You are not in room ${JSON.stringify(room)}: join it first.`);
      }
      const { realtime, historyLength } = this.services;
      const [members, lines] = await Promise.all([
        roomMembers(realtime, room),
        history ? recentLines(realtime, room, historyLength) : [],
      ]);
      return { room, you: this.user, members, lines };
    });
  }

  /** Tells the room this user left; called once when the socket is done. */
  async closed(): Promise<void> {
    this.closing = true;
    await this.queue;
    const room = this.room;
    if (room !== undefined) await settleAll([this.setRoom(undefined), this.noticeLeave(room)]);
  }

  private get user(): ChatUser {
    return { id: this.id, name: this.name ?? 'someone' };
  }

  /** Runs `operation` after every earlier one of this connection, once the budget of `kind` allowed it. */
  private run<T>(kind: ChatFrameKind, operation: () => Promise<T>): Promise<T> {
    return this.serial(kind, () => {
      this.takeBudget(kind);
      return operation();
    });
  }

  /**
   * Runs `operation` after every earlier one of this connection. A refusal the client can act on
   * reaches it as an `EventError` with the chat's code; anything else (the storage did not answer) is
   * logged and becomes `UNAVAILABLE`.
   */
  private serial<T>(kind: ChatFrameKind, operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation);
    this.queue = result.catch(() => undefined);
    return result.catch((error: unknown) => {
      throw this.replyError(kind, error);
    });
  }

  private replyError(kind: ChatFrameKind, error: unknown): EventError {
    if (error instanceof EventError) return error;
    if (error instanceof ChatInputError && (error.code === 'INVALID_NAME' || error.code === 'INVALID_ROOM')) {
      return chatError(error.code, error.message);
    }
    this.services.logger.error('chat request failed', {
      connectionId: this.id,
      kind,
      error: error instanceof Error ? error.message : String(error),
    });
    return chatError('UNAVAILABLE', 'The server could not handle this just now; try again in a moment.');
  }

  /** Counts the frame against its budget; refuses it, before it has any effect, when the budget is spent. */
  private takeBudget(kind: ChatFrameKind): void {
    const decision = this.services.clientLimits.takeFrame(kind, this.rateKey);
    if (!decision.allowed) {
      throw chatError('RATE_LIMITED', refusalMessage(FRAME_BUDGETS[kind], decision.retryAfterMs));
    }
  }

  private requireRoom(): string {
    if (this.room === undefined) throw chatError('NOT_JOINED', 'Join a room first.');
    return this.room;
  }

  /** What follows an answered join of `room` (see `joined`). */
  private async arrive(room: string): Promise<void> {
    if (this.closing || this.room === room) return;
    const previous = this.room;
    const { realtime } = this.services;
    await settleAll([
      this.setRoom(room),
      (async () => {
        if (previous !== undefined) {
          await realtime.leaveRoom(this.id, previous);
          await this.noticeLeave(previous);
        }
        await realtime.updateConnectionMetadata(this.id, { name: this.user.name, room });
      })(),
    ]);
    // After the directory's write: a member that lists the rooms once it heard of this one counts it.
    const members = await realtime.getRoomMembers(room);
    await this.announce('memberJoined', room, members.length);
  }

  /** Takes the connection out of its room, as its members and the directory see it. */
  private async leaveCurrent(): Promise<void> {
    const room = this.room;
    if (room === undefined) return;
    const { realtime } = this.services;
    await settleAll([
      this.setRoom(undefined),
      (async () => {
        await realtime.leaveRoom(this.id, room);
        await realtime.updateConnectionMetadata(this.id, { room: null });
        await this.noticeLeave(room);
      })(),
    ]);
  }

  /**
   * Makes `room` the connection's room and moves its count in the directory at once (the directory's
   * write follows; the promise is its outcome), so that a failure of any later step leaves neither
   * counting a room the other does not.
   */
  private setRoom(room: string | undefined): Promise<void> {
    const { rooms } = this.services;
    const previous = this.room;
    this.room = room;
    const writes: Promise<void>[] = [];
    if (previous !== undefined) writes.push(rooms.left(previous));
    if (room !== undefined) writes.push(rooms.entered(room));
    return settleAll(writes);
  }

  /** Tells the others in `room` that this user left it, with the count of those who remain. */
  private async noticeLeave(room: string): Promise<void> {
    const remaining = (await this.services.realtime.getRoomMembers(room)).filter(
      (member) => member !== this.id,
    );
    await this.announce('memberLeft', room, remaining.length);
  }

  /** Tells the others in `room` that this user joined or left. */
  private async announce(
    event: 'memberJoined' | 'memberLeft',
    room: string,
    memberCount: number,
  ): Promise<void> {
    const notice: MemberNotice = { room, member: this.user, memberCount, at: new Date().toISOString() };
    await this.services.events.toRoom(room, { exclude: this.id }).emit(event, notice);
  }

  private async speak(text: string): Promise<SentLine> {
    const room = this.requireRoom();
    const line: ChatLine = {
      id: this.services.nextMessageId(),
      room,
      from: this.user,
      text,
      at: new Date().toISOString(),
    };
    // One storage step keeps the line in the room's history (bounded by size and ttlMs) and publishes
    // it: every member, the sender too, receives it once, in history order, with its position, and a
    // member that was away gets it back when it rejoins.
    const position = await this.services.events.toRoom(room, { history: true }).emit('line', line);
    return { id: line.id, position };
  }

  private async whisperTo(to: string, text: string): Promise<PrivateMessage> {
    this.requireRoom();
    const { realtime, events } = this.services;
    const notFound = chatError(
      'RECIPIENT_NOT_FOUND',
      'That user is not connected any more: pick someone from the member list.',
    );
    const info = await realtime.getConnectionInfo(to);
    if (info === null) throw notFound;
    const message: PrivateMessage = {
      id: this.services.nextMessageId(),
      from: this.user,
      to: userOf(info, to),
      text,
      at: new Date().toISOString(),
    };
    if (!(await events.toConnection(to).emit('whisper', message))) throw notFound;
    return message;
  }
}
