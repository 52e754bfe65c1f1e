import { type ConnectOptions, type Frame, TestClient } from '@arcade/test-support';
import type { ChatErrorCode, ChatLine, ServerMessage } from '../../src/protocol';

type MessageOf<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

/** Long enough for a loaded 2-core machine; it only turns a hang into a readable failure. */
const WAIT_LIMIT_MS = 15_000;

/** The chat message a text frame carries (the server sends only JSON text frames). */
function messageOf(frame: Frame): ServerMessage | undefined {
  return frame.isBinary ? undefined : (JSON.parse(frame.text) as ServerMessage);
}

/**
 * The chat protocol on top of the shared {@link TestClient}: every received message is kept in order,
 * and `next(type, predicate)` takes the first unread one that matches, waiting for it if needed.
 */
export class ChatClient {
  connectionId = '';

  private constructor(readonly client: TestClient) {}

  /**
   * Connects to `<baseUrl>/ws` and waits for the server's `welcome`. `options.localAddress` picks the
   * client's address, e.g. another loopback address (127.0.0.2) to act as a second client machine.
   */
  static async connect(baseUrl: string, options?: ConnectOptions): Promise<ChatClient> {
    const url = `${baseUrl.replace(/^http/, 'ws')}/ws`;
    const chat = new ChatClient(await TestClient.connect(url, options));
    const welcome = await chat.next('welcome');
    chat.connectionId = welcome.connectionId;
    return chat;
  }

  /** Every message received so far, in order (read or not). */
  get received(): ServerMessage[] {
    return this.client.history.flatMap((frame) => messageOf(frame) ?? []);
  }

  /** Resolves when the connection has closed. */
  get closed(): Promise<{ code: number; reason: string }> {
    return this.client.closed;
  }

  send(message: Record<string, unknown>): void {
    void this.client.send(JSON.stringify(message));
  }

  sendRaw(data: string | Buffer): void {
    void this.client.send(data);
  }

  /** Takes the first unread message of `type` (matching `predicate`), waiting for it if needed. */
  async next<T extends ServerMessage['type']>(
    type: T,
    predicate: (message: MessageOf<T>) => boolean = () => true,
  ): Promise<MessageOf<T>> {
    const message = await this.client.nextJson<ServerMessage>(
      (candidate) => candidate.type === type && predicate(candidate as MessageOf<T>),
      WAIT_LIMIT_MS,
    );
    return message as MessageOf<T>;
  }

  /** The next error the server sent. */
  nextError(): Promise<MessageOf<'error'>> {
    return this.next('error');
  }

  /** Joins `room` as `name` and resolves the `joined` reply. */
  async join(name: string, room: string): Promise<MessageOf<'joined'>> {
    this.send({ type: 'join', name, room });
    return this.next('joined', (message) => message.room === room);
  }

  /** Sends a chat line and waits until this client receives it back from the room. */
  async say(text: string): Promise<ChatLine> {
    this.send({ type: 'message', text });
    return this.next('message', (line) => line.text === text && line.from.id === this.connectionId);
  }

  /**
   * Sends a chat line and resolves what came of it: `'sent'` once the line comes back from the room,
   * else the code of the error the server answered with (`'rate_limited'`...).
   */
  async trySay(text: string): Promise<'sent' | ChatErrorCode> {
    this.send({ type: 'message', text });
    const outcome = await this.client.nextJson<ServerMessage>(
      (message) =>
        (message.type === 'message' && message.text === text && message.from.id === this.connectionId) ||
        (message.type === 'error' && message.requestType === 'message'),
      WAIT_LIMIT_MS,
    );
    return outcome.type === 'error' ? outcome.code : 'sent';
  }

  /** Unread messages of `type`, without taking them. */
  unreadOf<T extends ServerMessage['type']>(type: T): MessageOf<T>[] {
    return this.client.unconsumed.flatMap((frame) => {
      const message = messageOf(frame);
      return message?.type === type ? [message as MessageOf<T>] : [];
    });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
