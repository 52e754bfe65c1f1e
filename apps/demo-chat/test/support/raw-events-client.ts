import { type Frame, TestClient } from '@arcade/test-support';
import { EVENTS_SUBPROTOCOL } from '@arcade/ws/protocol';
import type { ChatEvents, Welcome } from '../../src';

/** A server frame of the events protocol, as parsed JSON (docs/events-protocol.md of @arcade/ws). */
export interface ServerFrame {
  t?: string;
  id?: number;
  event?: string;
  code?: string;
  message?: string;
  data?: unknown;
  room?: string;
}

/**
 * The events protocol spoken by hand, as a script would (no client library: no queue, no rejoin, no
 * deduplication): each call writes one frame. For tests of what the server lets through whatever a
 * client sends.
 */
export class RawEventsClient {
  private nextId = 1;

  private constructor(
    readonly client: TestClient,
    /** The connection's id, from its `welcome`. */
    readonly connectionId: string,
  ) {}

  /** Opens `<baseUrl>/ws?name=<name>` with the protocol's subprotocol and waits for `welcome`. */
  static async connect(baseUrl: string, name: string, localAddress = '127.0.0.1'): Promise<RawEventsClient> {
    const url = `${baseUrl.replace(/^http/, 'ws')}/ws?name=${encodeURIComponent(name)}`;
    const client = await TestClient.connect(url, { protocols: EVENTS_SUBPROTOCOL, localAddress });
    const welcome = await client.nextJson<ServerFrame>((frame) => frame.event === 'welcome');
    return new RawEventsClient(client, (welcome.data as Welcome).connectionId);
  }

  /** Every frame received so far, parsed. */
  get frames(): ServerFrame[] {
    return this.client.history.flatMap((frame: Frame) =>
      frame.isBinary ? [] : [JSON.parse(frame.text) as ServerFrame],
    );
  }

  /** Writes an event frame. */
  emit<E extends keyof ChatEvents['toServer'] & string>(event: E, data?: unknown): void {
    void this.client.send(JSON.stringify({ t: 'emit', event, data }));
  }

  /** Writes a request frame; returns its id. */
  request<E extends keyof ChatEvents['toServer'] & string>(event: E, data?: unknown): number {
    const id = this.nextId++;
    void this.client.send(JSON.stringify({ t: 'req', id, event, data }));
    return id;
  }

  /** Writes a join frame; returns its id. */
  join(room: string): number {
    return this.roomFrame('join', room);
  }

  /** Writes a leave frame; returns its id. */
  leave(room: string): number {
    return this.roomFrame('leave', room);
  }

  /** Resolves the answer (`res` or `err`) to request or join `id`. */
  answer(id: number): Promise<ServerFrame> {
    return this.client.nextJson<ServerFrame>(
      (frame) => (frame.t === 'res' || frame.t === 'err') && frame.id === id,
      15_000,
    );
  }

  /** The error frames received so far with `code` (about `event`, when given). */
  refusals(code: string, event?: string): ServerFrame[] {
    return this.frames.filter(
      (frame) => frame.t === 'err' && frame.code === code && (event === undefined || frame.event === event),
    );
  }

  /** The events `event` received so far. */
  events(event: keyof ChatEvents['toClient']): ServerFrame[] {
    return this.frames.filter((frame) => frame.event === event && frame.t === undefined);
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private roomFrame(t: 'join' | 'leave', room: string): number {
    const id = this.nextId++;
    void this.client.send(JSON.stringify({ t, id, room }));
    return id;
  }
}
