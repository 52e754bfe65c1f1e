import type { ServerOptions as NodeServerOptions } from 'node:http';
import type { ServerOptions } from './server-options';

/**
 * @default 10 000 ms. A client sends its request line and headers at once; 10 s leaves a slow mobile
 * link room while a client that trickles headers (slowloris) holds its socket for at most that long,
 * instead of the 60 s (85 s in practice) of Node's default.
 */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
/**
 * @default 30 000 ms for the whole request, body included: the default 1 MiB `bodyLimit` then needs
 * about 35 KB/s, while a body sent a byte at a time no longer holds a socket for Node's 300 s.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** @default 5 000 ms: an idle keep-alive connection is closed after it (Node's own default). */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 5000;
/**
 * @default 10 000 plain HTTP connections at once (WebSocket handshakes included until they upgrade;
 * upgraded sockets are bounded by `@arcade/ws`'s `maxConnections`). Beyond it a new connection is
 * closed at once: a flood of idle or half-sent requests cannot grow the server's memory without bound.
 */
export const DEFAULT_MAX_HTTP_CONNECTIONS = 10_000;

/** How often Node checks requests against their timeouts: a timeout acts within this of its bound. */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;

/** The HTTP limits of `runServer`, checked, with their defaults. */
export interface HttpLimits {
  /** What `http.createServer` takes. */
  readonly node: NodeServerOptions;
  readonly maxHttpConnections: number;
}

export function httpLimitsOf(options: ServerOptions): HttpLimits {
  const headersTimeout = limit('headersTimeoutMs', options.headersTimeoutMs, DEFAULT_HEADERS_TIMEOUT_MS);
  const requestTimeout = limit('requestTimeoutMs', options.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS);
  if (headersTimeout > requestTimeout) {
    throw new RangeError(
      `headersTimeoutMs (${headersTimeout}) must not exceed requestTimeoutMs (${requestTimeout}): the headers are part of the request`,
    );
  }
  return {
    node: {
      headersTimeout,
      requestTimeout,
      keepAliveTimeout: limit(
        'keepAliveTimeoutMs',
        options.keepAliveTimeoutMs,
        DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
      ),
      connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_INTERVAL_MS, headersTimeout),
    },
    maxHttpConnections: limit('maxHttpConnections', options.maxHttpConnections, DEFAULT_MAX_HTTP_CONNECTIONS),
  };
}

function limit(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}
