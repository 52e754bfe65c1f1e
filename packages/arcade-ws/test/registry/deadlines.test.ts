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

  it('shares one timer between the deadlines of a slice, and drops it when it fires', () => {
    const buckets = new DeadlineBuckets();
    const first = jest.fn();
    const second = jest.fn();
    const a = buckets.add(4000, first);
    const b = buckets.add(4000, second);
    expect(jest.getTimerCount()).toBe(1);
    a.cancel();
    a.cancel(); // idempotent
    b.cancel();
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(10_000);
    expect(jest.getTimerCount()).toBe(0);
    expect(first).not.toHaveBeenCalled();
    expect(second).not.toHaveBeenCalled();
  });

  it('arms no new timer for a deadline of a slice whose deadlines were all cancelled', () => {
    const buckets = new DeadlineBuckets();
    const armed = jest.spyOn(global, 'setTimeout');
    buckets.add(4000, jest.fn()).cancel();
    const later = jest.fn();
    buckets.add(4000, later);
    expect(armed).toHaveBeenCalledTimes(1);
    armed.mockRestore();
    jest.advanceTimersByTime(4000 + DEADLINE_GRANULARITY_MS);
    expect(later).toHaveBeenCalledTimes(1);
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

describe('DeadlineBuckets on real timers', () => {
  const timers = (): number => process.getActiveResourcesInfo().filter((type) => type === 'Timeout').length;

  it('keeps the process alive while a deadline waits, and not once every deadline is cancelled', () => {
    const buckets = new DeadlineBuckets();
    const before = timers();
    const first = buckets.add(4000, jest.fn());
    expect(timers()).toBe(before + 1);
    first.cancel();
    expect(timers()).toBe(before);
    const second = buckets.add(4000, jest.fn());
    expect(timers()).toBe(before + 1);
    second.cancel();
    expect(timers()).toBe(before);
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

  it('passes the value or the error through', async () => {
    await expect(withDeadline('read', () => Promise.resolve(7))).resolves.toBe(7);
    await expect(withDeadline('read', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(
      withDeadline('read', () => {
        throw new Error('thrown synchronously');
      }),
    ).rejects.toThrow('thrown synchronously');
  });
});
