import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { waitFor } from '@arcade/test-support';
import type { WebSocket } from 'ws';
import { BenchClient } from '../src/load/bench-client';
import { collector } from './support/collector';
import { startSocketIoServer, startWsServer, type TestServer } from './support/servers';

describe('BenchClient', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('sends text frames and parses every frame the server sends, short and long', async () => {
    server = await startWsServer();
    const { texts, listener } = collector();
    const client = await BenchClient.open(server.port, '/ws/echo', 'raw', listener);
    const long = 'y'.repeat(70_000);
    client.send('hello');
    client.send('z'.repeat(300));
    client.send(long);
    await waitFor(() => texts.length === 3, { description: 'the three echoes' });
    expect(texts).toEqual(['hello', 'z'.repeat(300), long]);
    await client.close();
    expect(client.isOpen).toBe(false);
  });

  it('answers a ping with a pong carrying the same data', async () => {
    const sockets: WebSocket[] = [];
    server = await startWsServer((socket) => sockets.push(socket));
    const client = await BenchClient.open(server.port, '/ws/echo', 'raw', () => undefined);
    const pong = new Promise<string>((resolve) =>
      sockets[0]!.once('pong', (data) => resolve(data.toString())),
    );
    sockets[0]!.ping('are you there');
    await expect(pong).resolves.toBe('are you there');
    await client.close();
  });

  it('speaks Socket.IO 4: joins the namespace, emits `m` events and receives the room broadcast', async () => {
    server = await startSocketIoServer();
    const path = '/socket.io/?EIO=4&transport=websocket&room=r1';
    const a = collector();
    const b = collector();
    const first = await BenchClient.open(server.port, path, 'socketio', a.listener);
    const second = await BenchClient.open(server.port, path, 'socketio', b.listener);
    first.send('m,1,2,3,xxxx');
    await waitFor(() => a.texts.length === 1 && b.texts.length === 1, {
      description: 'the room broadcast on both clients',
    });
    expect([a.texts, b.texts]).toEqual([['m,1,2,3,xxxx'], ['m,1,2,3,xxxx']]);
    await Promise.all([first.close(), second.close()]);
  });

  it('refuses, in the events dialect, an upgrade that does not accept the subprotocol arcade.events.v1', async () => {
    const offered: Array<string | undefined> = [];
    const upgraded: Duplex[] = [];
    const http = createServer();
    http.on('upgrade', (request: IncomingMessage, socket: Duplex) => {
      offered.push(request.headers['sec-websocket-protocol']);
      upgraded.push(socket);
      // A 101 that names no subprotocol: a plain WebSocket route.
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    server = {
      port: (http.address() as AddressInfo).port,
      close: () => {
        for (const socket of upgraded) socket.destroy();
        return new Promise((r) => http.close(() => r()));
      },
    };
    await expect(BenchClient.open(server.port, '/ws/echo', 'events', () => undefined)).rejects.toThrow(
      'upgrade to /ws/echo did not accept the subprotocol arcade.events.v1',
    );
    expect(offered).toEqual(['arcade.events.v1']);
  });

  it('rejects a refused upgrade with the status line, and a connection closed during the handshake', async () => {
    const http = createServer();
    http.on('upgrade', (request: IncomingMessage, socket: Duplex) => {
      if (request.url === '/refuse') socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    server = {
      port: (http.address() as AddressInfo).port,
      close: () => new Promise((r) => http.close(() => r())),
    };
    await expect(BenchClient.open(server.port, '/refuse', 'raw', () => undefined)).rejects.toThrow(
      'upgrade to /refuse refused: HTTP/1.1 404 Not Found',
    );
    await expect(BenchClient.open(server.port, '/drop', 'raw', () => undefined)).rejects.toThrow(
      /closed during the handshake/,
    );
  });
});
