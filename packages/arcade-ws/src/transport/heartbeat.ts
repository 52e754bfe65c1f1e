import type { WebSocket } from 'ws';
import type { HeartbeatOptions } from './options';

/** What the heartbeat needs of a connection. */
export interface HeartbeatMember {
  readonly ws: WebSocket;
  /** Bytes received on the connection's socket so far; undefined when the socket does not count them. */
  readonly bytesRead: number | undefined;
}

/** Recorded, instead of a byte count, for a connection whose socket counts none: its pong is awaited. */
const AWAITING_PONG = -1;
/** Its pong came. */
const PONG_RECEIVED = -2;

/**
 * Liveness for every connection sharing one `{ intervalMs, timeoutMs }`: one interval timer pings
 * them all every `intervalMs`, and one timer per round terminates, `timeoutMs` after the ping, those
 * that have received nothing since it (socket destroyed, no closing handshake: a dead peer would not
 * answer it). A peer is terminated within `intervalMs + timeoutMs` of the last bytes it sent, and at
 * most one ping per peer is outstanding.
 *
 * Proof of life is any byte received after the ping (its pong, or a message that overtook it), read
 * from the socket's `bytesRead`, rather than a 'pong' listener: an idle connection then costs the
 * heartbeat nothing at all, where a timer, closures or even one more listener per socket cost tens to
 * hundreds of bytes each (`ws`'s own example also uses one interval for all sockets). A socket that
 * counts no bytes (not a `net.Socket`, which Node's http and https servers always upgrade) gets a
 * one-time 'pong' listener per ping instead.
 */
export class HeartbeatGroup {
  private readonly options: HeartbeatOptions;
  /** The group's connections (closed ones may be among them: they are skipped). */
  private readonly members: () => Iterable<HeartbeatMember>;
  private size = 0;
  /** Connections pinged and not checked yet, with their `bytesRead` when pinged (or a pong state). */
  private readonly awaiting = new Map<HeartbeatMember, number>();
  private readonly checks = new Set<NodeJS.Timeout>();
  private interval: NodeJS.Timeout | undefined;

  constructor(options: HeartbeatOptions, members: () => Iterable<HeartbeatMember>) {
    this.options = options;
    this.members = members;
  }

  /** Starts checking a connection, which `members` yields from now on; `remove` it once it has closed. */
  add(): void {
    this.size += 1;
    if (!this.interval) {
      this.interval = setInterval(() => this.pingAll(), this.options.intervalMs);
      this.interval.unref();
    }
  }

  /** Stops checking `member`; the group's timers stop with its last connection. */
  remove(member: HeartbeatMember): void {
    this.size -= 1;
    this.awaiting.delete(member);
    if (this.size === 0) this.stop();
  }

  /** Stops every timer (the sockets are left as they are). */
  stop(): void {
    clearInterval(this.interval);
    this.interval = undefined;
    for (const check of this.checks) clearTimeout(check);
    this.checks.clear();
    this.awaiting.clear();
  }

  private pingAll(): void {
    const round: HeartbeatMember[] = [];
    for (const member of this.members()) {
      const { ws } = member;
      if (ws.readyState !== ws.OPEN || this.awaiting.has(member)) continue;
      const { bytesRead } = member;
      if (bytesRead === undefined) this.awaitPong(member);
      else this.awaiting.set(member, bytesRead);
      ws.ping();
      round.push(member);
    }
    if (round.length === 0) return;
    const check = setTimeout(() => {
      this.checks.delete(check);
      this.terminateSilent(round);
    }, this.options.timeoutMs);
    check.unref();
    this.checks.add(check);
  }

  private awaitPong(member: HeartbeatMember): void {
    this.awaiting.set(member, AWAITING_PONG);
    member.ws.once('pong', () => {
      if (this.awaiting.get(member) === AWAITING_PONG) this.awaiting.set(member, PONG_RECEIVED);
    });
  }

  /** Terminates the connections of a round that have received nothing since their ping. */
  private terminateSilent(round: readonly HeartbeatMember[]): void {
    for (const member of round) {
      const atPing = this.awaiting.get(member);
      // Not awaited any more: it closed meanwhile.
      if (atPing === undefined) continue;
      this.awaiting.delete(member);
      const silent = atPing === AWAITING_PONG || member.bytesRead === atPing;
      if (silent) member.ws.terminate();
    }
  }
}
