import { type ChatServices, roomMembers, userOf } from './chat-services';
import { FRAME_BUDGETS, refusalMessage } from './client-limits';
import { recentLines } from './history';
import type { ChatLine, ChatUser, ClientMessage, ServerMessage } from './protocol';
import { ChatInputError, parseClientMessage } from './validation';

/** The part of an @arcade/ws socket the chat writes to. */
export interface ChatSocket {
  add(data: string): void;
}

/**
 * One browser (or any client) connected to this instance: its chosen name and room, and the handling
 * of its frames. Frames are handled one after the other, so a `join` followed at once by a `message`
 * never sees the message overtake the join. Every frame it sends counts against the budget of its
 * type for `rateKey`, the client's address (see `rateLimitKey` and `FRAME_BUDGETS`), which outlives
 * the connection: a client that reconnects, or opens more connections, gets no fresh budget.
 */
export class ChatConnection {
  private name: string | undefined;
  private room: string | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly id: string,
    private readonly socket: ChatSocket,
    private readonly services: ChatServices,
    private readonly rateKey: string,
  ) {}

  /** Greets the client with its id and the limits it should respect. */
  start(): void {
    this.send({
      type: 'welcome',
      connectionId: this.id,
      serverInstanceId: this.services.serverInstanceId(),
      limits: this.services.limits,
    });
  }

  /** Queues one received frame. */
  receive(frame: string | Uint8Array): void {
    this.queue = this.queue.then(() => this.handle(frame));
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

  private send(message: ServerMessage): void {
    try {
      this.socket.add(JSON.stringify(message));
    } catch (error) {
      // The socket closed while a reply was being prepared: nobody is left to read it.
      this.services.logger.debug('chat reply dropped', { connectionId: this.id, error: String(error) });
    }
  }

  private async handle(frame: string | Uint8Array): Promise<void> {
    let request: ClientMessage | undefined;
    try {
      request = parseClientMessage(frame);
      await this.dispatch(request);
    } catch (error) {
      if (error instanceof ChatInputError) {
        this.send({
          type: 'error',
          code: error.code,
          message: error.message,
          ...(error.requestType ? { requestType: error.requestType } : {}),
          ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
        });
        return;
      }
      this.services.logger.error('chat request failed', {
        connectionId: this.id,
        requestType: request?.type,
        error: error instanceof Error ? error.message : String(error),
      });
      this.send({
        type: 'error',
        code: 'unavailable',
        message: 'The server could not handle this just now; try again in a moment.',
        ...(request ? { requestType: request.type } : {}),
      });
    }
  }

  private async dispatch(request: ClientMessage): Promise<void> {
    this.takeBudget(request.type);
    switch (request.type) {
      case 'join':
        return this.join(request.name, request.room);
      case 'leave':
        return this.leave();
      case 'list_rooms':
        this.send({ type: 'rooms', rooms: await this.services.rooms.list() });
        return;
      case 'message':
        return this.say(request.text);
      case 'typing':
        return this.typing(request.typing);
      case 'private':
        return this.whisper(request.to, request.text);
    }
  }

  private requireRoom(requestType: string): string {
    if (this.room === undefined) {
      throw new ChatInputError(
        'not_joined',
        'Join a room first: send {"type":"join","name":...,"room":...}.',
        requestType,
      );
    }
    return this.room;
  }

  /** Counts the frame against its budget; refuses it, before it has any effect, when the budget is spent. */
  private takeBudget(requestType: ClientMessage['type']): void {
    const decision = this.services.clientLimits.takeFrame(requestType, this.rateKey);
    if (decision.allowed) return;
    throw new ChatInputError(
      'rate_limited',
      refusalMessage(FRAME_BUDGETS[requestType], decision.retryAfterMs),
      requestType,
      decision.retryAfterMs,
    );
  }

  private async join(name: string, room: string): Promise<void> {
    const { realtime, rooms, historyLength } = this.services;
    const rejoin = this.room === room;
    if (this.room !== undefined && !rejoin) await this.leave(false);
    this.name = name;
    await realtime.updateConnectionMetadata(this.id, { name, room });
    await realtime.joinRoom(this.id, room);
    this.room = room;
    // A second join of the same room (a new name, say) is still one member.
    if (!rejoin) await rooms.entered(room);
    const members = await roomMembers(realtime, room);
    // The connection is in the room before the history is read: a line stored before the read is in
    // `history`, one stored after it arrives live (possibly just before `joined`), and one stored in
    // between comes both ways with the same id. The page shows each id once.
    const lines = await recentLines(realtime, room, historyLength);
    this.send({ type: 'joined', room, you: this.user, members, history: lines });
    await this.announce('member_joined', room, members.length);
  }

  private async leave(confirm = true): Promise<void> {
    const room = this.room;
    if (room === undefined) {
      if (confirm) throw new ChatInputError('not_joined', 'You are not in a room.', 'leave');
      return;
    }
    this.room = undefined;
    await this.services.realtime.leaveRoom(this.id, room);
    await this.services.realtime.updateConnectionMetadata(this.id, { room: null });
    if (confirm) this.send({ type: 'left', room });
    await this.announceLeave(room);
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
    await this.announce('member_left', room, remaining.length);
  }

  /** Tells the others in `room` that this user joined or left. */
  private async announce(
    type: 'member_joined' | 'member_left',
    room: string,
    memberCount: number,
  ): Promise<void> {
    const notice: ServerMessage = {
      type,
      room,
      member: this.user,
      memberCount,
      at: new Date().toISOString(),
    };
    await this.services.realtime.emitToRoom(room, JSON.stringify(notice), { exclude: this.id });
  }

  private async say(text: string): Promise<void> {
    const room = this.requireRoom('message');
    const line: ChatLine = {
      type: 'message',
      id: this.services.nextMessageId(),
      room,
      from: this.user,
      text,
      at: new Date().toISOString(),
    };
    // One storage step keeps the line in the room's history (bounded by size and ttlMs) and publishes
    // it: every member, the sender too, receives it once, in history order, once it is stored.
    await this.services.realtime.emitToRoom(room, JSON.stringify(line), { history: true });
  }

  private async typing(typing: boolean): Promise<void> {
    const room = this.requireRoom('typing');
    await this.services.realtime.emitToRoom(
      room,
      JSON.stringify({ type: 'typing', room, from: this.user, typing } satisfies ServerMessage),
      { exclude: this.id },
    );
  }

  private async whisper(to: string, text: string): Promise<void> {
    this.requireRoom('private');
    const { realtime } = this.services;
    const info = await realtime.getConnectionInfo(to);
    const notFound = new ChatInputError(
      'recipient_not_found',
      'That user is not connected any more: pick someone from the member list.',
      'private',
    );
    if (info === null) throw notFound;
    const message: ServerMessage = {
      type: 'private',
      id: this.services.nextMessageId(),
      from: this.user,
      to: userOf(info, to),
      text,
      at: new Date().toISOString(),
    };
    const frame = JSON.stringify(message);
    if (!(await realtime.emitToConnection(to, frame))) throw notFound;
    if (to !== this.id) this.send(message);
  }
}
