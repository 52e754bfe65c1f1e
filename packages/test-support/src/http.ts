import { type IncomingHttpHeaders, request } from 'node:http';

/** A complete HTTP answer, its body read to the end. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The body decoded as UTF-8. */
  readonly text: string;
  /** The body bytes exactly as received. */
  readonly bytes: Buffer;
  /** The body parsed as JSON (throws when it is not JSON). */
  json<T = Record<string, unknown>>(): T;
}

/** Options of {@link httpRequest}. */
export interface HttpRequestOptions {
  /** @default 'GET' */
  method?: string;
  headers?: Record<string, string | string[]>;
  /**
   * A string or bytes are sent as they are, with no header added (the test states the content type,
   * or deliberately none). Any other value is sent as JSON, with `content-type: application/json`
   * unless `headers` name one.
   */
  body?: unknown;
}

/** Host, port and the request target exactly as written in `url`. */
function target(url: string): { host: string; port: number; path: string } {
  const match = /^http:\/\/([^/?#]+)(.*)$/.exec(url);
  if (!match) throw new Error(`httpRequest takes an http:// URL, got ${url}`);
  const { hostname, port } = new URL(`http://${match[1]}`);
  const path = match[2] ?? '';
  return {
    host: hostname.replace(/^\[(.*)\]$/, '$1'),
    port: port === '' ? 80 : Number(port),
    path: path === '' ? '/' : path.startsWith('/') ? path : `/${path}`,
  };
}

function encodeBody(options: HttpRequestOptions): {
  payload: string | Uint8Array | undefined;
  headers: Record<string, string | string[]>;
} {
  const headers = { ...options.headers };
  const { body } = options;
  if (body === undefined || typeof body === 'string' || body instanceof Uint8Array) {
    return { payload: body, headers };
  }
  const named = Object.keys(headers).some((name) => name.toLowerCase() === 'content-type');
  if (!named) headers['content-type'] = 'application/json';
  return { payload: JSON.stringify(body), headers };
}

/**
 * One HTTP request on its own connection (no keep-alive agent), so that no socket outlives the test
 * and a server's close never waits on an idle client connection. The path and query are sent exactly
 * as written in `url`, without the normalization a URL parser applies (`..`, `//`, unescaped
 * characters), so tests can send odd request targets.
 */
export function httpRequest(url: string, options: HttpRequestOptions = {}): Promise<HttpAnswer> {
  const { host, port, path } = target(url);
  const { payload, headers } = encodeBody(options);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host, port, path, method: options.method ?? 'GET', headers, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const bytes = Buffer.concat(chunks);
          const text = bytes.toString('utf8');
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text,
            bytes,
            json: <T>() => JSON.parse(text) as T,
          });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}
