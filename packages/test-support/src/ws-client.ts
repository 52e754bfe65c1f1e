import type { IncomingHttpHeaders } from 'node:http';
import { type ClientOptions, type RawData, WebSocket } from 'ws';

/** One frame received by a {@link TestClient}, in arrival order. */
export interface Frame {
  readonly isBinary: boolean;
  /** The payload bytes exactly as received. */
  readonly data: Buffer;
  /** The payload decoded as UTF-8 ('' for binary frames). */
  readonly text: string;
}

/** How a frame is matched: an exact text (of a text frame), or a predicate over the frame. */
export type FrameMatcher = string | ((frame: Frame) => boolean);

/** Options of {@link TestClient.connect}: those of `ws` (headers, origin, autoPong...) and a few more. */
export interface ConnectOptions extends ClientOptions {
  protocols?: string | string[];
  /** Bound for the whole handshake before the attempt fails (`handshakeTimeout`). @default 10000 */
  timeoutMs?: number;
}

/** Thrown by {@link TestClient.connect} when the server answers the upgrade with a plain HTTP response. */
export class UpgradeRefusedError extends Error {
  override readonly name = 'UpgradeRefusedError';
  constructor(
    readonly status: number,
    readonly headers: IncomingHttpHeaders,
    readonly body: string,
  ) {
    super(`upgrade refused with HTTP ${status}: ${body}`);
  }
}

/** How a client connection ended. */
export interface CloseEvent {
  readonly code: number;
  readonly reason: string;
}

const defaultWaitMs = 10_000;

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function matches(frame: Frame, matcher: FrameMatcher | undefined): boolean {
  if (matcher === undefined) return true;
  if (typeof matcher === 'string') return !frame.isBinary && frame.text === matcher;
  return matcher(frame);
}

function describeFrame(frame: Frame): string {
  return frame.isBinary ? `<binary ${frame.data.toString('hex')}>` : JSON.stringify(frame.text);
}

function tryParse(frame: Frame): unknown {
  if (frame.isBinary) return undefined;
  try {
    return JSON.parse(frame.text) as unknown;
  } catch {
    return undefined;
  }
}

interface Waiter {
  readonly matcher: FrameMatcher | undefined;
  readonly resolve: (frame: Frame) => void;
}

/**
 * A `ws` client for tests: it records every frame from the first one on, so a test never misses one,
 * and lets a test await "the next frame matching X" without sleeping. Frames consumed by `next` are
 * removed from the pending queue; `history` keeps all. Every wait is bounded and fails with what was
 * received. Clients still open can be dropped at once with {@link TestClient.terminateAll}.
 */
export class TestClient {
  /** Clients of this module instance (one per jest test file) that have not closed yet. */
  private static readonly live = new Set<TestClient>();
  /** Every frame received, in order (consumed or not). */
  readonly history: Frame[] = [];
  /** Resolves when the connection has closed (also after a refused or failed handshake). */
  readonly closed: Promise<CloseEvent>;
  /** Headers of the server's 101 response. */
  upgradeHeaders: IncomingHttpHeaders = {};
  private readonly pending: Frame[] = [];
  private readonly waiters = new Set<Waiter>();
  private closeEvent: CloseEvent | undefined;
  private pingCount = 0;

  private constructor(readonly socket: WebSocket) {
    TestClient.live.add(this);
    socket.on('message', (data, isBinary) => this.receive(data, isBinary));
    socket.on('ping', () => {
      this.pingCount += 1;
    });
    socket.once('upgrade', (response) => {
      this.upgradeHeaders = response.headers;
    });
    this.closed = new Promise((resolve) => {
      socket.once('close', (code, reason) => {
        TestClient.live.delete(this);
        this.closeEvent = { code, reason: reason.toString('utf8') };
        resolve(this.closeEvent);
      });
    });
    // Errors surface as a close (or a rejected connect); keep them from becoming unhandled.
    socket.on('error', () => undefined);
  }

  /** Opens a connection; rejects with {@link UpgradeRefusedError} when the server refuses the upgrade. */
  static connect(url: string, options: ConnectOptions = {}): Promise<TestClient> {
    const { protocols, timeoutMs, ...clientOptions } = options;
    const socket = new WebSocket(url, protocols ?? [], {
      handshakeTimeout: timeoutMs ?? defaultWaitMs,
      ...clientOptions,
    });
    const client = new TestClient(socket);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          reject(new UpgradeRefusedError(response.statusCode ?? 0, response.headers, body));
          socket.terminate();
        });
      });
    });
  }

  /**
   * Drops every client of this test file that has not closed yet (no closing handshake) and resolves
   * once all are closed: an `afterEach` that leaves no socket behind, whatever the test did.
   */
  static async terminateAll(): Promise<void> {
    const clients = [...TestClient.live];
    for (const client of clients) client.socket.terminate();
    await Promise.all(clients.map((client) => client.closed));
  }

  /** Whether the connection is still open. */
  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** The subprotocol the server accepted ('' when none). */
  get protocol(): string {
    return this.socket.protocol;
  }

  /** How many pings the server sent so far. */
  get pings(): number {
    return this.pingCount;
  }

  /** Frames received and not consumed yet. */
  get unconsumed(): readonly Frame[] {
    return this.pending;
  }

  /**
   * Sends a text (string) or binary (bytes) frame. The promise settles once the frame is written; a
   * caller may await it (it rejects when the write fails) or ignore it: a failed write is then
   * reported by the close only, never as an unhandled rejection.
   */
  send(data: string | Uint8Array): Promise<void> {
    const sent = new Promise<void>((resolve, reject) => {
      this.socket.send(data, { binary: typeof data !== 'string' }, (error) =>
        error ? reject(error) : resolve(),
      );
    });
    sent.catch(() => undefined);
    return sent;
  }

  /**
   * Resolves the first unconsumed frame that matches (and consumes it); frames before it that do not
   * match stay pending. Waits for it when none has arrived; rejects after `timeoutMs` or on close.
   */
  next(matcher?: FrameMatcher, timeoutMs = defaultWaitMs): Promise<Frame> {
    const index = this.pending.findIndex((frame) => matches(frame, matcher));
    if (index >= 0) return Promise.resolve(this.pending.splice(index, 1)[0] as Frame);
    return new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no frame matching ${String(matcher)} within ${timeoutMs} ms; ${this.describe()}`));
      }, timeoutMs);
      const waiter: Waiter = {
        matcher,
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
      };
      this.waiters.add(waiter);
      void this.closed.then((event) => {
        if (!this.waiters.delete(waiter)) return;
        clearTimeout(timer);
        reject(
          new Error(`closed (${event.code}) before a frame matching ${String(matcher)}; ${this.describe()}`),
        );
      });
    });
  }

  /** The next text frame (matching `matcher`), as a string; binary frames stay pending. */
  async nextText(matcher?: FrameMatcher, timeoutMs?: number): Promise<string> {
    const frame = await this.next(
      (candidate) => !candidate.isBinary && matches(candidate, matcher),
      timeoutMs,
    );
    return frame.text;
  }

  /** The next text frame that parses as JSON and satisfies `predicate`, parsed. */
  async nextJson<T = Record<string, unknown>>(
    predicate: (value: T) => boolean = () => true,
    timeoutMs?: number,
  ): Promise<T> {
    const frame = await this.next((candidate) => {
      const value = tryParse(candidate);
      return value !== undefined && predicate(value as T);
    }, timeoutMs);
    return JSON.parse(frame.text) as T;
  }

  /** Consumes and returns every frame received and not consumed yet. */
  drain(): Frame[] {
    return this.pending.splice(0);
  }

  /** Closes the connection (closing handshake) and resolves once it is closed. */
  async close(code?: number, reason?: string): Promise<CloseEvent> {
    if (this.closeEvent) return this.closeEvent;
    if (this.socket.readyState === WebSocket.CONNECTING || this.socket.readyState === WebSocket.OPEN) {
      this.socket.close(code, reason);
    }
    return this.closed;
  }

  /** Drops the TCP connection without a closing handshake. */
  terminate(): Promise<CloseEvent> {
    this.socket.terminate();
    return this.closed;
  }

  private receive(data: RawData, isBinary: boolean): void {
    const bytes = toBuffer(data);
    const frame: Frame = { isBinary, data: bytes, text: isBinary ? '' : bytes.toString('utf8') };
    this.history.push(frame);
    for (const waiter of this.waiters) {
      if (matches(frame, waiter.matcher)) {
        this.waiters.delete(waiter);
        waiter.resolve(frame);
        return;
      }
    }
    this.pending.push(frame);
  }

  private describe(): string {
    const shown = this.pending.slice(-5).map(describeFrame).join(', ');
    return `${this.pending.length} unconsumed frame(s)${shown ? `, last: ${shown}` : ''}`;
  }
}

/**
 * Attempts an upgrade that must be refused and resolves the HTTP answer (status, headers, body);
 * fails when the server accepts it.
 */
export async function expectUpgradeRefused(
  url: string,
  options?: ConnectOptions,
): Promise<UpgradeRefusedError> {
  try {
    const client = await TestClient.connect(url, options);
    await client.close();
  } catch (error) {
    if (error instanceof UpgradeRefusedError) return error;
    throw error;
  }
  throw new Error(`the upgrade to ${url} was accepted, a refusal was expected`);
}
