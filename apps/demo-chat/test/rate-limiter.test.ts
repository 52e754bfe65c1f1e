import { RateLimiter } from '../src/rate-limiter';

describe('RateLimiter', () => {
  it('allows the configured number of messages per window and tells when the next one fits', () => {
    let now = 1_000;
    const limiter = new RateLimiter({ messages: 2, perMs: 1_000 }, () => now);
    expect(limiter.take('a')).toEqual({ allowed: true });
    now = 1_400;
    expect(limiter.take('a')).toEqual({ allowed: true });
    now = 1_500;
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterMs: 500 });
    now = 2_000;
    expect(limiter.take('a')).toEqual({ allowed: true });
  });

  it('counts each key on its own', () => {
    const limiter = new RateLimiter({ messages: 1, perMs: 1_000 }, () => 0);
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('b').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
  });

  it('starts a forgotten key afresh', () => {
    const limiter = new RateLimiter({ messages: 1, perMs: 1_000 }, () => 0);
    limiter.take('a');
    limiter.forget('a');
    expect(limiter.take('a').allowed).toBe(true);
  });
});
