import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JSON_BODY, JSON_PATH, PARAM_PREFIX } from './http-routes';
import { serveUnderRunner } from './serve';

function sendJson(res: ServerResponse, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** Bare `node:http` with hand-written matching: the floor any framework adds to. */
serveUnderRunner(async () => {
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (req.method === 'GET' && url === JSON_PATH) return sendJson(res, JSON_BODY);
    if (req.method === 'GET' && url.startsWith(PARAM_PREFIX) && url.indexOf('/', PARAM_PREFIX.length) < 0) {
      return sendJson(res, { id: decodeURIComponent(url.slice(PARAM_PREFIX.length)) });
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
});
