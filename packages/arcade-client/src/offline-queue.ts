// The frames `send` and `request` made while the client could not write them (README, "The offline
// queue"). The queue belongs to the client, not to a socket, so it survives every socket replacement.

/** One frame waiting for a connection. */
export interface QueuedFrame {
  /** The frame's text, serialized when it was queued (so a payload changed later is not sent). */
  readonly text: string;
  /** Called right after the frame was written (a request then waits for its reply on that socket). */
  readonly onWritten?: () => void;
}

/**
 * A bounded FIFO. When full, a new frame is refused and the ones already queued are kept: the caller
 * learns at once that this frame did not make it ('dropped'), and the frames it was told were queued
 * still go out, in order, with no hole in the middle of the sequence.
 */
export class OfflineQueue {
  private frames: QueuedFrame[] = [];

  constructor(private readonly capacity: number) {}

  /** How many frames wait. */
  get size(): number {
    return this.frames.length;
  }

  /** Queues `frame`; `false` when the queue is full (the frame is not kept). */
  push(frame: QueuedFrame): boolean {
    if (this.frames.length >= this.capacity) return false;
    this.frames.push(frame);
    return true;
  }

  /** Takes `frame` out (a queued request that timed out before it could be sent). */
  remove(frame: QueuedFrame): void {
    const index = this.frames.indexOf(frame);
    if (index >= 0) this.frames.splice(index, 1);
  }

  /** Takes the oldest frame out; `undefined` when the queue is empty. */
  shift(): QueuedFrame | undefined {
    return this.frames.shift();
  }

  /** Empties the queue and returns what it held, oldest first. */
  takeAll(): QueuedFrame[] {
    const frames = this.frames;
    this.frames = [];
    return frames;
  }
}
