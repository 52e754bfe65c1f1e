import type { ArcadeMetrics, CounterMetric } from '@arcade/core';
import type { RawData } from 'ws';

/** How an emit was asked for: `emitToRoom` (`history` with `history: true`), `emitToAll`, `emitToConnection`, `emitTo`. */
export type EmitKind = 'room' | 'history' | 'all' | 'connection' | 'local';

/** What the gauges read at each scrape. */
export interface WebSocketGauges {
  /** Sockets open on this instance. */
  openSockets(): number;
  /** Rooms with a member on this instance, and the memberships of this instance's connections. */
  localRooms(): Promise<{ rooms: number; members: number }>;
}

/**
 * The WebSocket metrics of one server run (`runServer({ metrics })`), on core's registry. What happens
 * per message (messages and bytes, emits, rate-limited messages) is counted in plain numbers, which
 * the counters report at each scrape: a metric update per message would cost a label hash and an
 * object. Without metrics the transport holds no instance, and a message costs one `undefined` check.
 */
export class WebSocketMetrics {
  messagesReceived = 0;
  bytesReceived = 0;
  messagesSent = 0;
  bytesSent = 0;
  connects = 0;
  rateLimited = 0;
  slowConsumerCloses = 0;
  /** Per kind: one object for the run, so counting an emit allocates nothing. */
  readonly emits: Record<EmitKind, number> = { room: 0, history: 0, all: 0, connection: 0, local: 0 };
  readonly #disconnects: CounterMetric<'code'>;

  constructor(metrics: ArcadeMetrics, gauges: WebSocketGauges) {
    const total =
      (read: () => number) =>
      (counter: CounterMetric): void => {
        counter.reset();
        counter.inc(read());
      };
    metrics.gauge({
      name: 'ws_connections',
      help: 'WebSocket connections open on this instance',
      collect: (gauge) => gauge.set(gauges.openSockets()),
    });
    metrics.counter({
      name: 'ws_connects_total',
      help: 'WebSocket connections accepted',
      collect: total(() => this.connects),
    });
    this.#disconnects = metrics.counter({
      name: 'ws_disconnects_total',
      help: 'WebSocket connections closed, by close code (1006: no close frame, 1012: drain, 1013: slow consumer)',
      labelNames: ['code'],
    });
    metrics.counter({
      name: 'ws_messages_total',
      help: 'WebSocket messages received (in) and sent (out) by this instance',
      labelNames: ['direction'],
      collect: (counter) => {
        counter.reset();
        counter.inc({ direction: 'in' }, this.messagesReceived);
        counter.inc({ direction: 'out' }, this.messagesSent);
      },
    });
    metrics.counter({
      name: 'ws_message_bytes_total',
      help: 'Payload bytes of the WebSocket messages received (in) and sent (out)',
      labelNames: ['direction'],
      collect: (counter) => {
        counter.reset();
        counter.inc({ direction: 'in' }, this.bytesReceived);
        counter.inc({ direction: 'out' }, this.bytesSent);
      },
    });
    metrics.counter({
      name: 'ws_emits_total',
      help: 'Emits asked of this instance, by kind: room, history (emitToRoom with history), all, connection, local (emitTo)',
      labelNames: ['kind'],
      collect: (counter) => {
        counter.reset();
        for (const [kind, count] of Object.entries(this.emits)) counter.inc({ kind }, count);
      },
    });
    metrics.counter({
      name: 'ws_rate_limited_messages_total',
      help: 'Inbound WebSocket messages over the rate limit (dropped, or closing the connection with 1008)',
      collect: total(() => this.rateLimited),
    });
    metrics.counter({
      name: 'ws_slow_consumer_closes_total',
      help: 'WebSocket connections closed with 1013 because they read too slowly (maxBufferedBytes)',
      collect: total(() => this.slowConsumerCloses),
    });
    metrics.gauge({
      name: 'ws_rooms',
      help: 'Rooms with at least one member connected to this instance',
      collect: async (gauge) => gauge.set((await gauges.localRooms()).rooms),
    });
    metrics.gauge({
      name: 'ws_room_members',
      help: 'Room memberships of the connections of this instance',
      collect: async (gauge) => gauge.set((await gauges.localRooms()).members),
    });
  }

  /** A socket closed with `code` (ws reports 1005 for a close frame without a code, 1006 for none). */
  disconnected(code: number): void {
    this.#disconnects.inc({ code });
  }
}

/** Payload bytes of an outbound frame (its length, less the RFC 6455 header the transport wrote). */
export function framePayloadBytes(frame: Buffer): number {
  const length = (frame[1] ?? 0) & 0x7f;
  return frame.length - (length < 126 ? 2 : length === 126 ? 4 : 10);
}

/** Payload bytes of an inbound message, in whichever form ws hands it over. */
export function rawDataBytes(data: RawData): number {
  if (!Array.isArray(data)) return data.byteLength;
  let bytes = 0;
  for (const fragment of data) bytes += fragment.length;
  return bytes;
}
