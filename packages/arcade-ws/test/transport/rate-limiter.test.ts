import { TokenBucket } from '../../src/transport/rate-limiter';

describe('TokenBucket', () => {
  it('allows a burst of `messages` and refuses the next one', () => {
    const bucket = new TokenBucket({ messages: 3, perMs: 1000 }, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });

  it('refills continuously at messages per perMs', () => {
    const bucket = new TokenBucket({ messages: 2, perMs: 1000 }, 0);
    bucket.take(0);
    bucket.take(0);
    expect(bucket.take(499)).toBe(false);
    expect(bucket.take(1000)).toBe(true);
  });

  it('never holds more than `messages` tokens however long it idles', () => {
    const bucket = new TokenBucket({ messages: 2, perMs: 100 }, 0);
    const taken = [1, 2, 3].map(() => bucket.take(1_000_000));
    expect(taken).toEqual([true, true, false]);
  });
});
