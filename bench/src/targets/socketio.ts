import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import Redis from 'ioredis';
import { createCluster } from 'redis';
import { Server } from 'socket.io';
import { REDIS_CLIENT_OPTIONS, redisClusterNodes, redisUrl, serveUnderRunner } from './serve';

/** What the adapter holds open, closed with the server. */
type Disconnect = () => Promise<void>;

/**
 * `@socket.io/redis-adapter`'s `createShardedAdapter` (SPUBLISH/SSUBSCRIBE, one channel per room in its
 * default "dynamic" mode) on a Redis Cluster, with two node-redis v4 cluster clients as its README shows:
 * the adapter's documentation names `redis@4.6` as the client it supports for sharded Pub/Sub and says
 * ioredis's cluster client is not (https://github.com/luin/ioredis/issues/1759).
 */
async function shardedAdapter(io: Server, seeds: readonly string[]): Promise<Disconnect> {
  const pubClient = createCluster({ rootNodes: seeds.map((url) => ({ url })) });
  const subClient = pubClient.duplicate();
  await Promise.all([pubClient.connect(), subClient.connect()]);
  io.adapter(createShardedAdapter(pubClient, subClient));
  return async () => {
    await Promise.allSettled([pubClient.disconnect(), subClient.disconnect()]);
  };
}

/**
 * The Socket.IO 4 reference: `socket.join(room)` on connection and `io.to(room).emit('m', data)` for
 * every `m` event; with `REDIS_URL`, the official `@socket.io/redis-adapter` (`createAdapter`, ioredis);
 * with `REDIS_CLUSTER_NODES`, its sharded adapter on the cluster. The handshake query says what a
 * connection does: `room=<name>` (fan-out) or `echo=1`.
 */
serveUnderRunner(async () => {
  const server = createServer();
  const io = new Server(server, { transports: ['websocket'], serveClient: false });
  const url = redisUrl();
  const seeds = redisClusterNodes();
  let disconnect: Disconnect | undefined;
  if (seeds !== undefined) {
    disconnect = await shardedAdapter(io, seeds);
  } else if (url !== undefined) {
    const publisher = new Redis(url, REDIS_CLIENT_OPTIONS);
    const subscriber = publisher.duplicate();
    io.adapter(createAdapter(publisher, subscriber));
    disconnect = async () => {
      publisher.disconnect();
      subscriber.disconnect();
    };
  }

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
      await disconnect?.();
    },
  };
});
