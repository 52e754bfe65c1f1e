import type { PubSubMessage } from '@arcade/cache';
import { Redis } from 'ioredis';
import { RedisCacheManager } from '../src';
import { type RedisTestServer, startRedisServer } from '../src/testing';
import { collector, connectedClients, rawClient, useRedisServer } from './support/helpers';

const redis = useRedisServer();
const { create, open } = redis;

/**
 * Asserts Redis counts down `ttlMs` on `key`. PTTL answers -2 for a missing key and -1 for one
 * without a TTL, so an upper bound alone would pass both; half the TTL leaves a slow run its time.
 */
async function expectTtlOnServer(key: string, ttlMs: number): Promise<void> {
  const remaining = await redis.observer.pttl(key);
  expect(remaining).toBeGreaterThan(ttlMs / 2);
  expect(remaining).toBeLessThanOrEqual(ttlMs);
}

describe('RedisCacheManager connections', () => {
  it('opens no connection when constructed, and two when initialized', async () => {
    const before = await connectedClients(redis.observer);
    const cache = create();
    expect(cache.status).toBe('idle');
    expect(await connectedClients(redis.observer)).toBe(before);
    await cache.init();
    expect(await connectedClients(redis.observer)).toBe(before + 2);
  });

  it('takes the guide’s host/port/secure options in init()', async () => {
    const cache = new RedisCacheManager();
    redis.track(cache);
    await cache.init({
      host: redis.server.host,
      port: redis.server.port,
      secure: false,
      keyPrefix: 'guide:',
    });
    await cache.set('k', 'v');
    expect(await redis.observer.get('guide:k')).not.toBeNull();
  });

  it('keeps one subscriber connection however many channels it listens to', async () => {
    const cache = await open();
    const before = await connectedClients(redis.observer);
    await Promise.all(Array.from({ length: 20 }, (_, i) => cache.subscribe(`channel-${i}`, () => {})));
    expect(await connectedClients(redis.observer)).toBe(before);
    expect(await cache.publish('channel-7', 'm')).toBe(1);
  });

  it('closes both of its connections on dispose', async () => {
    const before = await connectedClients(redis.observer);
    const cache = await open();
    await cache.dispose();
    expect(await connectedClients(redis.observer)).toBe(before);
  });

  it('uses a client passed in, leaves it open after dispose, and closes its own subscriber', async () => {
    const client = new Redis(redis.server.url);
    try {
      await client.ping();
      const before = await connectedClients(redis.observer);
      const cache = await open({ client });
      expect(await connectedClients(redis.observer)).toBe(before + 1);
      await cache.set('k', 'v');
      expect(await client.exists('app:k')).toBe(1);
      await cache.dispose();
      expect(client.status).toBe('ready');
      expect(await client.ping()).toBe('PONG');
      expect(await connectedClients(redis.observer)).toBe(before);
    } finally {
      client.disconnect();
    }
  });

  it('closes a client passed in when asked to', async () => {
    const client = new Redis(redis.server.url, { lazyConnect: true });
    const cache = await open({ client, closeClient: true });
    await cache.set('k', 'v');
    await cache.dispose();
    expect(client.status).toBe('end');
  });
});

describe('RedisCacheManager data in Redis', () => {
  it('prefixes keys and channels', async () => {
    const cache = await open({ keyPrefix: 'tenant-1:' });
    await cache.set('user', 'ada');
    await cache.setAdd('room', 'a');
    expect(await redis.observer.exists('tenant-1:user', 'tenant-1:room')).toBe(2);
    const listener = redis.observer.duplicate();
    try {
      const got = collector<string>();
      listener.on('message', (channel: string) => got.push(channel));
      await listener.subscribe('tenant-1:news');
      expect(await cache.publish('news', 'm')).toBe(1);
      await got.reached(1);
      expect(got.items).toEqual(['tenant-1:news']);
    } finally {
      listener.disconnect();
    }
  });

  it('frames a published message with one tag byte: `s` and UTF-8 text, `b` and the bytes', async () => {
    const cache = await open();
    const listener = redis.observer.duplicate();
    try {
      const got = collector<Buffer>();
      listener.on('messageBuffer', (_channel: Buffer, message: Buffer) => got.push(message));
      await listener.subscribe('app:wire');
      await cache.publish('wire', 'héllo \u{1f3b2}');
      await cache.publish('wire', Uint8Array.from([0, 255]));
      await got.reached(2);
      expect(got.items).toEqual([
        Buffer.concat([Buffer.from('s'), Buffer.from('héllo \u{1f3b2}', 'utf8')]),
        Buffer.from([0x62, 0, 255]),
      ]);
    } finally {
      listener.disconnect();
    }
  });

  it('stores TTLs in milliseconds with PX', async () => {
    const cache = await open();
    await cache.set('k', 'v', { ttlMs: 60_000 });
    await cache.setIfAbsent('lease', 'v', { ttlMs: 30_000 });
    await expectTtlOnServer('app:k', 60_000);
    await expectTtlOnServer('app:lease', 30_000);
  });

  it('lets two adapters on one Redis receive each other’s messages', async () => {
    const first = await open();
    const second = await open();
    const firstGot = collector<PubSubMessage>();
    const secondGot = collector<PubSubMessage>();
    await first.subscribe('chat', firstGot.push);
    await second.subscribe('chat', secondGot.push);
    expect(await first.publish('chat', 'from first')).toBe(2);
    expect(await second.publish('chat', Uint8Array.from([2]))).toBe(2);
    await Promise.all([firstGot.reached(2), secondGot.reached(2)]);
    for (const got of [firstGot, secondGot]) {
      expect(got.items[0]).toBe('from first');
      expect(got.items[1]).toEqual(Uint8Array.from([2]));
    }
  });

  it('keeps two prefixes apart, and clear() of one leaves the other and foreign keys', async () => {
    // A prefix with glob characters must not match keys of another prefix in SCAN.
    const mine = await open({ keyPrefix: 'a*:' });
    const theirs = await open({ keyPrefix: 'ab:' });
    await redis.observer.set('unrelated', 'stays');
    await mine.set('k', 'mine');
    await theirs.set('k', 'theirs');
    await mine.setAdd('s', 'x');
    await theirs.setAdd('s', 'y');
    await Promise.all(Array.from({ length: 1200 }, (_, i) => mine.set(`bulk:${i}`, i)));
    expect(await theirs.get('k')).toBe('theirs');
    expect(await mine.get('k')).toBe('mine');

    await mine.clear();
    expect(await redis.observer.keys('a\\*:*')).toEqual([]);
    expect(await theirs.get('k')).toBe('theirs');
    expect(await theirs.setMembers('s')).toEqual(['y']);
    expect(await redis.observer.get('unrelated')).toBe('stays');
  });

  it('batch writes every key in one atomic step', async () => {
    const cache = await open();
    await cache.set('value', 'text');
    const failing = cache.batch([
      { type: 'set', key: 'written', value: 1 },
      { type: 'setAdd', key: 'value', members: ['a'] },
    ]);
    await expect(failing).rejects.toEqual(expect.objectContaining({ code: 'WRONG_TYPE' }));
    expect(await cache.contains('written')).toBe(false);
    await cache.batch([
      { type: 'remove', key: 'value' },
      { type: 'setAdd', key: 'value', members: ['a'] },
    ]);
    expect(await cache.setMembers('value')).toEqual(['a']);
  });

  // A Redis registry cleaning up after ten thousand connections sends some 30 000 operations at once;
  // with keys and arguments spread into one call this overflowed the stack and was reported as an outage.
  it('applies a batch of 40 000 operations and a set of 200 000 members in one call each', async () => {
    const cache = await open();
    const operations = Array.from({ length: 40_000 }, (_, index) => ({
      type: 'set' as const,
      key: `many:${index}`,
      value: index,
    }));
    await cache.batch(operations);
    expect(await cache.get('many:39999')).toBe(39_999);
    const members = Array.from({ length: 200_000 }, (_, index) => `m${index}`);
    await cache.batch([{ type: 'setAdd', key: 'crowd', members }]);
    expect(await cache.setSize('crowd')).toBe(200_000);
    await cache.batch(operations.map(({ key }) => ({ type: 'remove' as const, key })));
    expect(await cache.contains('many:0')).toBe(false);
  });

  it('sends the batch script again when Redis forgot it (restart, SCRIPT FLUSH)', async () => {
    const cache = await open();
    await cache.batch([{ type: 'set', key: 'before', value: 1 }]);
    await redis.observer.script('FLUSH');
    await cache.batch([{ type: 'set', key: 'after', value: 2 }]);
    expect(await cache.get('after')).toBe(2);
  });

  it('names the batch operation whose value it rejects, before sending anything', async () => {
    const cache = await open();
    const failing = cache.batch([
      { type: 'set', key: 'fine', value: 1 },
      { type: 'set', key: 'bad', value: { list: [1, Number.NaN] } },
    ]);
    await expect(failing).rejects.toEqual(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('operations[1].value.list[1]'),
      }),
    );
    expect(await cache.contains('fine')).toBe(false);
  });

  it('rejects a value it did not write with WRONG_TYPE and drops messages it did not frame', async () => {
    const warnings = collector<string>();
    const cache = await open({ logger: { warn: (message) => warnings.push(message) } });
    await redis.observer.set('app:foreign', 'jnot json');
    await expect(cache.get('foreign')).rejects.toEqual(expect.objectContaining({ code: 'WRONG_TYPE' }));
    const got = collector<PubSubMessage>();
    await cache.subscribe('c', got.push);
    await redis.observer.publish('app:c', 'raw text');
    await cache.publish('c', 'framed');
    await Promise.all([got.reached(1), warnings.reached(1)]);
    expect(got.items).toEqual(['framed']);
    expect(warnings.items[0]).toMatch(/not published by @arcade\/cache-redis/);
  });

  it('reports a listener that throws to the logger', async () => {
    const warnings = collector<string>();
    const cache = await open({ logger: { warn: (message) => warnings.push(message) } });
    await cache.subscribe('c', () => {
      throw new Error('boom');
    });
    await cache.publish('c', 'm');
    await warnings.reached(1);
    expect(warnings.items[0]).toMatch(/listener threw/);
  });
});

describe('RedisCacheManager databases', () => {
  it('writes to the database it was given', async () => {
    const cache = await open({ db: 3 });
    await cache.set('k', 'in three');
    const reader = await rawClient(redis.server.url.replace(/\/?$/, '/3'));
    try {
      expect((await reader.getBuffer('app:k'))?.toString('utf8', 1)).toBe('in three');
    } finally {
      reader.disconnect();
    }
  });

  it('rejects init with INVALID_ARGUMENT for a database the server does not have, instead of using db 0', async () => {
    const cache = create({ db: 99 });
    await expect(cache.init()).rejects.toEqual(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/database 99/) }),
    );
    expect(await redis.observer.exists('app:k')).toBe(0);
  });
});

describe('RedisCacheManager credentials', () => {
  let secured: RedisTestServer;

  beforeAll(async () => {
    secured = await startRedisServer({ password: 'right' });
  });

  afterAll(async () => {
    await secured.stop();
  });

  it('rejects init with OPERATION_FAILED naming the password when it is wrong', async () => {
    const cache = create({ host: secured.host, port: secured.port, password: 'wrong', url: undefined });
    const failure = cache.init();
    await expect(failure).rejects.toEqual(
      expect.objectContaining({ code: 'OPERATION_FAILED', message: expect.stringMatching(/password/) }),
    );
    await expect(failure).rejects.toThrow(/WRONGPASS/);
    expect(cache.status).toBe('idle');
  });

  it('rejects init with OPERATION_FAILED when no password is given', async () => {
    const cache = create({ host: secured.host, port: secured.port, url: undefined });
    await expect(cache.init()).rejects.toEqual(expect.objectContaining({ code: 'OPERATION_FAILED' }));
  });

  it('connects with the right password, from the options or the url', async () => {
    const fromOptions = await open({
      host: secured.host,
      port: secured.port,
      password: 'right',
      url: undefined,
    });
    await fromOptions.set('k', 'v');
    const fromUrl = await open({ url: secured.url });
    expect(await fromUrl.get('k')).toBe('v');
  });
});
