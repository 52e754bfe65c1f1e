import type { RateLimitOptions } from './options';

/**
 * Token bucket: holds at most `messages` tokens, refills continuously at `messages` per `perMs`;
 * each inbound message takes one token.
 */
export class TokenBucket {
  private readonly capacity: number;
  private readonly refillPerMs: number;
  private tokens: number;
  private updatedAt: number;

  constructor(options: Pick<RateLimitOptions, 'messages' | 'perMs'>, now: number = performance.now()) {
    this.capacity = options.messages;
    this.refillPerMs = options.messages / options.perMs;
    this.tokens = options.messages;
    this.updatedAt = now;
  }

  /** Takes a token; false when the bucket is empty (the message exceeds the rate). */
  take(now: number = performance.now()): boolean {
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.updatedAt) * this.refillPerMs);
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
