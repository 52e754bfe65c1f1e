// How long the client waits before its next connection attempt (README, "Reconnection").

/** The bounds of the backoff, in milliseconds. */
export interface BackoffBounds {
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * Full-jitter exponential backoff: a uniform draw in `[0, min(max, min * 2^failures))`. The draw over
 * the whole window (not "the ceiling plus a little noise") is what spreads thousands of clients of a
 * restarted server over the window instead of sending them back together.
 *
 * @param failures consecutive failed attempts so far (0 for the first retry)
 * @param random a uniform draw in [0, 1), `Math.random` unless a test or an app injects its own
 */
export function backoffDelay(failures: number, bounds: BackoffBounds, random: () => number): number {
  // The exponent is capped so that a long outage never reaches 2^1024 = Infinity (0 * Infinity is NaN).
  const ceiling = Math.min(bounds.maxDelayMs, bounds.minDelayMs * 2 ** Math.min(failures, 30));
  return Math.floor(random() * ceiling);
}

/**
 * The wait after a 1012 (a drain during a rolling deploy): the server asks for a reconnection now,
 * so the delay is a draw in `[0, minDelayMs)`, enough to spread one instance's clients over the others.
 */
export function restartDelay(bounds: BackoffBounds, random: () => number): number {
  return Math.floor(random() * bounds.minDelayMs);
}
