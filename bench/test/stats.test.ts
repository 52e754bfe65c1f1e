import { median, Samples } from '../src/stats';

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('ignores values that are not finite and is NaN without any', () => {
    expect(median([Number.NaN, 5, Number.POSITIVE_INFINITY])).toBe(5);
    expect(median([])).toBeNaN();
  });
});

describe('Samples', () => {
  it('gives nearest-rank percentiles over every sample, growing past its first buffer', () => {
    const samples = new Samples();
    for (let i = 100_000; i >= 1; i--) samples.add(i);
    expect(samples.count).toBe(100_000);
    expect(samples.percentiles([50, 99, 99.9, 100])).toEqual([50_000, 99_000, 99_900, 100_000]);
  });

  it('gives NaN percentiles when empty', () => {
    expect(new Samples().percentiles([50])).toEqual([Number.NaN]);
  });
});
