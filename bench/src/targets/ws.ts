import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import Redis, { Cluster } from 'ioredis';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import {
  hostAndPort,
  REDIS_CLIENT_OPTIONS,
  redisClusterNodes,
  redisUrl,
  reportError,
  serveUnderRunner,
} from './serve';

/**
 * The raw `ws` reference: a hand-written room broadcast, `for (const c of room) c.send(data)`.
 * - `WS_BATCH=1`: the write-batching variant. Each socket written to during an event-loop turn is
 *   corked once and uncorked in `setImmediate`, so N frames to one socket leave in one `writev`.
 * - `REDIS_URL`: the cluster variant. Every message is broadcast locally and PUBLISHed on the room's
 *   channel (tagged with this node's id); other nodes broadcast what they receive to their members.
 * - `REDIS_CLUSTER_NODES`: the same on a Redis Cluster with sharded pub/sub: SPUBLISH and SSUBSCRIBE
 *   through ioredis's `Cluster` (the subscriber with `shardedSubscribers`: one connection per master).
 */
const batching = process.env.WS_BATCH === '1';
const CHANNEL_PREFIX = 'bench:room:';
const nodeId = randomBytes(4);

const rooms = new Map<string, Set<WebSocket>>();
const rawSockets = new WeakMap<WebSocket, Duplex>();
const corked = new Set<Duplex>();
let flushScheduled = false;

function flush(): void {
  flushScheduled = false;
  for (const socket of corked) socket.uncork();
  corked.clear();
}

function sendBatched(client: WebSocket, data: Buffer, binary: boolean): void {
  const socket = rawSockets.get(client);
  if (socket !== undefined && !corked.has(socket)) {
    socket.cork();
    corked.add(socket);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  }
  client.send(data, { binary });
}

function broadcastLocal(room: string, data: Buffer, binary: boolean): void {
  const members = rooms.get(room);
  if (members === undefined) return;
  if (batching) {
    for (const client of members) sendBatched(client, data, binary);
  } else {
    for (const client of members) client.send(data, { binary });
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

/** The publish side and the subscribe side of the Redis variants: one server, or a cluster (sharded). */
interface Relay {
  publish(channel: string, message: Buffer): Promise<unknown>;
  subscribe(channel: string): Promise<unknown>;
  unsubscribe(channel: string): Promise<unknown>;
  onMessage(listener: (channel: Buffer, message: Buffer) => void): void;
  disconnect(): void;
}

/** What the relay needs of an ioredis client, a standalone `Redis` or a `Cluster`. */
type Client = Pick<
  Redis,
  'publish' | 'spublish' | 'subscribe' | 'ssubscribe' | 'unsubscribe' | 'sunsubscribe' | 'disconnect'
> & { on(event: string, listener: (channel: Buffer, message: Buffer) => void): unknown };

/** PUBLISH/SUBSCRIBE on one server, or SPUBLISH/SSUBSCRIBE (sharded) on a cluster. */
function relayOf(publisher: Client, subscriber: Client, sharded: boolean): Relay {
  return {
    publish: (channel, message) =>
      sharded ? publisher.spublish(channel, message) : publisher.publish(channel, message),
    subscribe: (channel) => (sharded ? subscriber.ssubscribe(channel) : subscriber.subscribe(channel)),
    unsubscribe: (channel) => (sharded ? subscriber.sunsubscribe(channel) : subscriber.unsubscribe(channel)),
    onMessage: (listener) => subscriber.on(sharded ? 'smessageBuffer' : 'messageBuffer', listener),
    disconnect: () => {
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}

function redisRelay(): Relay | undefined {
  const seeds = redisClusterNodes();
  if (seeds !== undefined) {
    const nodes = seeds.map(hostAndPort);
    const redisOptions = REDIS_CLIENT_OPTIONS;
    return relayOf(
      new Cluster(nodes, { redisOptions }),
      new Cluster(nodes, { redisOptions, shardedSubscribers: true }),
      true,
    );
  }
  const url = redisUrl();
  return url === undefined
    ? undefined
    : relayOf(new Redis(url, REDIS_CLIENT_OPTIONS), new Redis(url, REDIS_CLIENT_OPTIONS), false);
}

serveUnderRunner(async () => {
  const relay = redisRelay();
  relay?.onMessage((channel, message) => {
    if (message.subarray(0, nodeId.length).equals(nodeId)) return;
    const room = channel.toString('utf8').slice(CHANNEL_PREFIX.length);
    broadcastLocal(room, message.subarray(nodeId.length), false);
  });

  const join = async (client: WebSocket, room: string): Promise<void> => {
    let members = rooms.get(room);
    if (members === undefined) {
      members = new Set();
      rooms.set(room, members);
      await relay?.subscribe(CHANNEL_PREFIX + room);
    }
    members.add(client);
    client.on('close', () => {
      members.delete(client);
      if (members.size > 0 || rooms.get(room) !== members) return;
      rooms.delete(room);
      relay?.unsubscribe(CHANNEL_PREFIX + room).catch(reportError);
    });
  };

  const wss = new WebSocketServer({ noServer: true });
  const server = createServer((_req, res) => {
    res.writeHead(404).end();
  });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = request.url ?? '/';
    wss.handleUpgrade(request, socket, head, (client) => {
      rawSockets.set(client, socket);
      if (path === '/ws/echo') {
        client.on('message', (data, isBinary) => client.send(data, { binary: isBinary }));
        return;
      }
      const room = decodeURIComponent(path.slice('/ws/bench/'.length));
      client.on('message', (data, isBinary) => {
        const buffer = toBuffer(data);
        broadcastLocal(room, buffer, isBinary);
        relay?.publish(CHANNEL_PREFIX + room, Buffer.concat([nodeId, buffer])).catch(reportError);
      });
      join(client, room).catch(reportError);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => server.close(resolve));
      relay?.disconnect();
    },
  };
});
