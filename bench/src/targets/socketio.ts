import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdapter } from '@socket.io/redis-adapter';
import Redis from 'ioredis';
import { Server } from 'socket.io';
import { redisUrl, serveUnderRunner } from './serve';

/**
 * The Socket.IO 4 reference: `socket.join(room)` on connection and `io.to(room).emit('m', data)` for
 * every `m` event; with `REDIS_URL`, the official `@socket.io/redis-adapter`. The handshake query says
 * what a connection does: `room=<name>` (fan-out) or `echo=1`.
 */
serveUnderRunner(async () => {
  const server = createServer();
  const io = new Server(server, { transports: ['websocket'], serveClient: false });
  const url = redisUrl();
  const publisher = url === undefined ? undefined : new Redis(url);
  const subscriber = publisher?.duplicate();
  if (publisher !== undefined && subscriber !== undefined) io.adapter(createAdapter(publisher, subscriber));

  io.on('connection', (socket) => {
    const { room, echo } = socket.handshake.query;
    if (echo !== undefined) {
      socket.on('m', (data: unknown) => socket.emit('m', data));
      return;
    }
    const name = String(room);
    void socket.join(name);
    socket.on('m', (data: unknown) => io.to(name).emit('m', data));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      await io.close();
      publisher?.disconnect();
      subscriber?.disconnect();
    },
  };
});
