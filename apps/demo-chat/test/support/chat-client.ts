import WebSocket from 'ws';
import type { ChatLine, ServerMessage } from '../../src/protocol';

type MessageOf<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

interface Waiter {
  matches: (message: ServerMessage) => boolean;
  resolve: (message: ServerMessage) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
  description: string;
}

/** Long enough for a loaded 2-core machine; it only turns a hang into a readable failure. */
const WAIT_LIMIT_MS = 15_000;

/**
 * A protocol-level chat client on `ws` for tests: every received message is kept in order, and
 * `next(type, predicate)` takes the first unread one that matches, waiting for it if needed.
 */
export class ChatClient {
  readonly received: ServerMessage[] = [];
  private readonly unread: ServerMessage[] = [];
  private readonly waiters = new Set<Waiter>();
  readonly closed: Promise<{ code: number; reason: string }>;
  connectionId = '';

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      const message = JSON.parse(data.toString()) as ServerMessage;
      this.received.push(message);
      for (const waiter of this.waiters) {
        if (waiter.matches(message)) {
          this.waiters.delete(waiter);
          clearTimeout(waiter.timer);
          waiter.resolve(message);
          return;
        }
      }
      this.unread.push(message);
    });
    this.closed = new Promise((resolve) => {
      socket.once('close', (code, reason) => {
        for (const waiter of this.waiters) {
          clearTimeout(waiter.timer);
          waiter.reject(new Error(`socket closed (${code}) while waiting for ${waiter.description}`));
        }
        this.waiters.clear();
        resolve({ code, reason: reason.toString() });
      });
    });
  }

  /** Connects to `<baseUrl>/ws` and waits for the server's `welcome`. */
  static async connect(baseUrl: string): Promise<ChatClient> {
    const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws`);
    const client = new ChatClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const welcome = await client.next('welcome');
    client.connectionId = welcome.connectionId;
    return client;
  }

  send(message: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(message));
  }

  sendRaw(data: string | Buffer): void {
    this.socket.send(data);
  }

  /** Takes the first unread message of `type` (matching `predicate`), waiting for it if needed. */
  next<T extends ServerMessage['type']>(
    type: T,
    predicate: (message: MessageOf<T>) => boolean = () => true,
  ): Promise<MessageOf<T>> {
    const matches = (message: ServerMessage): boolean =>
      message.type === type && predicate(message as MessageOf<T>);
    const index = this.unread.findIndex(matches);
    if (index >= 0) {
      const [message] = this.unread.splice(index, 1);
      return Promise.resolve(message as MessageOf<T>);
    }
    return new Promise<MessageOf<T>>((resolve, reject) => {
      const description = `a "${type}" message`;
      const waiter: Waiter = {
        matches,
        resolve: (message) => resolve(message as MessageOf<T>),
        reject,
        description,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(
            new Error(
              `no ${description} arrived; received so far: ${JSON.stringify(this.received.map((m) => m.type))}`,
            ),
          );
        }, WAIT_LIMIT_MS),
      };
      this.waiters.add(waiter);
    });
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

  /** Unread messages of `type`, without taking them. */
  unreadOf<T extends ServerMessage['type']>(type: T): MessageOf<T>[] {
    return this.unread.filter((message) => message.type === type) as MessageOf<T>[];
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close();
    await this.closed;
  }
}
