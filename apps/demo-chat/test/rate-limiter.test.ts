import { RateLimiter, rateLimitKey } from '../src/rate-limiter';

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

  it('forgets keys idle for a whole window, and only those', () => {
    let now = 0;
    const limiter = new RateLimiter({ messages: 1, perMs: 1_000 }, () => now);
    for (let i = 0; i < 100; i += 1) limiter.take(`client-${i}`);
    now = 600;
    limiter.take('recent');
    expect(limiter.trackedKeys).toBe(101);
    now = 1_000;
    expect(limiter.take('late').allowed).toBe(true);
    // The hundred idle keys are gone; 'recent' is still counted and still refused.
    expect(limiter.trackedKeys).toBe(2);
    expect(limiter.take('recent')).toEqual({ allowed: false, retryAfterMs: 600 });
  });

  it('holds a bounded number of keys however many clients come and go', () => {
    let now = 0;
    const limiter = new RateLimiter({ messages: 5, perMs: 1_000 }, () => now);
    let most = 0;
    for (let i = 0; i < 10_000; i += 1) {
      now = i * 10;
      limiter.take(`client-${i}`);
      most = Math.max(most, limiter.trackedKeys);
    }
    // One new key every 10 ms: at most two windows' worth (200) are ever held.
    expect(most).toBeLessThanOrEqual(200);
  });
});

describe('rateLimitKey', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::FFFF:127.0.0.1', '127.0.0.1'],
    ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:db8:1:2::1.2.3.4', '2001:db8:1:2::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
  ])('keys %s as %s', (address, key) => {
    expect(rateLimitKey(address, 'connection-id')).toBe(key);
  });

  it('falls back to the connection id when the socket has no address', () => {
    expect(rateLimitKey(undefined, 'connection-id')).toBe('connection-id');
  });
});
