import { backoffDelay, restartDelay } from '../src/backoff';

const bounds = { minDelayMs: 500, maxDelayMs: 20_000 };

/** A random source that returns the given draws in turn. */
function draws(...values: number[]): () => number {
  let index = 0;
  return () => values[index++ % values.length] as number;
}

describe('backoffDelay', () => {
  it('draws each delay over the whole window, which doubles from minDelayMs up to maxDelayMs', () => {
    const top = () => 0.999_999;
    const ceilings = [0, 1, 2, 3, 4, 5, 6, 7].map((failures) => backoffDelay(failures, bounds, top));
    expect(ceilings).toEqual([499, 999, 1999, 3999, 7999, 15_999, 19_999, 19_999]);
  });

  it('scales the window by the draw (full jitter), down to 0', () => {
    const random = draws(0, 0.25, 0.5);
    expect([3, 3, 3].map((failures) => backoffDelay(failures, bounds, random))).toEqual([0, 1000, 2000]);
  });

  it('stays at maxDelayMs after any number of failures, and finite with minDelayMs 0', () => {
    expect(backoffDelay(5000, bounds, () => 0.5)).toBe(10_000);
    expect(backoffDelay(5000, { minDelayMs: 0, maxDelayMs: 100 }, () => 0.5)).toBe(0);
  });
});

describe('restartDelay (after a 1012)', () => {
  it('draws within minDelayMs whatever the failures so far', () => {
    expect(restartDelay(bounds, () => 0.999_999)).toBe(499);
    expect(restartDelay(bounds, () => 0)).toBe(0);
  });
});
