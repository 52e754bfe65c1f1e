import type { PubSubMessage } from '@arcade/cache';
import type { Redis } from 'ioredis';
import { RedisCacheManager } from '../src';
import { type RedisTestServer, startRedisServer } from '../src/testing';
import { collector, rawClient } from './support/helpers';

// The framing of stored values and messages that README.md ("How it uses Redis") documents: one tag
// byte, then the payload. Other adapters (and other versions of this one) read what this one wrote.

let server: RedisTestServer;
let observer: Redis;
let cache: RedisCacheManager;

beforeAll(async () => {
  server = await startRedisServer();
  observer = await rawClient(server.url);
  cache = new RedisCacheManager({ url: server.url, keyPrefix: 'codec:' });
  await cache.init();
});

afterAll(async () => {
  await cache?.dispose();
  observer?.disconnect();
  await server?.stop();
});

it('stores a string behind `s` (even one that looks like JSON), bytes behind `b`, other JSON behind `j`', async () => {
  await cache.set('text', '{"looks":"like json"}');
  await cache.set('bytes', Uint8Array.from([0, 255]));
  await cache.set('json', { n: 1 });
  expect(await observer.getBuffer('codec:text')).toEqual(Buffer.from('s{"looks":"like json"}', 'utf8'));
  expect(await observer.getBuffer('codec:bytes')).toEqual(Buffer.from([0x62, 0, 255]));
  expect(await observer.getBuffer('codec:json')).toEqual(Buffer.from('j{"n":1}', 'utf8'));
});

// batch() sends text and JSON frames as strings (ioredis's cheaper path): the bytes stored are the same.
it('frames the values of batch() as set() does', async () => {
  await cache.batch([
    { type: 'set', key: 'batch-text', value: '{"looks":"like json"}' },
    { type: 'set', key: 'batch-bytes', value: Uint8Array.from([0, 255]) },
    { type: 'set', key: 'batch-json', value: { n: 1, s: 'é' } },
  ]);
  expect(await observer.getBuffer('codec:batch-text')).toEqual(Buffer.from('s{"looks":"like json"}', 'utf8'));
  expect(await observer.getBuffer('codec:batch-bytes')).toEqual(Buffer.from([0x62, 0, 255]));
  expect(await observer.getBuffer('codec:batch-json')).toEqual(Buffer.from('j{"n":1,"s":"é"}', 'utf8'));
});

it('delivers a published Uint8Array as a plain Uint8Array, and a Buffer as a Buffer', async () => {
  const got = collector<PubSubMessage>();
  const unsubscribe = await cache.subscribe('bytes', got.push);
  try {
    await cache.publish('bytes', Uint8Array.from([1, 2]));
    await cache.publish('bytes', Buffer.from([3, 4]));
    await got.reached(2);
    const [plain, buffer] = got.items;
    expect(Buffer.isBuffer(plain)).toBe(false);
    expect(plain).toEqual(Uint8Array.from([1, 2]));
    expect(Buffer.isBuffer(buffer)).toBe(true);
    expect(buffer).toEqual(Buffer.from([3, 4]));
  } finally {
    await unsubscribe();
  }
});
