// Requests, joins and leaves waiting for their answer, by id (ids are unique for the client's life, so
// an answer that comes after its call was given up finds nothing and is dropped).
import type { ErrorReply } from './frames.js';
import type { WebSocketLike } from './socket.js';

/** How one call ends; exactly one of these runs, once, after the call was taken out of the table. */
export interface CallOutcomes {
  /** The `res` frame's data. */
  readonly result: (data: unknown) => void;
  /** The `err` frame. */
  readonly refused: (reply: ErrorReply) => void;
  /** The socket it was written on closed first. */
  readonly lost: () => void;
  /** The client was closed first. */
  readonly closed: () => void;
  /** No answer within the call's timeout (only for calls given one). */
  readonly timedOut?: () => void;
}

interface Call {
  /** The socket the call was written on; `null` while it waits in the offline queue. */
  socket: WebSocketLike | null;
  readonly outcomes: CallOutcomes;
  readonly timer: ReturnType<typeof setTimeout> | undefined;
}

export class PendingCalls {
  private readonly calls = new Map<number, Call>();
  private lastId = 0;

  /** The id of the client's next request, join or leave. */
  newId(): number {
    this.lastId += 1;
    return this.lastId;
  }

  /**
   * Tracks call `id`, written on `socket` (or `null`: queued, see {@link written}). With `timeoutMs`
   * the call ends by `timedOut` when nothing else ended it first.
   */
  add(id: number, socket: WebSocketLike | null, outcomes: CallOutcomes, timeoutMs?: number): void {
    const timer =
      timeoutMs === undefined ? undefined : setTimeout(() => this.end(id)?.timedOut?.(), timeoutMs);
    this.calls.set(id, { socket, outcomes, timer });
  }

  /** A queued call was written on `socket`. */
  written(id: number, socket: WebSocketLike): void {
    const call = this.calls.get(id);
    if (call) call.socket = socket;
  }

  /** Ends call `id` with no outcome (a queued request that could not be queued). */
  drop(id: number): void {
    this.end(id);
  }

  result(id: number, data: unknown): void {
    this.end(id)?.result(data);
  }

  refused(id: number, reply: ErrorReply): void {
    this.end(id)?.refused(reply);
  }

  /** `socket` closed: every call written on it is lost (queued ones wait for the next socket). */
  lost(socket: WebSocketLike): void {
    for (const [id, call] of this.calls) if (call.socket === socket) this.end(id)?.lost();
  }

  /** The client closed: every call ends. */
  closeAll(): void {
    for (const id of [...this.calls.keys()]) this.end(id)?.closed();
  }

  private end(id: number): CallOutcomes | undefined {
    const call = this.calls.get(id);
    if (!call) return undefined;
    clearTimeout(call.timer);
    this.calls.delete(id);
    return call.outcomes;
  }
}
