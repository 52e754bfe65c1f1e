import type { Writable } from 'node:stream';

/** A socket the batcher writes to, with the check that frames may still go out on it. */
export interface BatchTarget {
  /** False once the connection is closing: nothing may follow its close frame. */
  readonly isOpen: boolean;
  readonly socket: Writable;
}

/** Up to this many bytes, a turn's frames for one socket are copied into one buffer; beyond, written as a vector. */
const COPY_LIMIT = 16 * 1024;

/** The frames queued for one socket during the current turn. */
class Batch {
  bytes: number;
  /** One frame as is (most sockets get one per turn), an array from the second on. */
  frames: Buffer | Buffer[];

  constructor(first: Buffer) {
    this.frames = first;
    this.bytes = first.length;
  }
}

let batches = new Map<BatchTarget, Batch>();
let flushScheduled = false;

/**
 * Per-event-loop-turn write batching: frames queued for a socket during a turn leave in one write at
 * its end (one `setImmediate` per turn, shared by every socket of the process). Under load that is
 * a large gain over a syscall per message; at low rates it costs one check-phase hop.
 *
 * The frames wait here, not in the socket's own buffer (`cork()`): a write to a corked Node stream
 * costs a buffered-request object per frame and, on `uncork()`, a vector write the kernel copies piece
 * by piece. One small copy into a single buffer is cheaper for both.
 *
 * Frames queued after `maxBufferedBytes` (what the socket still holds plus what is queued here) are
 * refused: the caller closes the slow consumer. `setImmediate` rather than `process.nextTick`: it also
 * gathers the writes triggered by every I/O callback of the same poll phase (many inbound messages
 * each causing a broadcast).
 * @returns false when the frame would take the socket past `maxBufferedBytes` (nothing is queued).
 */
export function writeBatched(target: BatchTarget, chunk: Buffer, maxBufferedBytes: number): boolean {
  const batch = batches.get(target);
  const queued = batch === undefined ? 0 : batch.bytes;
  if (target.socket.writableLength + queued + chunk.length > maxBufferedBytes) return false;
  if (batch === undefined) {
    batches.set(target, new Batch(chunk));
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flushBatches);
    }
  } else {
    batch.bytes += chunk.length;
    if (Array.isArray(batch.frames)) batch.frames.push(chunk);
    else batch.frames = [batch.frames, chunk];
  }
  return true;
}

/**
 * Writes what is queued for `target` now: before its close frame, and before anything else writes
 * to its socket directly (see BatchedWebSocket), so that frames keep the order they were sent in.
 */
export function flushNow(target: BatchTarget): void {
  const batch = batches.get(target);
  if (batch === undefined) return;
  batches.delete(target);
  write(target, batch);
}

function flushBatches(): void {
  // Swap first: a write made while flushing (from a stream callback) starts the next batch.
  const current = batches;
  batches = new Map();
  flushScheduled = false;
  for (const [target, batch] of current) write(target, batch);
}

function write(target: BatchTarget, batch: Batch): void {
  // Closed (or closing) since: the frames are dropped, as frames sent after the close would be.
  if (!target.isOpen) return;
  const { socket } = target;
  const { frames } = batch;
  if (!Array.isArray(frames)) {
    socket.write(frames);
  } else if (batch.bytes <= COPY_LIMIT && socket.writableLength === 0) {
    // A copy the kernel takes at once. Behind a backlog (a slow reader), the shared frames are queued
    // as they are: a copy per socket would multiply what slow readers hold.
    socket.write(Buffer.concat(frames, batch.bytes));
  } else {
    socket.cork();
    for (const frame of frames) socket.write(frame);
    socket.uncork();
  }
}
