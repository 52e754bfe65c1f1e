import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:http';

/** A complete HTTP answer. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** The body parsed as JSON. */
  json<T = Record<string, unknown>>(): T;
}

/** Options of {@link httpRequest}. */
export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as JSON (with its content type) unless it is a string. */
  body?: unknown;
}

/**
 * One HTTP request on its own connection (no keep-alive agent), so that no socket outlives the test
 * and a server's close never waits on an idle client connection.
 */
export function httpRequest(url: string, options: HttpRequestOptions = {}): Promise<HttpAnswer> {
  const headers: Record<string, string> = { connection: 'close', ...options.headers };
  let payload: Buffer | undefined;
  if (options.body !== undefined) {
    const isText = typeof options.body === 'string';
    payload = Buffer.from(isText ? (options.body as string) : JSON.stringify(options.body), 'utf8');
    headers['content-type'] ??= isText ? 'text/plain' : 'application/json';
    headers['content-length'] = String(payload.length);
  }
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: options.method ?? 'GET', headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          text,
          json: <T>() => JSON.parse(text) as T,
        });
      });
    });
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}
