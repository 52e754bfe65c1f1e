import { StorageUnavailableError } from '../../src/errors';
import { DEADLINE_GRANULARITY_MS, DeadlineBuckets } from '../../src/registry/deadlines';
import { withDeadline } from '../../src/registry/storage-guard';

describe('DeadlineBuckets', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('fires a deadline after its timeout, never before, and at most one slice late', () => {
    const buckets = new DeadlineBuckets();
    const expired = jest.fn();
    jest.advanceTimersByTime(30); // off a slice boundary: rounding the slot down would fire early
    buckets.add(1000, expired);
    jest.advanceTimersByTime(999);
    expect(expired).not.toHaveBeenCalled();
    jest.advanceTimersByTime(DEADLINE_GRANULARITY_MS + 1);
    expect(expired).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(10_000);
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it('shares one timer between the deadlines of a slice, and clears it with the last one', () => {
    const buckets = new DeadlineBuckets();
    const first = jest.fn();
    const second = jest.fn();
    const a = buckets.add(4000, first);
    const b = buckets.add(4000, second);
    expect(jest.getTimerCount()).toBe(1);
    a.cancel();
    a.cancel(); // idempotent
    expect(jest.getTimerCount()).toBe(1);
    b.cancel();
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(10_000);
    expect(first).not.toHaveBeenCalled();
    expect(second).not.toHaveBeenCalled();
  });

  it('still fires the deadlines of a slice that were not cancelled', () => {
    const buckets = new DeadlineBuckets();
    const kept = jest.fn();
    buckets.add(500, jest.fn()).cancel();
    buckets.add(500, kept);
    jest.advanceTimersByTime(500 + DEADLINE_GRANULARITY_MS);
    expect(kept).toHaveBeenCalledTimes(1);
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('withDeadline', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('rejects with StorageUnavailableError when the call does not settle in time', async () => {
    const result = withDeadline('publish to ws:room:a', () => new Promise<never>(() => undefined), 1000);
    jest.advanceTimersByTime(1000 + DEADLINE_GRANULARITY_MS);
    await expect(result).rejects.toThrow(
      new StorageUnavailableError('Cannot publish to ws:room:a: the cache did not answer within 1000 ms'),
    );
  });

  it('passes the value or the error through and leaves no timer behind', async () => {
    await expect(withDeadline('read', () => Promise.resolve(7))).resolves.toBe(7);
    await expect(withDeadline('read', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(
      withDeadline('read', () => {
        throw new Error('thrown synchronously');
      }),
    ).rejects.toThrow('thrown synchronously');
    expect(jest.getTimerCount()).toBe(0);
  });
});
