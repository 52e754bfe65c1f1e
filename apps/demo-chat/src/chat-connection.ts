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

/**
 * One connection of the chat's events route on this instance: the name it connected with, the room it
 * is in, and what it asks for. Everything it asks (the protocol's joins, which `authorizeJoin` hands
 * here, and each event and request) runs one after the other, in the order the frames arrived, so a
 * `say` sent right after a join is never handled before it. Each counts against the budget of its
 * kind for `rateKey`, the client's address (see `rateLimitKey` and `FRAME_BUDGETS`), which outlives the
 * connection: a client that reconnects, or opens more connections, gets no fresh budget.
 */
export class ChatConnection {
  private name: string | undefined;
  private room: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();

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

  /** `authorizeJoin`: the chat's side of a protocol join of `room`; @arcade/ws then joins and recovers. */
  authorizeJoin(room: string): Promise<boolean> {
    return this.run('join', () => this.enter(room));
  }

  leaveRoom(): Promise<{ room: string }> {
    return this.run('leaveRoom', async () => {
      const room = await this.leaveCurrent();
      if (room === undefined) throw chatError('NOT_JOINED', 'You are not in a room.');
      return { room };
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
    await this.queue;
    const room = this.room;
    this.room = undefined;
    if (room !== undefined) await this.announceLeave(room);
  }

  private get user(): ChatUser {
    return { id: this.id, name: this.name ?? 'someone' };
  }

  /**
   * Runs `operation` after every earlier one of this connection, once its budget allowed it. A
   * refusal the client can act on reaches it as an `EventError` with the chat's code; anything else
   * (the storage did not answer) is logged and becomes `UNAVAILABLE`.
   */
  private run<T>(kind: ChatFrameKind, operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(() => {
      this.takeBudget(kind);
      return operation();
    });
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

  /**
   * A join: the name and the room checked, the room left for the new one, the name kept as connection
   * metadata, the directory and the room's members told. @arcade/ws adds the connection to the room
   * right after (and replays what it missed), so the notice counts it among the members already.
   */
  private async enter(requested: string): Promise<boolean> {
    const room = validateJoinedRoom(requested);
    const name = this.name ?? validateName(this.requestedName);
    if (this.room === room) return true;
    await this.leaveCurrent();
    const { realtime, rooms } = this.services;
    this.name = name;
    await realtime.updateConnectionMetadata(this.id, { name, room });
    this.room = room;
    await rooms.entered(room);
    const others = (await realtime.getRoomMembers(room)).filter((member) => member !== this.id);
    await this.announce('memberJoined', room, others.length + 1);
    return true;
  }

  /** Leaves the connection's room (on `leaveRoom`, or for another room on a join); returns it, if any. */
  private async leaveCurrent(): Promise<string | undefined> {
    const room = this.room;
    if (room === undefined) return undefined;
    this.room = undefined;
    const { realtime } = this.services;
    await realtime.leaveRoom(this.id, room);
    await realtime.updateConnectionMetadata(this.id, { room: null });
    await this.announceLeave(room);
    return room;
  }

  private async announceLeave(room: string): Promise<void> {
    // Both run whatever the other does: a failing notice must not leave the room counted in the directory.
    const results = await Promise.allSettled([this.services.rooms.left(room), this.noticeLeave(room)]);
    for (const result of results) if (result.status === 'rejected') throw result.reason;
  }

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
