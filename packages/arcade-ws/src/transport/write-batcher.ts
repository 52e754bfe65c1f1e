import type { Writable } from 'node:stream';

/**
 * Per-event-loop-turn write batching. The first write to a socket in a turn corks it; one
 * `setImmediate` per turn (shared by every socket of the process) uncorks them all, so everything
 * written to a socket during a turn leaves in a single `writev` syscall. Under load this is a large
 * throughput gain over one syscall per message, and at low rates it costs one extra check-phase hop.
 *
 * `setImmediate` rather than `process.nextTick`: it also gathers the writes triggered by every I/O
 * callback of the same poll phase (many inbound messages each causing a broadcast).
 */
let corkedSockets = new Set<Writable>();
let flushScheduled = false;

/** Writes `chunk` to `socket`, corking the socket until the end of the current event-loop turn. */
export function writeBatched(socket: Writable, chunk: Buffer): void {
  if (!corkedSockets.has(socket)) {
    socket.cork();
    corkedSockets.add(socket);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flushCorkedSockets);
    }
  }
  socket.write(chunk);
}

function flushCorkedSockets(): void {
  // Swap first: a write made while flushing (from a stream callback) starts the next batch.
  const sockets = corkedSockets;
  corkedSockets = new Set();
  flushScheduled = false;
  for (const socket of sockets) {
    // end() and destroy() already released the cork; uncork() of an uncorked stream is a no-op anyway.
    if (socket.writableCorked > 0) socket.uncork();
  }
}
