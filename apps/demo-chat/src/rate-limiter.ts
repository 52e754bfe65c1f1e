import { isIPv6 } from 'node:net';

/** How many of something (frames of one kind, new connections) one client address may send in a window. */
export interface RateBudget {
  /** How many are allowed per window: a positive integer. */
  messages: number;
  /** Window length in milliseconds: a positive integer. */
  perMs: number;
}

/** The budget of chat and private messages (`rateLimit` of `createChatServer`). */
export type MessageRateLimit = RateBudget;

/** The default per-address chat limit: a burst of five, then one a second on average. */
export const DEFAULT_MESSAGE_RATE_LIMIT: MessageRateLimit = { messages: 5, perMs: 5000 };

/** The outcome of {@link RateLimiter.take}: allowed, or refused with the time until the next slot. */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * A sliding-window counter per key (a client address, see {@link rateLimitKey}). The count belongs
 * to the key, not to a connection, so closing and reopening connections gives no fresh budget.
 *
 * Time comes from `now` so the app can use the wall clock and nothing keeps a timer. A key is
 * forgotten once it has sent nothing for a whole window (its count would be zero anyway): at most
 * once per window, the next `take` sweeps every such key. The map therefore holds only the keys that
 * sent something in the last two windows, however many clients came and went.
 */
export class RateLimiter {
  private readonly sent = new Map<string, number[]>();
  private nextSweep: number;

  constructor(
    private readonly limit: RateBudget,
    private readonly now: () => number = Date.now,
  ) {
    this.nextSweep = now() + limit.perMs;
  }

  /** Counts one message for `key` if the window has room for it. */
  take(key: string): RateDecision {
    const now = this.now();
    this.sweep(now);
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

  /** How many keys the limiter holds state for. */
  get trackedKeys(): number {
    return this.sent.size;
  }

  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + this.limit.perMs;
    for (const [key, times] of this.sent) {
      const newest = times[times.length - 1];
      if (newest === undefined || now - newest >= this.limit.perMs) this.sent.delete(key);
    }
  }
}

const IPV4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/**
 * The rate-limit key of a client: its IPv4 address (also when it arrives IPv4-mapped, `::ffff:a.b.c.d`),
 * or the /64 network of its IPv6 address, since one IPv6 host usually holds a whole /64 and could
 * otherwise take a fresh address, and budget, for every connection. `fallback` (the connection id)
 * is used when the socket has no address any more.
 */
export function rateLimitKey(remoteAddress: string | undefined, fallback: string): string {
  if (!remoteAddress) return fallback;
  const mapped = IPV4_MAPPED.exec(remoteAddress);
  if (mapped?.[1]) return mapped[1];
  const address = remoteAddress.split('%')[0] ?? remoteAddress;
  if (!isIPv6(address)) return remoteAddress;
  return `${ipv6Groups(address).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address, in lowercase hex without leading zeros. */
function ipv6Groups(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const groupsOf = (part: string): string[] =>
    part === ''
      ? []
      : part.split(':').flatMap((group) => {
          if (!group.includes('.')) return [group];
          // An embedded IPv4 address (::a.b.c.d) takes the last two groups.
          const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
          return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
        });
  const front = groupsOf(head);
  const back = tail === undefined ? [] : groupsOf(tail);
  const zeros = Array.from({ length: 8 - front.length - back.length }, () => '0');
  return [...front, ...zeros, ...back].map((group) => Number.parseInt(group, 16).toString(16));
}
