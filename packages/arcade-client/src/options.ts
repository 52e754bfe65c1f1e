// The options of createClient, their defaults, and the checks that turn a mistake into an error
// naming the option, at the call instead of at the first reconnection.
import { type UsageErrorCode, usageError } from './errors.js';
import { browserNetworkMonitor, type NetworkMonitor } from './network.js';
import type { SendRate } from './send-budget.js';
import type { WebSocketConstructor } from './socket.js';

/** The query parameters added to the URL of each connection. */
export type ConnectParams = Record<string, string>;

/** Reconnection settings (the `reconnect` option). */
export interface ReconnectOptions {
  /** The first retry waits a random time below this; each failure doubles the window. @default 500 */
  minDelayMs?: number;
  /** The window never grows past this. @default 20000 */
  maxDelayMs?: number;
  /**
   * A connection counts as a success, and the next failure starts again from `minDelayMs`, once it
   * has stayed open this long. A server that accepts and drops at once so gets ever longer waits
   * instead of a reconnection every half second from every client. @default 5000
   */
  stableAfterMs?: number;
}

/** Options of {@link createClient}. Every duration is in milliseconds. */
export interface ClientOptions {
  /**
   * The WebSocket class. @default globalThis.WebSocket (browsers, Node 22+). On Node 20 pass
   * `WebSocket` from the `ws` package.
   */
  WebSocket?: WebSocketConstructor;
  /**
   * Called before every connection attempt; what it returns is added to the URL's query (a token, a
   * user id). A provider that throws, rejects or returns something else than string values fails
   * that attempt only: it is retried with backoff and reported to `onError`.
   */
  params?: () => ConnectParams | Promise<ConnectParams>;
  /** Reconnection with full-jitter backoff, or `false` to never reconnect. @default {} (the defaults below) */
  reconnect?: ReconnectOptions | false;
  /**
   * A connection attempt (the `params` provider included) that has not opened after this long is
   * abandoned and counts as failed. @default 10000
   */
  connectTimeoutMs?: number;
  /** How long `request`, `join` and `leave` wait for the answer (queued time included). @default 10000 */
  requestTimeoutMs?: number;
  /** How many frames `send` and `request` keep while offline; beyond, new ones are dropped. @default 100 */
  queueSize?: number;
  /**
   * At most `messages` frames at once, then `messages` per `perMs`: what `send` and `request` write
   * beyond waits in the offline queue (a server drops what a connection sends beyond its
   * `webSocket.rateLimit`, without a word). Half of the server's default burst, at its default rate:
   * keep it within the server's limit, with room for network jitter. `false`: no limit.
   * @default { messages: 50, perMs: 500 }
   */
  sendRate?: Partial<SendRate> | false;
  /** After this long without any frame from the server, the client sends a ping. @default 25000 */
  pingIdleMs?: number;
  /** After a ping, the server has this long to send anything before the socket is replaced. @default 10000 */
  pongTimeoutMs?: number;
  /** Connect as soon as the client is created; `false` waits for `connect()`. @default true */
  autoConnect?: boolean;
  /**
   * Where network changes come from: `offline` closes the socket and waits, `online` reconnects at once.
   * @default the page's `online` / `offline` events in browsers; none in Node. `null` turns it off.
   */
  network?: NetworkMonitor | null;
  /** A uniform draw in [0, 1) for the backoff's jitter. @default Math.random */
  random?: () => number;
}

/** The options with every default applied. */
export interface ResolvedOptions {
  readonly url: URL;
  readonly WebSocket: WebSocketConstructor;
  readonly params: (() => ConnectParams | Promise<ConnectParams>) | undefined;
  readonly reconnect: Required<ReconnectOptions> | false;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly queueSize: number;
  readonly sendRate: SendRate | false;
  readonly pingIdleMs: number;
  readonly pongTimeoutMs: number;
  readonly autoConnect: boolean;
  readonly network: NetworkMonitor | null;
  readonly random: () => number;
}

/** Timers cannot wait longer than this (2^31 - 1 ms, about 24.8 days); a bigger value would fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

/** Throws unless `value` is an integer in [min, MAX_TIMER_MS]. */
export function checkDuration(
  name: string,
  value: unknown,
  min: number,
  code: UsageErrorCode = 'INVALID_OPTION',
): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > MAX_TIMER_MS) {
    throw usageError(
      code,
      `${name} must be an integer from ${min} to ${MAX_TIMER_MS} (milliseconds), got ${String(value)}`,
    );
  }
  return value;
}

function checkFunction<T>(name: string, value: T | undefined): T | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw usageError('INVALID_OPTION', `${name} must be a function, got ${typeof value}`);
  }
  return value;
}

function resolveUrl(url: unknown): URL {
  if (typeof url !== 'string') {
    throw usageError(
      'INVALID_OPTION',
      `url must be a string such as "wss://example.com/chat", got ${typeof url}`,
    );
  }
  // In a page, a relative URL ("/chat") is read against the page's address, as the browser's WebSocket does.
  const base = (globalThis as { location?: { href?: unknown } }).location?.href;
  let parsed: URL;
  try {
    parsed = typeof base === 'string' ? new URL(url, base) : new URL(url);
  } catch (error) {
    throw usageError(
      'INVALID_OPTION',
      `url "${url}" is not a valid URL: give an absolute ws:// or wss:// URL (relative URLs work only in a page)`,
      error,
    );
  }
  if (parsed.protocol === 'http:') parsed.protocol = 'ws:';
  else if (parsed.protocol === 'https:') parsed.protocol = 'wss:';
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw usageError(
      'INVALID_OPTION',
      `url "${url}" must use ws:, wss:, http: or https:, not ${parsed.protocol}`,
    );
  }
  if (parsed.hash !== '') {
    throw usageError(
      'INVALID_OPTION',
      `url "${url}" must not have a #fragment: a WebSocket URL cannot carry one`,
    );
  }
  return parsed;
}

function resolveWebSocket(given: unknown): WebSocketConstructor {
  if (given !== undefined) {
    if (typeof given !== 'function') {
      throw usageError(
        'INVALID_OPTION',
        'WebSocket must be a WebSocket class, such as WebSocket from the ws package',
      );
    }
    return given as WebSocketConstructor;
  }
  const global = (globalThis as { WebSocket?: unknown }).WebSocket;
  if (typeof global === 'function') return global as WebSocketConstructor;
  throw usageError(
    'NO_WEBSOCKET',
    "this runtime has no global WebSocket (Node 20 has none): install the ws package and pass it, createClient(url, { WebSocket }) with import { WebSocket } from 'ws'",
  );
}

function resolveSendRate(value: Partial<SendRate> | false | undefined): SendRate | false {
  if (value === false) return false;
  if (value !== undefined && (typeof value !== 'object' || value === null)) {
    throw usageError('INVALID_OPTION', 'sendRate must be false or an object { messages?, perMs? }');
  }
  const messages = value?.messages ?? 50;
  if (!Number.isSafeInteger(messages) || messages < 1) {
    throw usageError(
      'INVALID_OPTION',
      `sendRate.messages must be an integer, 1 or more, got ${String(messages)}`,
    );
  }
  return { messages, perMs: checkDuration('sendRate.perMs', value?.perMs ?? 500, 1) };
}

function resolveReconnect(value: ReconnectOptions | false | undefined): Required<ReconnectOptions> | false {
  if (value === false) return false;
  if (value !== undefined && (typeof value !== 'object' || value === null)) {
    throw usageError(
      'INVALID_OPTION',
      'reconnect must be false or an object { minDelayMs?, maxDelayMs?, stableAfterMs? }',
    );
  }
  const minDelayMs = checkDuration('reconnect.minDelayMs', value?.minDelayMs ?? 500, 0);
  const maxDelayMs = checkDuration('reconnect.maxDelayMs', value?.maxDelayMs ?? 20_000, 0);
  if (maxDelayMs < minDelayMs) {
    throw usageError(
      'INVALID_OPTION',
      `reconnect.maxDelayMs (${maxDelayMs}) must be at least reconnect.minDelayMs (${minDelayMs})`,
    );
  }
  const stableAfterMs = checkDuration('reconnect.stableAfterMs', value?.stableAfterMs ?? 5000, 0);
  return { minDelayMs, maxDelayMs, stableAfterMs };
}

/** Applies the defaults and checks every option; throws an `INVALID_OPTION` or `NO_WEBSOCKET` error. */
export function resolveOptions(url: unknown, options: ClientOptions | undefined): ResolvedOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw usageError('INVALID_OPTION', 'createClient(url, options): options must be an object');
  }
  const given = options ?? {};
  const queueSize = given.queueSize ?? 100;
  if (!Number.isSafeInteger(queueSize) || queueSize < 0) {
    throw usageError('INVALID_OPTION', `queueSize must be an integer, 0 or more, got ${String(queueSize)}`);
  }
  const autoConnect = given.autoConnect ?? true;
  if (typeof autoConnect !== 'boolean') {
    throw usageError('INVALID_OPTION', `autoConnect must be a boolean, got ${typeof autoConnect}`);
  }
  const network = given.network === undefined ? browserNetworkMonitor() : given.network;
  if (
    network !== null &&
    (typeof network !== 'object' ||
      typeof network.subscribe !== 'function' ||
      typeof network.isOnline !== 'function')
  ) {
    throw usageError(
      'INVALID_OPTION',
      'network must be null or an object { isOnline(), subscribe(listener) }',
    );
  }
  return {
    url: resolveUrl(url),
    WebSocket: resolveWebSocket(given.WebSocket),
    params: checkFunction('params', given.params),
    reconnect: resolveReconnect(given.reconnect),
    connectTimeoutMs: checkDuration('connectTimeoutMs', given.connectTimeoutMs ?? 10_000, 1),
    requestTimeoutMs: checkDuration('requestTimeoutMs', given.requestTimeoutMs ?? 10_000, 1),
    queueSize,
    sendRate: resolveSendRate(given.sendRate),
    pingIdleMs: checkDuration('pingIdleMs', given.pingIdleMs ?? 25_000, 1),
    pongTimeoutMs: checkDuration('pongTimeoutMs', given.pongTimeoutMs ?? 10_000, 1),
    autoConnect,
    network,
    random: checkFunction('random', given.random) ?? Math.random,
  };
}

/**
 * The URL of one connection attempt: the client's URL with the provider's params added (they replace
 * a query parameter of the same name). Throws when the provider gave something else than strings.
 */
export function connectionUrl(base: URL, params: unknown): string {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw new TypeError(`the params provider must return an object of strings, got ${describe(params)}`);
  }
  const url = new URL(base.href);
  for (const [name, value] of Object.entries(params)) {
    if (typeof value !== 'string') {
      throw new TypeError(
        `the params provider returned ${describe(value)} for "${name}": every value must be a string`,
      );
    }
    url.searchParams.set(name, value);
  }
  return url.href;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
