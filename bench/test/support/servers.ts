import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server as SocketIoServer } from 'socket.io';
import { type WebSocket, WebSocketServer } from 'ws';

/** A server under test: its port and how to close it. */
export interface TestServer {
  port: number;
  close(): Promise<void>;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

/** An HTTP server under test that counts the requests it answered. */
export interface HttpTestServer extends TestServer {
  served(): number;
}

/** A `node:http` server answering every request with a small JSON body. */
export async function startHttpServer(): Promise<HttpTestServer> {
  let served = 0;
  const http = createServer((_request, response) => {
    served++;
    response.setHeader('content-type', 'application/json');
    response.end('{"hello":"world"}');
  });
  const port = await listen(http);
  return {
    port,
    served: () => served,
    close: () => {
      http.closeAllConnections();
      return new Promise((resolve) => http.close(() => resolve()));
    },
  };
}

/** A raw `ws` server: `/ws/echo` echoes, `/ws/bench/<room>` broadcasts to the room; `onConnection` sees each socket. */
export async function startWsServer(
  onConnection: (socket: WebSocket) => void = () => undefined,
): Promise<TestServer> {
  const rooms = new Map<string, Set<WebSocket>>();
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  wss.on('connection', (socket, request) => {
    onConnection(socket);
    const path = request.url ?? '/';
    if (path === '/ws/echo') {
      socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
      return;
    }
    const room = path.slice('/ws/bench/'.length);
    const members = rooms.get(room) ?? new Set();
    rooms.set(room, members);
    members.add(socket);
    socket.on('close', () => members.delete(socket));
    socket.on('message', (data, isBinary) => {
      for (const member of members) member.send(data, { binary: isBinary });
    });
  });
  const port = await listen(http);
  return {
    port,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => wss.close(resolve));
      await new Promise((resolve) => http.close(resolve));
    },
  };
}

/** A Socket.IO 4 server that joins `room` from the handshake query and broadcasts every `m` event to it. */
export async function startSocketIoServer(): Promise<TestServer> {
  const http = createServer();
  const io = new SocketIoServer(http, { transports: ['websocket'], serveClient: false });
  io.on('connection', (socket) => {
    const room = String(socket.handshake.query.room);
    void socket.join(room);
    socket.on('m', (data: unknown) => io.to(room).emit('m', data));
  });
  const port = await listen(http);
  return { port, close: () => io.close() };
}
