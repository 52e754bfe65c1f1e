// The liveness check of docs/events-protocol.md, "Liveness": after `idleMs` without any frame from
// the server the client pings; if nothing at all arrives within `pongTimeoutMs` after that, the
// connection is dead (a cut network often closes nothing: no FIN, no close frame, just silence).

/**
 * One timer per connection. While no ping is outstanding a frame only records the time it arrived
 * (`received()` runs for every frame, so it must be cheap); the timer, when it fires, works out whether
 * the server was quiet long enough, and sleeps again for the rest of the window if it was not. The
 * first frame after a ping, whatever it is, ends the wait for the pong.
 */
export class Watchdog {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastReceived = 0;
  private awaitingPong = false;

  constructor(
    private readonly idleMs: number,
    private readonly pongTimeoutMs: number,
    private readonly ping: () => void,
    private readonly timedOut: () => void,
  ) {}

  /** Starts watching a connection that has just opened. */
  start(): void {
    this.stop();
    this.lastReceived = Date.now();
    this.timer = setTimeout(this.check, this.idleMs);
  }

  /** A frame arrived. */
  received(): void {
    this.lastReceived = Date.now();
    if (!this.awaitingPong) return;
    this.awaitingPong = false;
    clearTimeout(this.timer);
    this.timer = setTimeout(this.check, this.idleMs);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.awaitingPong = false;
  }

  private readonly check = (): void => {
    if (this.awaitingPong) {
      this.stop();
      this.timedOut();
      return;
    }
    const quietFor = Date.now() - this.lastReceived;
    if (quietFor < this.idleMs) {
      this.timer = setTimeout(this.check, this.idleMs - quietFor);
      return;
    }
    this.awaitingPong = true;
    this.timer = setTimeout(this.check, this.pongTimeoutMs);
    this.ping();
  };
}
