import { createServer, type Server, Socket } from 'node:net';

/** One client connection and the connection the proxy opened to the target for it. */
interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
}

/**
 * A TCP proxy on 127.0.0.1 that a test can cut, as a network would: clients connect to the proxy's port
 * and every byte goes both ways to the target's port, untouched (TLS, WebSocket frames, anything).
 *
 * - `cut()` destroys every connection through it at once, on both sides: the client and the server
 *   each see their TCP connection end without a close frame (a WebSocket reports 1006).
 * - `block()` also refuses every new connection (accepted, then destroyed at once) until `restore()`:
 *   an outage that lasts as long as the test wants, with the server itself still running.
 * - `freeze()` keeps the connections open but stops forwarding in both directions: a silent network
 *   (a cable pulled without FIN or RST) that only a liveness check notices.
 * - `retarget(port)` sends the next connections to another port (a load balancer after a deploy);
 *   the open ones stay where they are.
 */
export class TcpProxy {
  private readonly pairs = new Set<Pair>();
  private blocked = false;
  private target: number;
  private connections = 0;

  private constructor(
    private readonly server: Server,
    /** The port clients connect to. */
    readonly port: number,
    target: number,
  ) {
    this.target = target;
    server.on('connection', (client) => this.accept(client));
  }

  /** Starts a proxy of `127.0.0.1:<targetPort>` on a free port. */
  static async start(targetPort: number): Promise<TcpProxy> {
    // Half-open on both sides: a peer that ends its side may still be owed bytes from the other (pipe
    // ends each direction once its source has ended).
    const server = createServer({ allowHalfOpen: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the proxy has no TCP port');
    return new TcpProxy(server, address.port, targetPort);
  }

  /** The port the next connections are forwarded to. */
  get targetPort(): number {
    return this.target;
  }

  /** Connections forwarded since the start (refused ones excluded). */
  get forwarded(): number {
    return this.connections;
  }

  /** Connections open through the proxy now. */
  get open(): number {
    return this.pairs.size;
  }

  /** Sends the next connections to `port`. */
  retarget(port: number): void {
    this.target = port;
  }

  /** Destroys every open connection (both sides); new ones are still forwarded. */
  cut(): void {
    for (const pair of this.pairs) destroyPair(pair);
    this.pairs.clear();
  }

  /** Cuts every open connection and refuses new ones until {@link restore}. */
  block(): void {
    this.blocked = true;
    this.cut();
  }

  /** Forwards new connections again after {@link block}. */
  restore(): void {
    this.blocked = false;
  }

  /**
   * Stops forwarding on the open connections, in both directions, without closing them: what is sent is
   * never delivered and nothing says so. New connections are forwarded as usual.
   */
  freeze(): void {
    for (const { client, upstream } of this.pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  /** Destroys every connection and stops listening. */
  async close(): Promise<void> {
    this.blocked = true;
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.blocked) {
      client.destroy();
      return;
    }
    this.connections += 1;
    const upstream = new Socket({ allowHalfOpen: true });
    const pair: Pair = { client, upstream };
    this.pairs.add(pair);
    const forget = () => {
      if (!this.pairs.has(pair) || !client.destroyed || !upstream.destroyed) return;
      this.pairs.delete(pair);
    };
    // One side closing ends the other gracefully (what it still has to write is flushed first: the close
    // frame of a WebSocket going through must arrive); an error (a reset, a refused target) ends it at once.
    client.on('close', () => {
      upstream.end();
      forget();
    });
    upstream.on('close', () => {
      client.end();
      forget();
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    upstream.connect(this.target, '127.0.0.1');
    client.pipe(upstream);
    upstream.pipe(client);
  }
}

function destroyPair({ client, upstream }: Pair): void {
  // resetAndDestroy sends RST, as a dropped route would; destroy() alone could still flush a FIN.
  client.resetAndDestroy();
  upstream.resetAndDestroy();
}
