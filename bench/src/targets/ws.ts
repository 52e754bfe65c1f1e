import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import Redis from 'ioredis';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { redisUrl, reportError, serveUnderRunner } from './serve';

/**
 * The raw `ws` reference: a hand-written room broadcast, `for (const c of room) c.send(data)`.
 * - `WS_BATCH=1`: the write-batching variant. Each socket written to during an event-loop turn is
 *   corked once and uncorked in `setImmediate`, so N frames to one socket leave in one `writev`.
 * - `REDIS_URL`: the cluster variant. Every message is broadcast locally and PUBLISHed on the room's
 *   channel (tagged with this node's id); other nodes broadcast what they receive to their members.
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

serveUnderRunner(async () => {
  const url = redisUrl();
  const publisher = url === undefined ? undefined : new Redis(url);
  const subscriber = url === undefined ? undefined : new Redis(url);
  subscriber?.on('messageBuffer', (channel: Buffer, message: Buffer) => {
    if (message.subarray(0, nodeId.length).equals(nodeId)) return;
    const room = channel.toString('utf8').slice(CHANNEL_PREFIX.length);
    broadcastLocal(room, message.subarray(nodeId.length), false);
  });

  const join = async (client: WebSocket, room: string): Promise<void> => {
    let members = rooms.get(room);
    if (members === undefined) {
      members = new Set();
      rooms.set(room, members);
      await subscriber?.subscribe(CHANNEL_PREFIX + room);
    }
    members.add(client);
    client.on('close', () => {
      members.delete(client);
      if (members.size > 0 || rooms.get(room) !== members) return;
      rooms.delete(room);
      subscriber?.unsubscribe(CHANNEL_PREFIX + room).catch(reportError);
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
        publisher?.publish(CHANNEL_PREFIX + room, Buffer.concat([nodeId, buffer])).catch(reportError);
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
      publisher?.disconnect();
      subscriber?.disconnect();
    },
  };
});
