import { type ConnectOptions, type Frame, TestClient } from '@arcade/test-support';
import {
  type ClientFrame,
  EVENTS_SUBPROTOCOL,
  type JoinResult,
  type PayloadIssue,
  type RoomPosition,
} from '@arcade/ws';

/** A `res` or `err` frame, parsed. */
export interface Reply {
  readonly t: 'res' | 'err';
  readonly id?: number;
  readonly event?: string;
  readonly data?: unknown;
  readonly code?: string;
  readonly message?: string;
  readonly issues?: PayloadIssue[];
}

/** A history frame, parsed: its position and its payload in one of the three forms. */
export interface HistoryFrameJson {
  readonly room: string;
  readonly epoch: string;
  readonly offset: number;
  readonly event?: string;
  readonly data?: unknown;
  readonly message?: string;
  readonly binary?: string;
}

function parse(frame: Frame): Record<string, unknown> | undefined {
  if (frame.isBinary) return undefined;
  try {
    const value: unknown = JSON.parse(frame.text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a frame is a history frame of `room`. */
export function isHistoryFrameOf(room: string): (frame: Frame) => boolean {
  return (frame) => {
    const value = parse(frame);
    return value?.room === room && typeof value.offset === 'number';
  };
}

/**
 * A raw `ws` client speaking the events protocol by hand (docs/events-protocol.md), for wire-level
 * tests: it numbers requests, joins and leaves, and awaits the reply of each.
 */
export class ProtocolClient {
  private lastId = 0;

  private constructor(readonly client: TestClient) {}

  /** Connects to `url` offering `arcade.events.v1` (and whatever `options.protocols` adds). */
  static async connect(url: string, options: ConnectOptions = {}): Promise<ProtocolClient> {
    const extra = options.protocols === undefined ? [] : [options.protocols].flat();
    const client = await TestClient.connect(url, { ...options, protocols: [EVENTS_SUBPROTOCOL, ...extra] });
    return new ProtocolClient(client);
  }

  /** Sends a frame as JSON text. */
  send(frame: ClientFrame | Record<string, unknown>): Promise<void> {
    return this.client.send(JSON.stringify(frame));
  }

  emit(event: string, data?: unknown): Promise<void> {
    return this.send(data === undefined ? { t: 'emit', event } : { t: 'emit', event, data });
  }

  /** Sends a request and resolves its `res` or `err`. */
  async request(event: string, data?: unknown): Promise<Reply> {
    const id = this.nextId();
    await this.send(data === undefined ? { t: 'req', id, event } : { t: 'req', id, event, data });
    return this.reply(id);
  }

  /** Sends a join and resolves its reply (history frames of the replay stay pending, before it). */
  async join(room: string, since?: RoomPosition): Promise<Reply & { data?: JoinResult }> {
    const id = this.nextId();
    await this.send(since ? { t: 'join', id, room, since } : { t: 'join', id, room });
    return (await this.reply(id)) as Reply & { data?: JoinResult };
  }

  async leave(room: string): Promise<Reply> {
    const id = this.nextId();
    await this.send({ t: 'leave', id, room });
    return this.reply(id);
  }

  /** The reply to `id`. */
  reply(id: number): Promise<Reply> {
    return this.client.nextJson<Reply>(
      (value) => (value.t === 'res' || value.t === 'err') && value.id === id,
    );
  }

  /** The next `err` frame without an id (an event refused, or a bad frame). */
  nextError(): Promise<Reply> {
    return this.client.nextJson<Reply>((value) => value.t === 'err' && value.id === undefined);
  }

  /** Every history frame of `room` received so far, in arrival order (consumed or not). */
  historyFramesOf(room: string): HistoryFrameJson[] {
    return this.client.history
      .filter(isHistoryFrameOf(room))
      .map((frame) => JSON.parse(frame.text) as HistoryFrameJson);
  }

  /** Resolves once `count` history frames of `room` have arrived in all. */
  async waitForHistoryFrames(room: string, count: number): Promise<HistoryFrameJson[]> {
    // Consuming a frame that had arrived already does not count: only arrivals grow the history.
    while (this.historyFramesOf(room).length < count) await this.client.next(isHistoryFrameOf(room));
    return this.historyFramesOf(room);
  }

  close(): Promise<unknown> {
    return this.client.close();
  }

  private nextId(): number {
    this.lastId += 1;
    return this.lastId;
  }
}
