import type { LogPosition, MessageListener, PubSubMessage } from '@arcade/cache';
import { type RedisTestServer, startRedisServer } from '../src/testing';
import { collector, statusReached, useRedisServer } from './support/helpers';

// What the Redis adapter does for logs that the conformance suite cannot see: the stream in Redis,
// one script run per call, the frames on the wire. The behaviour itself is in cases/log.ts.

const redis = useRedisServer();
const { open } = redis;
const options = { maxLength: 100, ttlMs: 60_000 };

/** A command the server received, and who sent it ('lua' for a command a script ran). */
interface Received {
  readonly name: string;
  readonly source: string;
}

/**
 * Every command the server receives while `action` runs, in order. A unique ECHO from `redis.observer`
 * marks the end, so nothing sent by `action` can arrive after the list is returned.
 */
async function commandsDuring(action: () => Promise<unknown>): Promise<Received[]> {
  const monitor = await redis.observer.duplicate().monitor();
  try {
    const received: Received[] = [];
    const marker = `end-${Math.random()}`;
    const ended = new Promise<void>((resolve) => {
      monitor.on('monitor', (_time: string, args: string[], source: string) => {
        if (args[0]?.toLowerCase() === 'echo' && args[1] === marker) resolve();
        else received.push({ name: String(args[0]).toUpperCase(), source });
      });
    });
    await action();
    await redis.observer.echo(marker);
    await ended;
    return received;
  } finally {
    monitor.disconnect();
  }
}

/** The commands sent by clients (not those a script ran), by name. */
function sent(received: readonly Received[]): string[] {
  return received.filter(({ source }) => source !== 'lua').map(({ name }) => name);
}

describe('RedisCacheManager logs: one script run per call', () => {
  it('sends one EVALSHA per append, running the same commands whatever the length of the log', async () => {
    const cache = await open();
    await cache.appendToLog('warm-up', 'loads the script', options);
    const received = await commandsDuring(async () => {
      for (let i = 0; i < 30; i += 1) await cache.appendToLog('room', `m${i}`, { ...options, maxLength: 5 });
    });
    expect(sent(received)).toEqual(Array(30).fill('EVALSHA'));
    // The commands each script run made, grouped by the EVALSHA that started them.
    const runs: string[][] = [];
    for (const { name, source } of received) {
      if (source === 'lua') runs[runs.length - 1]?.push(name);
      else runs.push([]);
    }
    expect(runs[0]).toEqual(['TYPE', 'XREVRANGE', 'TIME', 'XADD', 'PEXPIRE']);
    for (const run of runs) expect(run).toEqual(runs[1]);
  });

  it('publishes from inside the script', async () => {
    const cache = await open();
    await cache.appendToLog('warm-up', 'loads the script', options);
    const received = await commandsDuring(() => cache.appendToLog('room', 'm', { ...options, channel: 'c' }));
    expect(sent(received)).toEqual(['EVALSHA']);
    expect(received.filter(({ source }) => source === 'lua').map(({ name }) => name)).toContain('PUBLISH');
  });

  it('reads with one EVALSHA, and sends the script once with EVAL when Redis forgot it', async () => {
    const cache = await open();
    await cache.appendToLog('room', 'm', options);
    await redis.observer.script('FLUSH');
    const received = await commandsDuring(async () => {
      await cache.readLog('room', { limit: 10 });
      await cache.readLog('room', { limit: 10 });
      await cache.appendToLog('room', 'n', options);
      await cache.appendToLog('room', 'o', options);
    });
    expect(sent(received)).toEqual(['EVALSHA', 'EVAL', 'EVALSHA', 'EVALSHA', 'EVAL', 'EVALSHA']);
    expect((await cache.readLog('room', { limit: 10 })).entries.map(({ offset }) => offset)).toEqual([
      1, 2, 3,
    ]);
  });

  it('checks every argument before sending anything', async () => {
    const cache = await open();
    const invalid = expect.objectContaining({ code: 'INVALID_ARGUMENT' });
    const received = await commandsDuring(async () => {
      await expect(cache.appendToLog('', 'm', options)).rejects.toEqual(invalid);
      await expect(cache.appendToLog('room', 42 as unknown as string, options)).rejects.toEqual(invalid);
      await expect(cache.appendToLog('room', 'm', { ...options, maxLength: 0 })).rejects.toEqual(invalid);
      await expect(cache.appendToLog('room', 'm', { ...options, ttlMs: -1 })).rejects.toEqual(invalid);
      await expect(cache.appendToLog('room', 'm', { ...options, channel: '' })).rejects.toEqual(invalid);
      await expect(cache.readLog('', { limit: 1 })).rejects.toEqual(invalid);
      await expect(cache.readLog('room', { limit: -1 })).rejects.toEqual(invalid);
      await expect(cache.readLog('room', { limit: 1, after: { epoch: '', offset: 1 } })).rejects.toEqual(
        invalid,
      );
    });
    expect(sent(received)).toEqual([]);
  });
});

describe('RedisCacheManager logs: the stream in Redis', () => {
  it('stores one stream entry per append, id 0-<offset>, with the epoch, the time and the frame', async () => {
    const cache = await open();
    const before = Date.now();
    const first = await cache.appendToLog('room', 'héllo', options);
    const second = await cache.appendToLog('room', Uint8Array.from([0, 255]), options);
    const after = Date.now();
    expect(first).toEqual({ epoch: expect.stringMatching(/^[A-Za-z0-9_-]+$/), offset: 1 });
    expect(second).toEqual({ epoch: first.epoch, offset: 2 });
    expect(await redis.observer.type('app:room')).toBe('stream');
    const entries = await redis.observer.xrangeBuffer('app:room', '-', '+');
    expect(entries.map(([id]) => id.toString())).toEqual(['0-1', '0-2']);
    const [, fields] = entries[1]!;
    expect(fields.map((field) => field.toString('latin1')).filter((_, i) => i % 2 === 0)).toEqual([
      'e',
      't',
      'd',
    ]);
    expect(fields[1]!.toString()).toBe(first.epoch);
    const time = Number(fields[3]!.toString());
    // The Redis clock is this machine's clock.
    expect(time).toBeGreaterThanOrEqual(before - 1000);
    expect(time).toBeLessThanOrEqual(after + 1000);
    expect(fields[5]).toEqual(Buffer.from([0x62, 0, 255]));
    const { entries: read } = await cache.readLog('room', { limit: 2 });
    expect(read[1]?.time).toBe(time);
  });

  it('trims to exactly maxLength entries', async () => {
    const cache = await open();
    for (let i = 1; i <= 10; i += 1) await cache.appendToLog('room', `m${i}`, { ...options, maxLength: 3 });
    expect(await redis.observer.xlen('app:room')).toBe(3);
    const { position, entries } = await cache.readLog('room', { limit: 10 });
    expect(position?.offset).toBe(10);
    expect(entries.map(({ offset, message }) => [offset, message])).toEqual([
      [8, 'm8'],
      [9, 'm9'],
      [10, 'm10'],
    ]);
  });

  it('sets the TTL in milliseconds on every append', async () => {
    const cache = await open();
    await cache.appendToLog('room', 'm', { ...options, ttlMs: 5_000 });
    await cache.appendToLog('room', 'm', { ...options, ttlMs: 60_000 });
    const remaining = await redis.observer.pttl('app:room');
    expect(remaining).toBeGreaterThan(30_000);
    expect(remaining).toBeLessThanOrEqual(60_000);
    // A fraction of a millisecond rounds up, as for set().
    await cache.appendToLog('room', 'm', { ...options, ttlMs: 1000.2 });
    const rounded = await redis.observer.pttl('app:room');
    expect(rounded).toBeGreaterThan(500);
    expect(rounded).toBeLessThanOrEqual(1001);
  });

  it('numbers concurrent appends of two adapters one after the other, published in log order', async () => {
    const [first, second, listener] = await Promise.all([open(), open(), open()]);
    const got = collector<number>();
    await listener.subscribe('c', (_message, _channel, position) => got.push(position?.offset ?? 0));
    const appends = Array.from({ length: 100 }, (_, i) =>
      (i % 2 === 0 ? first : second).appendToLog('room', `m${i}`, { ...options, channel: 'c' }),
    );
    const positions = await Promise.all(appends);
    expect(new Set(positions.map(({ epoch }) => epoch)).size).toBe(1);
    const sequence = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(positions.map(({ offset }) => offset).sort((a, b) => a - b)).toEqual(sequence);
    await got.reached(100);
    expect(got.items).toEqual(sequence);
  });

  it('rejects a string, a set or a foreign stream with WRONG_TYPE and leaves it as it was', async () => {
    const cache = await open();
    await cache.set('value', 'v');
    await cache.setAdd('set', 'a');
    await redis.observer.xadd('app:foreign', '*', 'x', 'y');
    const wrongType = expect.objectContaining({ code: 'WRONG_TYPE' });
    for (const key of ['value', 'set', 'foreign']) {
      await expect(cache.appendToLog(key, 'm', { ...options, channel: 'c' })).rejects.toEqual(wrongType);
      await expect(cache.readLog(key, { limit: 1 })).rejects.toEqual(wrongType);
    }
    expect(await cache.get('value')).toBe('v');
    expect(await cache.setMembers('set')).toEqual(['a']);
    expect(await redis.observer.xlen('app:foreign')).toBe(1);
  });

  it('rejects an entry it did not write with WRONG_TYPE', async () => {
    const cache = await open();
    const { epoch } = await cache.appendToLog('room', 'm', options);
    await redis.observer.xadd('app:room', '0-2', 'e', epoch, 't', '1', 'd', 'unframed');
    await expect(cache.readLog('room', { limit: 1 })).rejects.toEqual(
      expect.objectContaining({ code: 'WRONG_TYPE', message: expect.stringContaining('"room"') }),
    );
    await redis.observer.xadd('app:room', '0-3', 'e', epoch, 'd', 'sno time');
    await expect(cache.readLog('room', { limit: 1 })).rejects.toEqual(
      expect.objectContaining({ code: 'WRONG_TYPE' }),
    );
  });

  it('starts a removed log again at offset 1 in a new epoch', async () => {
    const cache = await open();
    await cache.appendToLog('room', 'a', options);
    const old = await cache.appendToLog('room', 'b', options);
    expect(await cache.remove('room')).toBe(true);
    expect(await cache.readLog('room', { limit: 10 })).toEqual({ position: null, entries: [] });
    const next = await cache.appendToLog('room', 'c', options);
    expect(next.offset).toBe(1);
    expect(next.epoch).not.toBe(old.epoch);
    // A position of the old epoch is ignored: the newest entries are read.
    const read = await cache.readLog('room', { after: { epoch: old.epoch, offset: 0 }, limit: 10 });
    expect(read.entries.map(({ message }) => message)).toEqual(['c']);
  });

  it('reads the entries after a position of the current epoch, the newest `limit` of them', async () => {
    const cache = await open();
    let position: LogPosition | undefined;
    for (let i = 1; i <= 6; i += 1) position = await cache.appendToLog('room', `m${i}`, options);
    const { epoch } = position!;
    const offsets = async (after: LogPosition | undefined, limit: number) =>
      (await cache.readLog('room', { after, limit })).entries.map(({ offset }) => offset);
    expect(await offsets({ epoch, offset: 2 }, 10)).toEqual([3, 4, 5, 6]);
    expect(await offsets({ epoch, offset: 2 }, 2)).toEqual([5, 6]);
    expect(await offsets({ epoch, offset: 6 }, 10)).toEqual([]);
    expect(await offsets({ epoch, offset: 7 }, 3)).toEqual([4, 5, 6]);
    expect(await offsets({ epoch, offset: Number.MAX_SAFE_INTEGER }, 1)).toEqual([6]);
    expect(await offsets(undefined, 0)).toEqual([]);
    expect((await cache.readLog('room', { limit: 0 })).position).toEqual(position);
  });

  it('reads back text as a string, and bytes as a plain Uint8Array even when appended as a Buffer', async () => {
    const cache = await open();
    const appended: PubSubMessage[] = [
      'text \u{1f3b2}',
      '{"looks":"like JSON"}',
      '',
      Uint8Array.from([1, 2, 3]),
      Buffer.from([4, 5]),
      new Uint8Array(0),
    ];
    for (const message of appended) await cache.appendToLog('room', message, options);
    const { entries } = await cache.readLog('room', { limit: 10 });
    const messages = entries.map(({ message }) => message);
    expect(messages.slice(0, 3)).toEqual(['text \u{1f3b2}', '{"looks":"like JSON"}', '']);
    for (const [index, bytes] of [
      [3, [1, 2, 3]],
      [4, [4, 5]],
      [5, []],
    ] as const) {
      const message = messages[index];
      expect(Buffer.isBuffer(message)).toBe(false);
      expect(message).toBeInstanceOf(Uint8Array);
      expect(Array.from(message as Uint8Array)).toEqual(bytes);
    }
  });
});

describe('RedisCacheManager logs: the published frame', () => {
  type Call = Parameters<MessageListener>;

  it('publishes p<offset>:<epoch>:<frame> on the prefixed channel', async () => {
    const cache = await open();
    const listener = redis.observer.duplicate();
    try {
      const got = collector<Buffer>();
      listener.on('messageBuffer', (_channel: Buffer, message: Buffer) => got.push(message));
      await listener.subscribe('app:room-channel');
      const { epoch } = await cache.appendToLog('room', 'hi', { ...options, channel: 'room-channel' });
      await cache.appendToLog('room', Buffer.from([7]), { ...options, channel: 'room-channel' });
      await got.reached(2);
      expect(got.items.map((frame) => frame.toString('latin1'))).toEqual([
        `p1:${epoch}:shi`,
        `p2:${epoch}:B\u0007`,
      ]);
    } finally {
      listener.disconnect();
    }
  });

  it('gives listeners the message, the channel and the position, each their own copy', async () => {
    const cache = await open();
    const first = collector<Call>();
    const second = collector<Call>();
    await cache.subscribe('c', (...call) => {
      first.push(call);
      // Changes its own copy only.
      if (call[2]) Object.assign(call[2], { offset: -1 });
    });
    await cache.subscribe('c', (...call) => second.push(call));
    const positions = [
      await cache.appendToLog('room', 'text', { ...options, channel: 'c' }),
      await cache.appendToLog('room', Uint8Array.from([1]), { ...options, channel: 'c' }),
      await cache.appendToLog('room', Buffer.from([2]), { ...options, channel: 'c' }),
    ];
    await cache.publish('c', 'plain');
    await Promise.all([first.reached(4), second.reached(4)]);
    const [text, bytes, buffer, plain] = second.items;
    expect(text).toEqual(['text', 'c', positions[0]]);
    expect(bytes).toEqual([Uint8Array.from([1]), 'c', positions[1]]);
    expect(Buffer.isBuffer(bytes![0])).toBe(false);
    expect(buffer).toEqual([Buffer.from([2]), 'c', positions[2]]);
    expect(Buffer.isBuffer(buffer![0])).toBe(true);
    // A plain publish: no third argument at all.
    expect(plain).toEqual(['plain', 'c']);
    expect(plain).toHaveLength(2);
  });

  it('drops a positioned frame it cannot read, and reports it', async () => {
    const warnings = collector<string>();
    const cache = await open({ logger: { warn: (message) => warnings.push(message) } });
    const got = collector<Call>();
    await cache.subscribe('c', (...call) => got.push(call));
    const malformed = ['p', 'p1', 'p1:e', 'p1::sm', 'p:e:sm', 'p01:e:sm', 'p1x:e:sm', 'p-1:e:sm', 'p1:e:xm'];
    malformed.push(`p${'9'.repeat(17)}:e:sm`);
    for (const frame of malformed) await redis.observer.publish('app:c', frame);
    // The epoch ends at the first ':' after the offset; the message may hold more.
    await redis.observer.publish('app:c', 'p12:ep:sa:b');
    await got.reached(1);
    expect(got.items).toEqual([['a:b', 'c', { epoch: 'ep', offset: 12 }]]);
    expect(warnings.items).toHaveLength(malformed.length);
  });
});

describe('RedisCacheManager logs when Redis goes away', () => {
  let own: RedisTestServer;
  const quickly = { maxReconnectDelayMs: 100, logger: { warn: () => {} } };

  beforeEach(async () => {
    own = await startRedisServer();
  });

  afterEach(async () => {
    await redis.disposeOpened();
    await own.stop();
  });

  it('fails fast with UNAVAILABLE, then starts the log again in a new epoch on the emptied server', async () => {
    const cache = await open({ url: own.url, ...quickly });
    const before = await cache.appendToLog('room', 'm', options);
    await own.kill();
    await statusReached(cache, 'unavailable');
    const unavailable = expect.objectContaining({ code: 'UNAVAILABLE' });
    await expect(cache.appendToLog('room', 'm', options)).rejects.toEqual(unavailable);
    await expect(cache.readLog('room', { limit: 1 })).rejects.toEqual(unavailable);
    await own.restart();
    await statusReached(cache, 'ready');
    // The restarted server knows no script either: EVAL takes over.
    expect(await cache.readLog('room', { limit: 1 })).toEqual({ position: null, entries: [] });
    const after = await cache.appendToLog('room', 'm', options);
    expect(after.offset).toBe(1);
    expect(after.epoch).not.toBe(before.epoch);
  });

  it('gives up on a script Redis does not answer within commandTimeoutMs', async () => {
    const cache = await open({ url: own.url, commandTimeoutMs: 200, ...quickly });
    await cache.appendToLog('room', 'm', options);
    await own.pause();
    try {
      const unavailable = expect.objectContaining({ code: 'UNAVAILABLE' });
      await expect(cache.appendToLog('room', 'm', options)).rejects.toEqual(unavailable);
      await expect(cache.readLog('room', { limit: 1 })).rejects.toEqual(unavailable);
    } finally {
      await own.resume();
    }
  });
});
