import {
  DEFAULT_HEARTBEAT,
  DEFAULT_MAX_BUFFERED_BYTES,
  DEFAULT_MAX_PAYLOAD,
  DEFAULT_RATE_LIMIT,
  isOriginAllowed,
  resolveConnectionOptions,
} from '../../src/transport/options';

describe('resolveConnectionOptions', () => {
  // The defaults are those of docs/design.md, "Protection options".
  it('applies the DESIGN defaults', () => {
    expect(resolveConnectionOptions(undefined, undefined)).toEqual({
      maxPayload: 1024 * 1024,
      heartbeat: { intervalMs: 30_000, timeoutMs: 10_000 },
      rateLimit: { messages: 100, perMs: 1000, onExceed: 'drop' },
      maxBufferedBytes: 4 * 1024 * 1024,
      allowedOrigins: undefined,
    });
    expect([DEFAULT_MAX_PAYLOAD, DEFAULT_MAX_BUFFERED_BYTES]).toEqual([1_048_576, 4_194_304]);
    expect(DEFAULT_HEARTBEAT).toEqual({ intervalMs: 30_000, timeoutMs: 10_000 });
    expect(DEFAULT_RATE_LIMIT).toEqual({ messages: 100, perMs: 1000, onExceed: 'drop' });
  });

  it('lets route options override server options, which override the defaults', () => {
    const resolved = resolveConnectionOptions(
      { maxPayload: 10, maxBufferedBytes: 20, heartbeat: false },
      { maxPayload: 5, rateLimit: { messages: 1, perMs: 10, onExceed: 'close' } },
    );
    expect(resolved).toMatchObject({
      maxPayload: 5,
      maxBufferedBytes: 20,
      heartbeat: false,
      rateLimit: { messages: 1, perMs: 10, onExceed: 'close' },
    });
  });

  it('fills the missing fields of a partial nested option from the defaults', () => {
    const resolved = resolveConnectionOptions({ heartbeat: { intervalMs: 50 } as never }, undefined);
    expect(resolved.heartbeat).toEqual({ intervalMs: 50, timeoutMs: 10_000 });
  });

  it.each([
    [{ maxPayload: 0 }, /maxPayload/],
    [{ maxBufferedBytes: -1 }, /maxBufferedBytes/],
    [{ heartbeat: { intervalMs: Number.NaN, timeoutMs: 1 } }, /heartbeat.intervalMs/],
    [{ rateLimit: { messages: 1, perMs: 1, onExceed: 'ignore' as never } }, /onExceed/],
  ])('rejects the invalid option %j with a RangeError naming it', (options, message) => {
    expect(() => resolveConnectionOptions(undefined, options)).toThrow(message);
  });
});

describe('isOriginAllowed', () => {
  it('allows every origin when no list is given', () => {
    expect(isOriginAllowed(undefined, 'https://evil.example')).toBe(true);
  });

  it('allows only listed origins, and refuses a request without an Origin', () => {
    const list = ['https://app.example'];
    expect(isOriginAllowed(list, 'https://app.example')).toBe(true);
    expect(isOriginAllowed(list, 'https://evil.example')).toBe(false);
    expect(isOriginAllowed(list, undefined)).toBe(false);
  });

  it('asks a predicate, passing undefined when there is no Origin', () => {
    const seen: (string | undefined)[] = [];
    const predicate = (origin: string | undefined): boolean => {
      seen.push(origin);
      return origin === undefined;
    };
    expect(isOriginAllowed(predicate, undefined)).toBe(true);
    expect(isOriginAllowed(predicate, 'https://x.example')).toBe(false);
    expect(seen).toEqual([undefined, 'https://x.example']);
  });
});
