import { positiveNumber } from '../internal/checks';

/** Ping/pong liveness check of one connection. */
export interface HeartbeatOptions {
  /**
   * Time between two pings sent by the server.
   * @default 30000
   */
  intervalMs: number;
  /**
   * Time a peer has to answer a ping with a pong before it is terminated (no close handshake).
   * @default 10000
   */
  timeoutMs: number;
}

/** Inbound message rate limit of one connection: a token bucket. */
export interface RateLimitOptions {
  /**
   * Size of the bucket: how many messages a connection may send in a burst.
   * @default 100
   */
  messages: number;
  /**
   * Time in which the bucket refills completely (`messages` tokens every `perMs`, continuously).
   * @default 1000
   */
  perMs: number;
  /**
   * What happens to a message that finds the bucket empty: `'drop'` discards it (logged once per
   * connection, the connection stays), `'close'` closes the connection with 1008.
   * @default 'drop'
   */
  onExceed: 'drop' | 'close';
}

/** Decides whether a browser origin may open a WebSocket; `origin` is undefined when the request sent none. */
export type OriginPredicate = (origin: string | undefined) => boolean;

/**
 * Limits that apply to each connection. Given server-wide in `runServer({ webSocket })` and overridable
 * per route in `handleWebSocket(handler, { ...options })`.
 */
export interface WebSocketConnectionOptions {
  /**
   * Largest inbound message, in bytes (after reassembling fragments). A larger one closes the
   * connection with 1009.
   * @default 1048576 (1 MiB)
   */
  maxPayload?: number;
  /**
   * Ping interval and pong timeout; a peer that does not answer in time is terminated.
   * `false` turns the heartbeat off.
   * @default { intervalMs: 30000, timeoutMs: 10000 }
   */
  heartbeat?: HeartbeatOptions | false;
  /**
   * Inbound message rate limit per connection; `false` turns it off.
   * @default { messages: 100, perMs: 1000, onExceed: 'drop' }
   */
  rateLimit?: RateLimitOptions | false;
  /**
   * Outbound bytes a connection may have queued and not yet handed to the operating system (this
   * includes everything written during the current event-loop turn). A send beyond it closes the slow
   * consumer with 1013 and is discarded, so memory never grows past the bound. It also bounds the
   * inbound frames buffered before `listen()` is called (beyond it: close 1013). Keep it larger than
   * the largest message you send.
   * @default 4194304 (4 MiB)
   */
  maxBufferedBytes?: number;
  /**
   * Origins allowed to open a WebSocket (CSWSH protection): an exact list of `Origin` header values
   * (a request without an `Origin` header is then refused), or a predicate. A refused request gets
   * HTTP 403 with the JSON error body and no upgrade. The route's before hooks have already run.
   * @default all origins allowed
   */
  allowedOrigins?: readonly string[] | OriginPredicate;
}

/** Bounds of every room's history: `runServer({ webSocket: { history } })`. */
export interface HistoryOptions {
  /**
   * Messages kept per room (the newest); also the default and the cap of `getRoomHistory`'s `limit`.
   * @default 100
   */
  size?: number;
  /**
   * How long a room's history is kept after its last history message, in milliseconds.
   * @default 600000 (10 minutes)
   */
  ttlMs?: number;
}

/** Server-wide WebSocket options: `runServer({ webSocket: { ... } })`. */
export interface WebSocketOptions extends WebSocketConnectionOptions {
  /**
   * Open WebSocket connections this server instance accepts; beyond it an upgrade request gets
   * HTTP 503 with the JSON error body and no upgrade.
   * @default unlimited
   */
  maxConnections?: number;
  /**
   * Rooms one connection may be in; `joinRoom` beyond it throws `RoomLimitError`.
   * @default 100
   */
  maxRoomsPerConnection?: number;
  /**
   * Size of a connection's metadata as JSON, in bytes; `updateConnectionMetadata` beyond it throws
   * `MetadataLimitError`.
   * @default 16384 (16 KiB)
   */
  maxMetadataBytes?: number;
  /**
   * Lease of this instance in shared storage: survivors remove a dead instance's connections once
   * its lease has expired (within about 1.4 leases).
   * @default 10000
   */
  instanceLeaseMs?: number;
  /** Bounds of room history (`emitToRoom(room, message, { history: true })`). */
  history?: HistoryOptions;
}

/** The per-connection limits with every default applied. */
export interface ResolvedConnectionOptions {
  readonly maxPayload: number;
  readonly heartbeat: HeartbeatOptions | false;
  readonly rateLimit: RateLimitOptions | false;
  readonly maxBufferedBytes: number;
  readonly allowedOrigins: readonly string[] | OriginPredicate | undefined;
}

export const DEFAULT_MAX_PAYLOAD = 1024 * 1024;
export const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
export const DEFAULT_HEARTBEAT: HeartbeatOptions = Object.freeze({ intervalMs: 30_000, timeoutMs: 10_000 });
export const DEFAULT_RATE_LIMIT: RateLimitOptions = Object.freeze({
  messages: 100,
  perMs: 1000,
  onExceed: 'drop',
});

/** Route options win over server options, which win over the defaults; nested objects are taken whole. */
export function resolveConnectionOptions(
  server: WebSocketConnectionOptions | undefined,
  route: WebSocketConnectionOptions | undefined,
): ResolvedConnectionOptions {
  const pick = <K extends keyof WebSocketConnectionOptions>(key: K): WebSocketConnectionOptions[K] =>
    route?.[key] !== undefined ? route[key] : server?.[key];
  const heartbeat = pick('heartbeat');
  const rateLimit = pick('rateLimit');
  const resolved: ResolvedConnectionOptions = {
    maxPayload: pick('maxPayload') ?? DEFAULT_MAX_PAYLOAD,
    heartbeat: heartbeat === false ? false : { ...DEFAULT_HEARTBEAT, ...heartbeat },
    rateLimit: rateLimit === false ? false : { ...DEFAULT_RATE_LIMIT, ...rateLimit },
    maxBufferedBytes: pick('maxBufferedBytes') ?? DEFAULT_MAX_BUFFERED_BYTES,
    allowedOrigins: pick('allowedOrigins'),
  };
  validate(resolved);
  return resolved;
}

function validate(options: ResolvedConnectionOptions): void {
  positive('maxPayload', options.maxPayload);
  positive('maxBufferedBytes', options.maxBufferedBytes);
  if (options.heartbeat) {
    positive('heartbeat.intervalMs', options.heartbeat.intervalMs);
    positive('heartbeat.timeoutMs', options.heartbeat.timeoutMs);
  }
  if (options.rateLimit) {
    positive('rateLimit.messages', options.rateLimit.messages);
    positive('rateLimit.perMs', options.rateLimit.perMs);
    if (options.rateLimit.onExceed !== 'drop' && options.rateLimit.onExceed !== 'close') {
      throw new RangeError(
        `WebSocket option rateLimit.onExceed must be 'drop' or 'close', got ${String(options.rateLimit.onExceed)}`,
      );
    }
  }
}

function positive(name: string, value: number): void {
  positiveNumber(`WebSocket option ${name}`, value);
}

/** Whether a request's `Origin` may open a WebSocket under `allowedOrigins`. */
export function isOriginAllowed(
  allowedOrigins: ResolvedConnectionOptions['allowedOrigins'],
  origin: string | undefined,
): boolean {
  if (allowedOrigins === undefined) return true;
  if (typeof allowedOrigins === 'function') return allowedOrigins(origin);
  return origin !== undefined && allowedOrigins.includes(origin);
}
