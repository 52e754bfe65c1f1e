import type { WebSocket } from 'ws';
import type { HeartbeatOptions } from './options';

/**
 * Ping/pong liveness for every socket sharing one `{ intervalMs, timeoutMs }`: one interval timer pings
 * them all every `intervalMs`, and one timer per round terminates, `timeoutMs` after the ping, those that
 * have not answered it (socket destroyed, no closing handshake: a dead peer would not answer it). A
 * peer is terminated within `intervalMs + timeoutMs` of its last pong, and at most one ping per peer is
 * outstanding.
 *
 * Why shared: a timer, its closures and a pong listener per connection cost several hundred bytes
 * of heap for each idle connection; here a connection costs nothing but its place in the
 * transport's own list of connections, which `sockets` walks (`ws`'s own example uses one interval
 * too).
 */
export class HeartbeatGroup {
  private readonly options: HeartbeatOptions;
  /** The group's sockets (closed ones may be among them: they are skipped). */
  private readonly sockets: () => Iterable<WebSocket>;
  private size = 0;
  /** Sockets pinged and not answered yet, with the time (ms) at which they are terminated. */
  private readonly awaitingPong = new Map<WebSocket, number>();
  private readonly checks = new Set<NodeJS.Timeout>();
  private interval: NodeJS.Timeout | undefined;
  // One listener function for every socket of the group: the emitter is `this`.
  private readonly onPong: (this: WebSocket) => void;

  constructor(options: HeartbeatOptions, sockets: () => Iterable<WebSocket>) {
    this.options = options;
    this.sockets = sockets;
    const awaitingPong = this.awaitingPong;
    this.onPong = function onPong(this: WebSocket): void {
      awaitingPong.delete(this);
    };
  }

  /** Starts checking `ws`, which `sockets` yields from now on; `remove` it once it has closed. */
  add(ws: WebSocket): void {
    this.size += 1;
    ws.on('pong', this.onPong);
    if (!this.interval) {
      this.interval = setInterval(() => this.pingAll(), this.options.intervalMs);
      this.interval.unref();
    }
  }

  /** Stops checking `ws`; the group's timers stop with its last socket. */
  remove(ws: WebSocket): void {
    this.size -= 1;
    this.awaitingPong.delete(ws);
    ws.off('pong', this.onPong);
    if (this.size === 0) this.stop();
  }

  /** Stops every timer (the sockets are left as they are). */
  stop(): void {
    clearInterval(this.interval);
    this.interval = undefined;
    for (const check of this.checks) clearTimeout(check);
    this.checks.clear();
  }

  private pingAll(): void {
    const deadline = performance.now() + this.options.timeoutMs;
    let pinged = false;
    for (const ws of this.sockets()) {
      if (ws.readyState !== ws.OPEN || this.awaitingPong.has(ws)) continue;
      this.awaitingPong.set(ws, deadline);
      ws.ping();
      pinged = true;
    }
    if (!pinged) return;
    const check = setTimeout(() => {
      this.checks.delete(check);
      this.terminateUnanswered(deadline);
    }, this.options.timeoutMs);
    check.unref();
    this.checks.add(check);
  }

  /** Terminates the sockets pinged in this round or earlier that have not answered. */
  private terminateUnanswered(roundDeadline: number): void {
    // Compared with the round's own deadline, not the clock: a timer may fire a fraction of a
    // millisecond early, and a socket spared then would never be checked again.
    for (const [ws, deadline] of this.awaitingPong) {
      if (deadline > roundDeadline) continue;
      this.awaitingPong.delete(ws);
      ws.terminate();
    }
  }
}
