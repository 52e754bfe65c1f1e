import { CacheError } from '@arcade/cache';
import { RedisCacheManager } from '../src';
import { createCommandClient, createSubscriberClient } from '../src/connections';
import { reconnectDelay, resolveOptions } from '../src/options';

describe('resolveOptions', () => {
  it('defaults to localhost:6379, db 0, no TLS and the arcade: prefix', () => {
    const { redis, keyPrefix, closeClient } = resolveOptions({});
    expect(redis).toMatchObject({ host: 'localhost', port: 6379, db: 0, lazyConnect: true });
    expect(redis.tls).toBeUndefined();
    expect(keyPrefix).toBe('arcade:');
    expect(closeClient).toBe(false);
  });

  it('turns secure: true into a TLS configuration with the host as servername', () => {
    const { redis } = resolveOptions({ host: 'cache.internal', port: 6380, secure: true });
    expect(redis).toMatchObject({
      host: 'cache.internal',
      port: 6380,
      tls: { servername: 'cache.internal' },
    });
  });

  it('reads a rediss:// url as TLS, with credentials, port and database', () => {
    const { redis } = resolveOptions({ url: 'rediss://app%40svc:p%3Ass@cache.example:6390/3' });
    expect(redis).toMatchObject({
      host: 'cache.example',
      port: 6390,
      db: 3,
      username: 'app@svc',
      password: 'p:ss',
      tls: { servername: 'cache.example' },
    });
  });

  it('reads a redis:// url as plain TCP, and explicit options override its parts', () => {
    const { redis } = resolveOptions({ url: 'redis://:old@cache.example:7000/1', password: 'new', db: 2 });
    expect(redis).toMatchObject({ host: 'cache.example', port: 7000, db: 2, password: 'new' });
    expect(redis.tls).toBeUndefined();
    expect(resolveOptions({ url: 'rediss://h', secure: false }).redis.tls).toBeUndefined();
  });

  it('merges custom TLS settings and implies TLS', () => {
    const { redis } = resolveOptions({ host: 'h', tls: { ca: 'CERT', servername: 'other' } });
    expect(redis.tls).toEqual({ ca: 'CERT', servername: 'other' });
  });

  it('configures fail-fast behaviour: no offline queue, bounded commands, own resubscription', () => {
    const { redis } = resolveOptions({ commandTimeoutMs: 1500, connectTimeoutMs: 4000 });
    expect(redis).toMatchObject({
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      autoResubscribe: false,
      commandTimeout: 1500,
      connectTimeout: 4000,
    });
    expect(redis.retryStrategy?.(1)).toBe(reconnectDelay(1, 1000));
  });

  it('reads a cluster seed list: TLS when a seed is rediss://, the credentials of its URLs, for every node', () => {
    const resolved = resolveOptions({
      cluster: ['rediss://ada:s3cret@10.0.0.1:7000', { host: '10.0.0.2', port: 7001 }],
      keyPrefix: 'app:',
    });
    expect(resolved.cluster?.nodes).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: '10.0.0.2', port: 7001 },
    ]);
    expect(resolved.cluster?.options.redisOptions).toMatchObject({
      username: 'ada',
      password: 's3cret',
      tls: expect.any(Object),
    });
    expect(resolved.cluster?.options).toMatchObject({ shardedSubscribers: true, enableOfflineQueue: false });
    expect(
      resolveOptions({ cluster: ['redis://10.0.0.1:7000'], password: 'given' }).cluster?.options.redisOptions,
    ).toMatchObject({
      password: 'given',
      tls: undefined,
    });
  });

  it('rejects a bad cluster seed list, or a key prefix with a hash tag on a cluster, with INVALID_ARGUMENT', () => {
    for (const cluster of [
      [],
      ['http://10.0.0.1:7000'],
      [{ host: '', port: 7000 }],
      [{ host: 'h', port: 0 }],
    ]) {
      expect(() => resolveOptions({ cluster: cluster as never })).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      );
    }
    expect(() => resolveOptions({ cluster: ['redis://h:1'], keyPrefix: 'app{1}:' })).toThrow(
      /must not hold \{ or \}/,
    );
  });

  it('rejects bad options with INVALID_ARGUMENT', () => {
    const bad = [
      { url: 'http://cache.example' },
      { url: 'not a url' },
      { url: 'redis://h/db' },
      { keyPrefix: '' },
      { port: 0 },
      { db: -1 },
      { commandTimeoutMs: 0 },
    ];
    for (const options of bad) {
      expect(() => resolveOptions(options)).toThrow(CacheError);
    }
  });

  it('rejects a keyPrefix that is not well-formed UTF-16: Redis would store it as that of other adapters', () => {
    // Redis keeps each lone surrogate as U+FFFD: `app\ud800:` and `app\udbff:` would be `app\ufffd:`.
    for (const keyPrefix of ['app\ud800:', 'app:\udc00', `${'🎮'.slice(0, 1)}:`, '\udc00\ud800']) {
      let error: unknown;
      try {
        resolveOptions({ keyPrefix });
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(CacheError);
      expect(error).toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining(`keyPrefix ${JSON.stringify(keyPrefix)} is not well-formed UTF-16`),
      });
    }
    for (const keyPrefix of ['🎮:', '𝄞:', 'app\ufffd:'])
      expect(resolveOptions({ keyPrefix }).keyPrefix).toBe(keyPrefix);
  });

  it('backs off exponentially up to the cap', () => {
    expect([1, 2, 3, 4, 5, 10].map((attempt) => reconnectDelay(attempt, 500))).toEqual([
      50, 100, 200, 400, 500, 500,
    ]);
  });
});

describe('the ioredis clients the adapter creates', () => {
  it('carry the TLS configuration, on the subscriber too, without connecting', () => {
    const settings = resolveOptions({ url: 'rediss://:secret@cache.example:6390/2' });
    const command = createCommandClient(settings);
    const subscriber = createSubscriberClient(command, settings);
    try {
      for (const client of [command, subscriber]) {
        expect(client.status).toBe('wait');
        expect(client.options).toMatchObject({
          host: 'cache.example',
          port: 6390,
          db: 2,
          password: 'secret',
          tls: { servername: 'cache.example' },
          enableOfflineQueue: false,
        });
      }
    } finally {
      command.disconnect();
      subscriber.disconnect();
    }
  });
});

describe('RedisCacheManager before init', () => {
  it('accepts options of an unreachable server without connecting', async () => {
    const cache = new RedisCacheManager({ url: 'rediss://cache.invalid:6390' });
    expect(cache.status).toBe('idle');
    await expect(cache.get('k')).rejects.toEqual(expect.objectContaining({ code: 'NOT_INITIALIZED' }));
    await cache.dispose();
  });

  it('rejects init with INVALID_ARGUMENT for bad options, given to init', async () => {
    const cache = new RedisCacheManager();
    await expect(cache.init({ url: 'http://nope' })).rejects.toEqual(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(cache.status).toBe('idle');
    await cache.dispose();
  });

  it('rejects init with INVALID_ARGUMENT for a keyPrefix with a lone surrogate, given to the constructor', async () => {
    const cache = new RedisCacheManager({
      url: 'redis://cache.invalid',
      keyPrefix: 'tenant-\ud83c:',
      connectTimeoutMs: 200,
    });
    await expect(cache.init()).rejects.toEqual(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(cache.status).toBe('idle');
    await cache.dispose();
  });
});
