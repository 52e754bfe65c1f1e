/** How many chat messages one user may send in a window. */
export interface MessageRateLimit {
  /** Messages allowed per window. @default 5 */
  messages: number;
  /** Window length in milliseconds. @default 5000 */
  perMs: number;
}

/** The default per-user limit: a burst of five, then one a second on average. */
export const DEFAULT_MESSAGE_RATE_LIMIT: MessageRateLimit = { messages: 5, perMs: 5000 };

/** The outcome of {@link RateLimiter.take}: allowed, or refused with the time until the next slot. */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * A sliding-window counter per key (a connection id). Time comes from `now` so the app can use the
 * wall clock and nothing keeps a timer: a key's timestamps are pruned when it is next used and
 * dropped with {@link RateLimiter.forget} when its connection closes.
 */
export class RateLimiter {
  private readonly sent = new Map<string, number[]>();

  constructor(
    private readonly limit: MessageRateLimit,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one message for `key` if the window has room for it. */
  take(key: string): RateDecision {
    const now = this.now();
    const recent = (this.sent.get(key) ?? []).filter((time) => now - time < this.limit.perMs);
    if (recent.length >= this.limit.messages) {
      this.sent.set(key, recent);
      const oldest = recent[0] ?? now;
      return { allowed: false, retryAfterMs: Math.max(1, this.limit.perMs - (now - oldest)) };
    }
    recent.push(now);
    this.sent.set(key, recent);
    return { allowed: true };
  }

  /** Drops the state of `key`. */
  forget(key: string): void {
    this.sent.delete(key);
  }
}
