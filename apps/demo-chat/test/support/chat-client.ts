import {
  type ArcadeClient,
  type ArcadeClientError,
  createClient,
  type EventMeta,
  ServerError,
} from '@arcade/client';
import type { JoinResult } from '@arcade/ws/protocol';
import { type ClientOptions, WebSocket } from 'ws';
import type { ChatEvents, ChatLine, RoomView } from '../../src';

type ToClient = ChatEvents['toClient'];
type EventName = keyof ToClient;

/** One event the client received, in arrival order. */
export interface Received<E extends EventName = EventName> {
  readonly event: E;
  readonly data: ToClient[E];
  readonly meta: EventMeta;
}

/** What {@link ChatClient.join} resolves: the protocol join's answer and the room's view with its lines. */
export type Joined = RoomView & JoinResult;

/**
 * Options of {@link ChatClient.connect}: those of each `ws` socket (`localAddress`, e.g. 127.0.0.2 to
 * act as a second machine; `origin`, none by default as a program sends; `headers`), and more.
 */
export interface ChatClientOptions extends Pick<ClientOptions, 'localAddress' | 'origin' | 'headers'> {
  /** Reconnect after a lost connection, as the page does. @default false (one connection) */
  reconnect?: boolean;
}

/** Long enough for a loaded 2-core machine; it only turns a hang into a readable failure. */
const WAIT_LIMIT_MS = 15_000;

/** Every event of the map: the compiler refuses a new one until it is listed here. */
const EVENT_NAMES: Readonly<Record<EventName, true>> = {
  welcome: true,
  line: true,
  whisper: true,
  memberJoined: true,
  memberLeft: true,
  typing: true,
  announcement: true,
};

interface Waiter {
  readonly matches: (received: Received) => boolean;
  readonly resolve: (received: Received) => void;
  readonly fail: (why: string) => void;
}

/**
 * The chat's own client in a test: @arcade/client on Node (with `ws`), typed by the chat's events map.
 * It records every event in order; `next(event, predicate)` takes the first unread one that matches,
 * waiting for it if needed, and fails (rather than hangs) when the client closes for good.
 */
export class ChatClient {
  /** Every event received, in order (read or not). */
  readonly received: Received[] = [];
  /** What the client reported to `onError`, in order. */
  readonly errors: ArcadeClientError[] = [];
  connectionId = '';
  private readonly read = new Set<Received>();
  private readonly waiters = new Set<Waiter>();
  private closedBecause: string | undefined;

  private constructor(readonly client: ArcadeClient<ChatEvents>) {
    for (const event of Object.keys(EVENT_NAMES) as EventName[]) {
      client.on(event, (data, meta) => this.receive({ event, data, meta } as Received));
    }
    client.onError((error) => this.errors.push(error));
    client.onStatus((status) => {
      if (status.status !== 'closed') return;
      // A closed client receives nothing more: whoever waits fails at once, with why it closed.
      this.closedBecause = `the client closed (${status.code ?? 'no code'} ${status.reason}): ${status.error?.message ?? 'closed'}`;
      for (const waiter of this.waiters) waiter.fail(this.closedBecause);
    });
  }

  /** Connects to `<baseUrl>/ws` as `name` (the connection's `name` parameter) and waits for `welcome`. */
  static async connect(baseUrl: string, name: string, options: ChatClientOptions = {}): Promise<ChatClient> {
    const { reconnect, ...socketOptions } = options;
    class TestWebSocket extends WebSocket {
      constructor(address: string | URL, protocols?: string | string[]) {
        super(address, protocols, socketOptions);
      }
    }
    const client = createClient<ChatEvents>(`${baseUrl.replace(/^http/, 'ws')}/ws`, {
      WebSocket: TestWebSocket,
      params: () => ({ name }),
      reconnect: reconnect ? { minDelayMs: 100, maxDelayMs: 500 } : false,
      network: null,
    });
    const chat = new ChatClient(client);
    try {
      chat.connectionId = (await chat.next('welcome')).connectionId;
    } catch (error) {
      await client.close();
      throw error;
    }
    return chat;
  }

  /** Takes the first unread event `event` (matching `predicate`), waiting for it if needed. */
  next<E extends EventName>(
    event: E,
    predicate: (data: ToClient[E], meta: EventMeta) => boolean = () => true,
  ): Promise<ToClient[E]> {
    const matches = (received: Received): boolean =>
      received.event === event && predicate(received.data as ToClient[E], received.meta);
    const found = this.received.find((received) => !this.read.has(received) && matches(received));
    if (found) {
      this.read.add(found);
      return Promise.resolve(found.data as ToClient[E]);
    }
    return new Promise((resolve, reject) => {
      const fail = (why: string) => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        const seen = this.received.map((received) => received.event).join(', ');
        reject(new Error(`no ${event} event: ${why}; received so far: ${seen || 'nothing'}`));
      };
      const waiter: Waiter = {
        matches,
        resolve: (received) => {
          clearTimeout(timer);
          resolve(received.data as ToClient[E]);
        },
        fail,
      };
      const timer = setTimeout(() => fail(`not within ${WAIT_LIMIT_MS} ms`), WAIT_LIMIT_MS);
      if (this.closedBecause !== undefined) fail(this.closedBecause);
      else this.waiters.add(waiter);
    });
  }

  /** The events `event` received so far, read or not. */
  all<E extends EventName>(event: E): ToClient[E][] {
    return this.received.flatMap((received) =>
      received.event === event ? [received.data as ToClient[E]] : [],
    );
  }

  /** Joins `room` (the protocol's join, as the page does), then reads its view with its recent lines. */
  async join(room: string): Promise<Joined> {
    const result = await this.client.join(room);
    const view = await this.client.request('roomView', { room, history: true });
    return { ...result, ...view };
  }

  /** Sends a chat line and resolves it once it came back from the room. */
  async say(text: string): Promise<ChatLine> {
    const { id } = await this.client.request('say', { text });
    return this.next('line', (line) => line.id === id);
  }

  /** Sends a chat line: `'sent'` once the server kept it, else the code of the server's refusal. */
  async trySay(text: string): Promise<string> {
    return outcomeOf(this.client.request('say', { text }));
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private receive(received: Received): void {
    this.received.push(received);
    for (const waiter of this.waiters) {
      if (!waiter.matches(received)) continue;
      this.waiters.delete(waiter);
      this.read.add(received);
      waiter.resolve(received);
      return;
    }
  }
}

/** `'sent'` when `request` resolves, the `code` of the `ServerError` it rejects with otherwise. */
export async function outcomeOf(request: Promise<unknown>): Promise<string> {
  try {
    await request;
    return 'sent';
  } catch (error) {
    if (error instanceof ServerError) return error.code;
    throw error;
  }
}

/** The `ServerError` `request` rejects with (fails when it resolves). */
export async function refusalOf(request: Promise<unknown>): Promise<ServerError> {
  try {
    await request;
  } catch (error) {
    if (error instanceof ServerError) return error;
    throw error;
  }
  throw new Error('the request was accepted; a refusal was expected');
}
