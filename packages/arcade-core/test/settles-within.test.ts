import { settlesWithin } from '../src';

describe('settlesWithin', () => {
  it('is true for a promise that fulfils or rejects in time', async () => {
    await expect(settlesWithin(Promise.resolve('value'), 1000)).resolves.toBe(true);
    await expect(settlesWithin(Promise.reject(new Error('failed')), 1000)).resolves.toBe(true);
  });

  it('is false for a promise still pending after the delay, and clears its timer either way', async () => {
    jest.useFakeTimers();
    try {
      const outcome = settlesWithin(new Promise(() => undefined), 50);
      await jest.advanceTimersByTimeAsync(50);
      await expect(outcome).resolves.toBe(false);
      await settlesWithin(Promise.resolve(), 50);
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('waits for the promise when the delay is beyond what a timer can take', async () => {
    jest.useFakeTimers();
    try {
      let settle: () => void = () => undefined;
      const outcome = settlesWithin(
        new Promise<void>((resolve) => {
          settle = resolve;
        }),
        2 ** 31,
      );
      expect(jest.getTimerCount()).toBe(0);
      settle();
      await expect(outcome).resolves.toBe(true);
      await expect(settlesWithin(Promise.resolve(), Number.POSITIVE_INFINITY)).resolves.toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });
});
