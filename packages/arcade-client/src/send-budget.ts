// How fast the client writes to the server (the `sendRate` option, README "The offline queue"). A
// server drops what a connection sends beyond its rate limit (`webSocket.rateLimit` of @arcade/ws: a
// token bucket of 100 messages refilled over a second, by default), silently: the client keeps its own,
// smaller, bucket, and holds the frames it has no token for in the offline queue instead of losing them.

/** The client's send rate: a token bucket of `messages` tokens refilled continuously over `perMs`. */
export interface SendRate {
  readonly messages: number;
  readonly perMs: number;
}

/**
 * One connection's budget. It starts full, as the server's bucket of a new connection does. Frames the
 * client cannot hold back (joins and leaves: they are about the socket they go out on) are spent even
 * without a token: the budget goes into debt, and the frames that can wait, wait longer.
 */
export class SendBudget {
  private tokens: number;
  private updatedAt: number;
  private readonly refillPerMs: number;

  constructor(
    private readonly rate: SendRate,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.refillPerMs = rate.messages / rate.perMs;
    this.tokens = rate.messages;
    this.updatedAt = now();
  }

  /** A new connection: the server's bucket is full again, so is this one. */
  reset(): void {
    this.tokens = this.rate.messages;
    this.updatedAt = this.now();
  }

  /** Takes a token for a frame that can wait; `false` when there is none now. */
  take(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Spends a token for a frame that cannot wait, into debt if needed. */
  spend(): void {
    this.refill();
    this.tokens -= 1;
  }

  /** How long until {@link take} can succeed (0 when it can now). */
  msUntilToken(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) / this.refillPerMs);
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.rate.messages, this.tokens + (now - this.updatedAt) * this.refillPerMs);
    this.updatedAt = now;
  }
}
