// The way every frame the client writes goes out (README, "The offline queue"): straight to the open
// socket once the rooms are rejoined, nothing waits in the queue and the send budget has a token; into
// the offline queue otherwise, written in order, as fast as the budget allows, once the socket is ready.
import type { Connection } from './connection.js';
import { OfflineQueue, type QueuedFrame } from './offline-queue.js';
import type { ResolvedOptions } from './options.js';
import { SendBudget } from './send-budget.js';
import { OPEN, type WebSocketLike } from './socket.js';
import type { SendResult } from './types.js';

export class SendPath {
  /** The rooms are rejoined on the open socket: frames may skip the queue when it is empty. */
  private ready = false;
  private readonly queue: OfflineQueue;
  /** The `sendRate` budget of the current connection; none with `sendRate: false`. */
  private readonly budget: SendBudget | undefined;
  /** The next write of the queue once the budget has a token again. */
  private flushTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    options: Pick<ResolvedOptions, 'queueSize' | 'sendRate'>,
    private readonly connection: Pick<Connection, 'live'>,
  ) {
    this.queue = new OfflineQueue(options.queueSize);
    this.budget = options.sendRate ? new SendBudget(options.sendRate) : undefined;
  }

  /** Writes `text` now when it may skip the queue, else queues it (`'dropped'` when the queue is full). */
  send(text: string): SendResult {
    const socket = this.writable();
    if (socket) {
      socket.send(text);
      return 'sent';
    }
    return this.enqueue({ text }) ? 'queued' : 'dropped';
  }

  /**
   * The open socket when a frame may skip the queue now: the rooms are rejoined, nothing waits in the
   * queue (frames go out in order) and the send budget has a token for it (which it then takes).
   */
  writable(): WebSocketLike | null {
    const socket = this.connection.live;
    return this.ready && socket && this.queue.size === 0 && (this.budget?.take() ?? true) ? socket : null;
  }

  /** Queues `frame` (written once the socket is ready and the budget allows); `false` when the queue is full. */
  enqueue(frame: QueuedFrame): boolean {
    if (!this.queue.push(frame)) return false;
    const socket = this.connection.live;
    if (this.ready && socket) this.flushLater(socket);
    return true;
  }

  /** Takes a queued frame out (a request that timed out before it could be written). */
  remove(frame: QueuedFrame): void {
    this.queue.remove(frame);
  }

  /** Writes a frame about `socket` itself (a join, a leave): never held back, but counted (the server counts it). */
  writeNow(socket: WebSocketLike, text: string): void {
    this.budget?.spend();
    socket.send(text);
  }

  /** A socket opened: the server's rate limit starts afresh for it, so does the budget. */
  opened(): void {
    this.budget?.reset();
  }

  /**
   * The rooms are rejoined on `socket`: writes the queue in order, as fast as the send budget allows
   * (the rest later); `send` writes directly once the queue is empty.
   */
  flush(socket: WebSocketLike): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (socket.readyState !== OPEN) return;
    this.ready = true;
    while (this.queue.size > 0) {
      if (this.budget && !this.budget.take()) {
        this.flushLater(socket);
        return;
      }
      const frame = this.queue.shift() as QueuedFrame;
      socket.send(frame.text);
      frame.onWritten?.();
    }
  }

  /** The socket is gone: frames wait in the queue until the next one is ready. */
  detached(): void {
    this.ready = false;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }

  /** The client closed: what was queued is dropped. */
  clear(): void {
    this.queue.takeAll();
  }

  /** Writes what waits in the queue once the budget has a token again (one timer at a time). */
  private flushLater(socket: WebSocketLike): void {
    if (this.flushTimer !== undefined) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      if (this.connection.live === socket) this.flush(socket);
    }, this.budget?.msUntilToken() ?? 0);
  }
}
