import { WebSocket } from 'ws';
import { ArcadeClientError, createClient } from '../src/index';
import { connectionUrl, resolveOptions } from '../src/options';

const base = { WebSocket, network: null, autoConnect: false } as const;

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ArcadeClientError) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error('did not throw');
}

describe('createClient options', () => {
  it('names the fix when the runtime has no WebSocket and none is passed', () => {
    const scope = globalThis as { WebSocket?: unknown };
    const saved = scope.WebSocket;
    delete scope.WebSocket;
    try {
      expect(
        codeOf(() => createClient('ws://127.0.0.1:1/events', { network: null, autoConnect: false })),
      ).toMatch(/^NO_WEBSOCKET: .*import \{ WebSocket \} from 'ws'/);
    } finally {
      if (saved !== undefined) scope.WebSocket = saved;
    }
  });

  it('applies the documented defaults', () => {
    const resolved = resolveOptions('ws://127.0.0.1:1/events', { WebSocket, network: null });
    expect(resolved).toMatchObject({
      reconnect: { minDelayMs: 500, maxDelayMs: 20_000, stableAfterMs: 5000 },
      connectTimeoutMs: 10_000,
      requestTimeoutMs: 10_000,
      queueSize: 100,
      pingIdleMs: 25_000,
      pongTimeoutMs: 10_000,
      autoConnect: true,
      random: Math.random,
    });
    expect(resolveOptions('ws://h/', { WebSocket }).network).toBeNull();
  });

  it('turns http(s) URLs into ws(s) URLs and keeps their query', () => {
    expect(resolveOptions('https://example.com/chat?v=2', base).url.href).toBe('wss://example.com/chat?v=2');
    expect(resolveOptions('http://example.com/chat', base).url.href).toBe('ws://example.com/chat');
  });

  it.each([
    ['a relative URL outside a page', '/chat', /INVALID_OPTION: url "\/chat" is not a valid URL/],
    ['another scheme', 'ftp://example.com/', /INVALID_OPTION: .*must use ws:, wss:, http: or https:/],
    ['a fragment', 'ws://example.com/#x', /INVALID_OPTION: .*#fragment/],
  ])('refuses %s', (_what, url, message) => {
    expect(codeOf(() => createClient(url, base))).toMatch(message);
  });

  it.each([
    [{ queueSize: -1 }, /queueSize must be an integer, 0 or more, got -1/],
    [{ queueSize: 1.5 }, /queueSize/],
    [{ requestTimeoutMs: 0 }, /requestTimeoutMs must be an integer from 1/],
    [{ pingIdleMs: Number.NaN }, /pingIdleMs/],
    [{ pongTimeoutMs: 2 ** 31 }, /pongTimeoutMs/],
    [{ connectTimeoutMs: '5' }, /connectTimeoutMs/],
    [
      { reconnect: { minDelayMs: 1000, maxDelayMs: 10 } },
      /maxDelayMs \(10\) must be at least reconnect.minDelayMs \(1000\)/,
    ],
    [{ reconnect: { stableAfterMs: -5 } }, /reconnect.stableAfterMs/],
    [{ reconnect: true }, /reconnect must be false or an object/],
    [{ params: 'token' }, /params must be a function/],
    [{ random: 4 }, /random must be a function/],
    [{ autoConnect: 'no' }, /autoConnect must be a boolean/],
    [{ network: {} }, /network must be null or an object/],
    [{ WebSocket: 'ws' }, /WebSocket must be a WebSocket class/],
  ])('refuses %j with a message naming the option', (options, message) => {
    expect(codeOf(() => createClient('ws://127.0.0.1:1/', { ...base, ...(options as object) }))).toMatch(
      new RegExp(`^INVALID_OPTION: .*${message.source}`),
    );
  });
});

describe('connectionUrl', () => {
  const url = new URL('ws://example.com/chat?room=a&token=old');

  it("adds the provider's params to the query, replacing one of the same name", () => {
    expect(connectionUrl(url, { token: 'n w', user: '7' })).toBe(
      'ws://example.com/chat?room=a&token=n+w&user=7',
    );
  });

  it.each([
    [undefined, /must return an object of strings, got undefined/],
    [null, /got null/],
    [['a'], /got an array/],
    [{ user: 7 }, /returned a number for "user": every value must be a string/],
  ])('refuses %j', (params, message) => {
    expect(() => connectionUrl(url, params)).toThrow(message);
  });
});
