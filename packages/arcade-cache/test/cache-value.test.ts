import { assertCacheValue, CacheError } from '../src';

function rejection(value: unknown): CacheError {
  try {
    assertCacheValue(value, 'the value');
  } catch (error) {
    if (error instanceof CacheError) return error;
    throw error;
  }
  throw new Error('expected a CacheError');
}

describe('assertCacheValue', () => {
  it('accepts bytes and what JSON holds, undefined inside objects and arrays included', () => {
    const shared = { n: 1 };
    const values: unknown[] = [
      new Uint8Array([1, 2]),
      'text',
      0,
      -1.5,
      true,
      null,
      [1, 'two', null, undefined],
      { a: { b: [shared, shared] }, skipped: undefined },
      Object.assign(Object.create(null) as object, { bare: 1 }),
    ];
    for (const value of values) expect(() => assertCacheValue(value, 'the value')).not.toThrow();
  });

  it('rejects what JSON cannot hold with INVALID_ARGUMENT, naming where it is', () => {
    const cycle: { self?: unknown } = {};
    cycle.self = cycle;
    const cases: Array<[unknown, string]> = [
      [undefined, 'Cannot store the value: it is undefined.'],
      [Number.NaN, 'the number NaN'],
      [{ list: [1, Number.POSITIVE_INFINITY] }, 'the value.list[1]: it is the number Infinity'],
      [{ when: new Date(0) }, 'the value.when: it is an instance of Date; store plain objects'],
      [new Map(), 'an instance of Map'],
      [{ run: () => undefined }, 'the value.run: it is a function'],
      [10n, 'a bigint'],
      [cycle, 'the value.self: it is a circular reference'],
    ];
    for (const [value, message] of cases) {
      const error = rejection(value);
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.message).toContain(message);
      expect(error.message).toContain('Store JSON values or a Uint8Array.');
    }
  });
});
