import { ChatConfigError } from './chat-config-error';

/**
 * Origins that may open the chat's WebSocket besides the page's own: a list of origins
 * (`https://chat.example.com`), or `'any'` to turn the check off.
 */
export type AllowedOrigins = readonly string[] | 'any';

/**
 * `entry` as a browser sends it in `Origin` (`scheme://host[:port]`, lowercase host, no default
 * port); a {@link ChatConfigError} naming `source` when it is anything else (a path, a wildcard...).
 */
export function normalizeOrigin(entry: string, source: string): string {
  const expected = 'expected an origin such as https://chat.example.com or http://localhost:3000';
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    throw new ChatConfigError(`${source} is not a URL: "${entry}" (${expected}).`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ChatConfigError(`${source} must start with http:// or https://, got "${entry}".`);
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new ChatConfigError(`${source} must be only scheme://host[:port], got "${entry}" (${expected}).`);
  }
  if (url.pathname !== '/') {
    throw new ChatConfigError(`${source} must have no path, got "${entry}" (${expected}).`);
  }
  return url.origin;
}

/**
 * Which pages may open the WebSocket (protection against cross-site WebSocket hijacking: a page of
 * another site opening the chat in a visitor's browser).
 *
 * - A browser always sends `Origin` with a WebSocket handshake. It is accepted when it is the page's
 *   own origin, that is when its host and port are those of the request's `Host` header (the scheme is
 *   not compared: behind a TLS proxy the page is https and the server sees plain http), or when it is
 *   one of `allowed`. Anything else, `Origin: null` (a sandboxed frame, a file) included, is refused.
 * - A request without `Origin` comes from a program, not a browser (a browser cannot leave it out),
 *   and a program can send any `Origin` it likes: refusing it would stop no attacker, only tools.
 *   It is accepted, and is bound by the limits per client address like every connection.
 */
export class OriginPolicy {
  private readonly allowed: ReadonlySet<string> | 'any';

  /** Throws {@link ChatConfigError} for an entry of `allowed` that is not an origin. */
  constructor(allowed: AllowedOrigins = [], source = 'allowedOrigins') {
    this.allowed =
      allowed === 'any'
        ? 'any'
        : new Set(
            allowed.map((entry, index) =>
              normalizeOrigin(entry.trim(), `${source} entry ${index + 1} of ${allowed.length}`),
            ),
          );
  }

  /** Whether a handshake with this `Origin` header, sent to this `Host` header, may open a WebSocket. */
  allows(origin: string | undefined, host: string | undefined): boolean {
    if (origin === undefined || this.allowed === 'any') return true;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false; // `null`, or not an origin at all
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    if (this.allowed.has(url.origin)) return true;
    return host !== undefined && sameHost(url, host);
  }
}

// A Host header is host[:port] and nothing else: a bracketed IPv6 address or a DNS name / IPv4 address.
const HOST_HEADER = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/;

/** Whether `host` (a `Host` header) names the host and port of `origin`, default ports included. */
function sameHost(origin: URL, host: string): boolean {
  if (!HOST_HEADER.test(host)) return false;
  try {
    // Parsed with the origin's scheme, so `example.com:443` and `https://example.com` compare equal.
    return new URL(`${origin.protocol}//${host}`).host === origin.host;
  } catch {
    return false;
  }
}
