import { CacheError } from '../src';

describe('CacheError', () => {
  it('carries a stable code, its message and its cause', () => {
    const cause = new Error('socket closed');
    const error = new CacheError('UNAVAILABLE', 'Redis is unreachable; retry later.', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('CacheError');
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toBe('Redis is unreachable; retry later.');
    expect(error.cause).toBe(cause);
  });
});
