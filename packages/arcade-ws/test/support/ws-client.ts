import type { IncomingHttpHeaders } from 'node:http';
import { type RawData, WebSocket } from 'ws';

/** One frame received by a {@link TestClient}, in arrival order. */
export interface Frame {
  readonly isBinary: boolean;
  /** The payload bytes exactly as received. */
  readonly data: Buffer;
  /** The payload decoded as UTF-8 (meaningful for text frames). */
  readonly text: string;
}

/** How a frame is matched: an exact text, or a predicate over the frame. */
export type FrameMatcher = string | ((frame: Frame) => boolean);

/** Options of {@link TestClient.connect}. */
export interface ConnectOptions {
  headers?: Record<string, string>;
  protocols?: string | string[];
  /** Bound for the whole handshake before the attempt fails. @default 10000 */
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

interface Waiter {
  readonly matcher: FrameMatcher | undefined;
  readonly resolve: (frame: Frame) => void;
}

/**
 * A `ws` client for tests: it records every frame and lets a test await "the next frame matching X"
 * without sleeping. Frames consumed by `next` are removed from the pending queue; `history` keeps all.
 */
export class TestClient {
  /** Every frame received, in order (consumed or not). */
  readonly history: Frame[] = [];
  /** Resolves when the connection has closed. */
  readonly closed: Promise<CloseEvent>;
  private readonly pending: Frame[] = [];
  private readonly waiters = new Set<Waiter>();
  private closeEvent: CloseEvent | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => this.receive(data, isBinary));
    this.closed = new Promise((resolve) => {
      socket.once('close', (code, reason) => {
        this.closeEvent = { code, reason: reason.toString('utf8') };
        resolve(this.closeEvent);
      });
    });
    // Errors after the handshake surface as a close; keep them from becoming unhandled.
    socket.on('error', () => undefined);
  }

  /** Opens a connection; rejects with {@link UpgradeRefusedError} when the server refuses the upgrade. */
  static connect(url: string, options: ConnectOptions = {}): Promise<TestClient> {
    const socket = new WebSocket(url, options.protocols ?? [], {
      headers: options.headers,
      handshakeTimeout: options.timeoutMs ?? defaultWaitMs,
    });
    const client = new TestClient(socket);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
      socket.once('unexpected-response', (request, response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          reject(
            new UpgradeRefusedError(
              response.statusCode ?? 0,
              response.headers,
              Buffer.concat(chunks).toString('utf8'),
            ),
          );
          request.destroy();
        });
      });
    });
  }

  /** Whether the connection is still open. */
  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** The subprotocol the server accepted ('' when none). */
  get protocol(): string {
    return this.socket.protocol;
  }

  /** Frames received and not consumed yet. */
  get unconsumed(): readonly Frame[] {
    return this.pending;
  }

  send(data: string | Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.send(data, { binary: typeof data !== 'string' }, (error) =>
        error ? reject(error) : resolve(),
      );
    });
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

  /** The next text frame, as a string. */
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

  /** Closes the connection and resolves once it is closed. */
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

function tryParse(frame: Frame): unknown {
  if (frame.isBinary) return undefined;
  try {
    return JSON.parse(frame.text) as unknown;
  } catch {
    return undefined;
  }
}

/** Attempts an upgrade that must be refused; resolves the HTTP answer. */
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

/** Closes every client given, ignoring the ones already closed. */
export async function closeAll(clients: Iterable<TestClient>): Promise<void> {
  await Promise.all([...clients].map((client) => client.close()));
}
