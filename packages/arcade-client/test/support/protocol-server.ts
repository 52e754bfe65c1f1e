// A scripted server of the events protocol (packages/arcade-ws/docs/events-protocol.md) on the real
// `ws` package, for the client's own behaviours: the test answers each frame itself, or stays silent,
// closes with a code, drops the TCP connection, stops and restarts on the same port. The real server
// (@arcade/ws's handleEvents) is tested against this client end to end elsewhere.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClientFrame, JoinFrame, JoinResult, LeaveFrame, RequestFrame } from '@arcade/ws/protocol';
import { type WebSocket, WebSocketServer } from 'ws';
import { AwaitableLog } from './awaitable-log';

const SUBPROTOCOL = 'arcade.events.v1';

/** How a server connection ended. */
export interface Closed {
  readonly code: number;
  readonly reason: string;
}

/** Options of {@link ProtocolServer.start}. */
export interface ProtocolServerOptions {
  /** Answer `{"t":"ping"}` with `{"t":"pong"}` on every new connection. @default true */
  answerPings?: boolean;
  /** Accept the events subprotocol; `false` plays a route that is not an events route. @default true */
  acceptSubprotocol?: boolean;
}

/** One connection accepted by a {@link ProtocolServer}. */
export class ServerConnection {
  /** Every frame received but pings, parsed (text that is not JSON is kept as the string). */
  readonly frames = new AwaitableLog<ClientFrame | string>();
  /** One entry per ping received (its arrival order, from 1). */
  readonly pings = new AwaitableLog<number>();
  /** Resolves when the connection has closed. */
  readonly closed: Promise<Closed>;
  /** Answer pings (can be switched off to play a silent server). */
  answerPings: boolean;

  constructor(
    readonly socket: WebSocket,
    /** The URL of the upgrade request, query included. */
    readonly url: URL,
    answerPings: boolean,
  ) {
    this.answerPings = answerPings;
    this.closed = new Promise((resolve) => {
      socket.once('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') }));
    });
    socket.on('message', (data, isBinary) => {
      const text = isBinary ? `<binary ${String(data)}>` : String(data);
      let frame: ClientFrame | string = text;
      try {
        frame = JSON.parse(text) as ClientFrame;
      } catch {
        // kept as text
      }
      if (typeof frame === 'object' && frame.t === 'ping') {
        this.pings.push(this.pings.all.length + 1);
        if (this.answerPings) this.send({ t: 'pong' });
        return;
      }
      this.frames.push(frame);
    });
    socket.on('error', () => undefined);
  }

  /** The next frame whose `t` is `t` (consumed), waiting for it. */
  next<T extends ClientFrame['t']>(t: T): Promise<Extract<ClientFrame, { t: T }>> {
    return this.frames.next((frame) => typeof frame === 'object' && frame.t === t, `"${t}" frame`) as Promise<
      Extract<ClientFrame, { t: T }>
    >;
  }

  /** Sends a value as JSON, or a string as it is. */
  send(value: unknown): void {
    this.socket.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  /** Sends a binary frame. */
  sendBinary(bytes: Uint8Array): void {
    this.socket.send(bytes, { binary: true });
  }

  /** Answers a request, join or leave. */
  reply(frame: RequestFrame | JoinFrame | LeaveFrame, data?: unknown): void {
    this.send(data === undefined ? { t: 'res', id: frame.id } : { t: 'res', id: frame.id, data });
  }

  /** Waits for the next join of `room` and answers it; resolves the join frame. */
  async acceptJoin(room: string, result: JoinResult): Promise<JoinFrame> {
    const join = (await this.frames.next(
      (frame) => typeof frame === 'object' && frame.t === 'join' && frame.room === room,
      `join of "${room}"`,
    )) as JoinFrame;
    this.reply(join, result);
    return join;
  }

  /** Refuses a request, join or leave with an `err` frame. */
  refuse(
    frame: RequestFrame | JoinFrame | LeaveFrame,
    code: string,
    message: string,
    issues?: unknown[],
  ): void {
    this.send({ t: 'err', id: frame.id, code, message, ...(issues && { issues }) });
  }

  /** Closes with a code (a closing handshake); without one, the client sees 1005. */
  close(code?: number, reason = ''): Promise<Closed> {
    if (code === undefined) this.socket.close();
    else this.socket.close(code, reason);
    return this.closed;
  }

  /** Drops the TCP connection: no close frame, the client sees 1006. */
  terminate(): Promise<Closed> {
    this.socket.terminate();
    return this.closed;
  }
}

/** A protocol server on 127.0.0.1 and a port of its own, kept across restarts. */
export class ProtocolServer {
  /** Every connection accepted, in order; `connections.next()` awaits the next one. */
  readonly connections = new AwaitableLog<ServerConnection>((connection) => connection.url.search);
  private http: Server | undefined;
  private wss: WebSocketServer | undefined;
  private port = 0;
  private readonly answerPings: boolean;
  private readonly acceptSubprotocol: boolean;
  /** Servers started in this test file and not stopped yet. */
  private static readonly running = new Set<ProtocolServer>();

  private constructor(options: ProtocolServerOptions) {
    this.answerPings = options.answerPings ?? true;
    this.acceptSubprotocol = options.acceptSubprotocol ?? true;
  }

  static async start(options: ProtocolServerOptions = {}): Promise<ProtocolServer> {
    const server = new ProtocolServer(options);
    await server.listen();
    return server;
  }

  /** Stops every server of this test file still running (an `afterEach`). */
  static async stopAll(): Promise<void> {
    await Promise.all([...ProtocolServer.running].map((server) => server.stop()));
  }

  /** The URL clients connect to. */
  get url(): string {
    return `ws://127.0.0.1:${this.port}/events`;
  }

  /** The next connection accepted (consumed from `connections`). */
  nextConnection(): Promise<ServerConnection> {
    return this.connections.next(() => true, 'connection');
  }

  /** Drops every connection (1006 for the clients) and stops listening: connections are refused. */
  async stop(): Promise<void> {
    const http = this.http;
    const wss = this.wss;
    if (!http || !wss) return;
    this.http = undefined;
    this.wss = undefined;
    ProtocolServer.running.delete(this);
    for (const socket of wss.clients) socket.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  }

  /** Listens again on the same port. */
  restart(): Promise<void> {
    return this.listen();
  }

  private async listen(): Promise<void> {
    const http = createServer((_request, response) => response.writeHead(426).end());
    const wss = new WebSocketServer({
      server: http,
      handleProtocols: (protocols) =>
        this.acceptSubprotocol && protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false,
    });
    wss.on('connection', (socket, request) => {
      const url = new URL(request.url ?? '/', 'ws://127.0.0.1');
      this.connections.push(new ServerConnection(socket, url, this.answerPings));
    });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (http.address() as AddressInfo).port;
    this.http = http;
    this.wss = wss;
    ProtocolServer.running.add(this);
  }
}
