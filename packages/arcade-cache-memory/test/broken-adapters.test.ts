import type {
  BatchOperation,
  CacheManager,
  CacheValue,
  LogAppendOptions,
  LogPosition,
  LogRead,
  LogReadOptions,
  MessageListener,
  PubSubMessage,
  SetOptions,
  Unsubscribe,
} from '@arcade/cache';
import { type CacheConformanceOptions, cacheConformanceCases } from '@arcade/cache/testing';
import {
  createMemoryStore,
  MemoryCacheManager,
  type MemoryCacheManagerOptions,
  type MemoryStore,
} from '../src';
import { type ReconnectBehaviour, SimulatedServer } from './support/simulated-server';

// Each class below breaks one promise of the contract the way real adapters tend to. The suite must
// fail the tests that guard that promise, and only a few others, or it proves nothing.

/** Stores every TTL it is given as `storedTtl()` makes it: dropped, or in the wrong unit. */
abstract class RewritesTtls extends MemoryCacheManager {
  protected abstract storedTtl(ttlMs: number | undefined): number | undefined;
  override set(key: string, value: CacheValue, options?: SetOptions): Promise<void> {
    return super.set(key, value, { ttlMs: this.storedTtl(options?.ttlMs) });
  }
  override setIfAbsent(key: string, value: CacheValue, options?: SetOptions): Promise<boolean> {
    return super.setIfAbsent(key, value, { ttlMs: this.storedTtl(options?.ttlMs) });
  }
  override batch(operations: readonly BatchOperation[]): Promise<void> {
    // What is not an array of operations goes through untouched, for the adapter to reject.
    if (!Array.isArray(operations)) return super.batch(operations);
    return super.batch(
      operations.map((op) => (op?.type === 'set' ? { ...op, ttlMs: this.storedTtl(op.ttlMs) } : op)),
    );
  }
}

class DropsTtls extends RewritesTtls {
  protected storedTtl(): undefined {
    return undefined;
  }
}

/** Reads milliseconds as microseconds, so every key expires a thousand times too soon. */
class ExpiresTooSoon extends RewritesTtls {
  protected storedTtl(ttlMs: number | undefined): number | undefined {
    return ttlMs === undefined ? undefined : ttlMs / 1000;
  }
}

/**
 * Applies a batch one operation at a time with a turn of the event loop in between, as an adapter
 * sending a command or script per operation to a server does. It validates the whole batch first
 * (on a scratch adapter) as such an adapter would, so only a reader running meanwhile can tell.
 */
class AppliesBatchOneByOne extends MemoryCacheManager {
  override async batch(operations: readonly BatchOperation[]): Promise<void> {
    const scratch = new MemoryCacheManager();
    await scratch.init();
    try {
      await scratch.batch(operations);
    } finally {
      await scratch.dispose();
    }
    for (const operation of operations) {
      await super.batch([operation]);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}

/** Guesses types back by parsing strings, as a cache that stores everything as text might. */
class ReparsesJsonStrings extends MemoryCacheManager {
  override async get<T extends CacheValue = CacheValue>(key: string): Promise<T | undefined> {
    const value = await super.get<T>(key);
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as T;
    } catch {
      return value;
    }
  }
}

/** Hands back the very object it was given. */
class AliasesValues extends MemoryCacheManager {
  private readonly references = new Map<string, CacheValue>();
  override async set(key: string, value: CacheValue, options?: SetOptions): Promise<void> {
    await super.set(key, value, options);
    this.references.set(key, value);
  }
  override async get<T extends CacheValue = CacheValue>(key: string): Promise<T | undefined> {
    const copy = await super.get<T>(key);
    return this.references.has(key) ? (this.references.get(key) as T) : copy;
  }
}

/** Publishes text as bytes, as an adapter reading only binary payloads from Redis would. */
class TurnsTextIntoBytes extends MemoryCacheManager {
  override publish(channel: string, message: PubSubMessage): Promise<number> {
    return super.publish(channel, typeof message === 'string' ? Buffer.from(message) : message);
  }
}

/** Clears the whole store instead of its own prefix, like FLUSHDB. */
class ClearsEverything extends MemoryCacheManager {
  constructor(
    private readonly sharedStore: MemoryStore,
    options: MemoryCacheManagerOptions,
  ) {
    super({ ...options, store: sharedStore });
  }
  override async clear(): Promise<void> {
    await super.clear();
    this.sharedStore.entries.clear();
  }
}

/** Ignores maxLength, as an adapter that forgets MAXLEN on XADD does: the log grows for ever. */
class KeepsEverything extends MemoryCacheManager {
  override appendToLog(key: string, message: PubSubMessage, options: LogAppendOptions): Promise<LogPosition> {
    return super.appendToLog(key, message, { ...options, maxLength: Number.MAX_SAFE_INTEGER });
  }
}

/** Names every life of every log the same, as an adapter with a constant epoch does. */
class KeepsOneEpoch extends MemoryCacheManager {
  override async appendToLog(
    key: string,
    message: PubSubMessage,
    options: LogAppendOptions,
  ): Promise<LogPosition> {
    return { ...(await super.appendToLog(key, message, options)), epoch: 'epoch' };
  }
  override async readLog(key: string, options: LogReadOptions): Promise<LogRead> {
    const real = (await super.readLog(key, { limit: Number.MAX_SAFE_INTEGER })).position;
    const after = options.after && real ? { ...options.after, epoch: real.epoch } : options.after;
    const read = await super.readLog(key, { ...options, after });
    return { ...read, position: read.position && { ...read.position, epoch: 'epoch' } };
  }
}

/**
 * Appends, then publishes in a second step a turn later, as an adapter sending XADD and PUBLISH apart
 * does: the message goes out through a shadow log whose positions follow the publish order, not the
 * log's, so only concurrent writers can tell.
 */
class PublishesApartFromAppend extends MemoryCacheManager {
  override async appendToLog(
    key: string,
    message: PubSubMessage,
    options: LogAppendOptions,
  ): Promise<LogPosition> {
    const position = await super.appendToLog(key, message, { ...options, channel: undefined });
    if (options.channel !== undefined) {
      await new Promise<void>((resolve) => setTimeout(resolve, Math.random() * 3));
      await super.appendToLog(`${key}:published`, message, options);
    }
    return position;
  }
}

/** Cuts every published message to 8000 characters or bytes, as PostgreSQL's NOTIFY limits payloads. */
class TruncatesLongMessages extends MemoryCacheManager {
  override publish(channel: string, message: PubSubMessage): Promise<number> {
    return super.publish(
      channel,
      typeof message === 'string' ? message.slice(0, 8000) : message.subarray(0, 8000),
    );
  }
}

/**
 * Sends a message of more than 16 KiB a moment later than a small one, as an adapter that uploads large
 * payloads apart (in chunks, to a blob store) does: small messages published after it overtake it.
 */
class SendsLargeMessagesLate extends MemoryCacheManager {
  override async publish(channel: string, message: PubSubMessage): Promise<number> {
    const size = typeof message === 'string' ? message.length : message.byteLength;
    if (size > 16 * 1024) await new Promise<void>((resolve) => setTimeout(resolve, 5));
    return super.publish(channel, message);
  }
}

/** Strips NUL from every key, as a driver passing keys as C strings or "sanitizing" them does. */
class DropsNulInKeys extends MemoryCacheManager {
  override get<T extends CacheValue = CacheValue>(key: string): Promise<T | undefined> {
    return super.get<T>(withoutNul(key));
  }
  override set(key: string, value: CacheValue, options?: SetOptions): Promise<void> {
    return super.set(withoutNul(key), value, options);
  }
  override setIfAbsent(key: string, value: CacheValue, options?: SetOptions): Promise<boolean> {
    return super.setIfAbsent(withoutNul(key), value, options);
  }
  override remove(key: string): Promise<boolean> {
    return super.remove(withoutNul(key));
  }
  override contains(key: string): Promise<boolean> {
    return super.contains(withoutNul(key));
  }
  override batch(operations: readonly BatchOperation[]): Promise<void> {
    if (!Array.isArray(operations)) return super.batch(operations);
    return super.batch(operations.map((op) => (op ? { ...op, key: withoutNul(op.key) } : op)));
  }
}

function withoutNul<T>(name: T): T {
  return (typeof name === 'string' ? name.replaceAll('\u0000', '') : name) as T;
}

/** Cuts every set member at its first NUL, as a C string ends there. */
class CutsMembersAtNul extends MemoryCacheManager {
  override setAdd(key: string, ...members: string[]): Promise<number> {
    return super.setAdd(key, ...members.map(cutAtNul));
  }
  override setRemove(key: string, ...members: string[]): Promise<number> {
    return super.setRemove(key, ...members.map(cutAtNul));
  }
  override batch(operations: readonly BatchOperation[]): Promise<void> {
    if (!Array.isArray(operations)) return super.batch(operations);
    return super.batch(
      operations.map((op) =>
        op?.type === 'setAdd' || op?.type === 'setRemove' ? { ...op, members: op.members.map(cutAtNul) } : op,
      ),
    );
  }
}

function cutAtNul(member: string): string {
  return typeof member === 'string' ? (member.split('\u0000')[0] ?? '') : member;
}

/** The publisher's own messages, while they are on their way: see {@link SlicesPublishedBytes}. */
const inFlight = new Map<string, Uint8Array>();
let inFlightCount = 0;

/**
 * Copies published bytes with `message.slice()` when publishing and again for each listener, as
 * `MemoryCacheManager` once did: right for a `Uint8Array`, but for a Node `Buffer`, whose `slice()`
 * is `subarray()`, every listener gets a view of the publisher's memory. (The bytes travel by
 * reference, under a token.)
 */
class SlicesPublishedBytes extends MemoryCacheManager {
  override publish(channel: string, message: PubSubMessage): Promise<number> {
    if (typeof message === 'string') return super.publish(channel, message);
    inFlightCount += 1;
    const token = `\u0000in-flight bytes #${inFlightCount}`;
    inFlight.set(token, message.slice());
    return super.publish(channel, token);
  }
  override subscribe(channel: string, listener: MessageListener): Promise<Unsubscribe> {
    return super.subscribe(channel, (message, name, position) => {
      const bytes = typeof message === 'string' ? inFlight.get(message) : undefined;
      listener(bytes ? bytes.slice() : message, name, position);
    });
  }
}

/** Delivers published bytes as a plain `Uint8Array`, never as a `Buffer`: which the contract allows. */
class DeliversPlainUint8Arrays extends MemoryCacheManager {
  override subscribe(channel: string, listener: MessageListener): Promise<Unsubscribe> {
    return super.subscribe(channel, (message, name, position) =>
      listener(typeof message === 'string' ? message : new Uint8Array(message), name, position),
    );
  }
}

const leakedTimers: NodeJS.Timeout[] = [];
/**
 * Starts timers in init and forgets them in dispose. Several, not one: the suite compares
 * process-wide counts, and a timer of the test runner's that ends meanwhile would hide a single one.
 */
class LeaksATimer extends MemoryCacheManager {
  override async init(options?: unknown): Promise<void> {
    await super.init(options);
    for (let i = 0; i < 3; i += 1) leakedTimers.push(setInterval(() => {}, 60_000));
  }
}

afterAll(() => {
  for (const timer of leakedTimers) clearInterval(timer);
});

type Factory = (store: MemoryStore, options: MemoryCacheManagerOptions) => CacheManager;

interface RunOptions {
  readonly clock?: 'fake' | 'real';
  /** Only the tests of this group. */
  readonly group?: string;
  /** Only the test of this name. */
  readonly name?: string;
  readonly restart?: CacheConformanceOptions['restart'];
}

/** Runs the suite against the adapter `create` makes; resolves each failed test's title and message. */
async function failures(create: Factory, run: RunOptions = {}): Promise<Map<string, string>> {
  let now = 0;
  const clock = run.clock ?? 'fake';
  const store = createMemoryStore(clock === 'fake' ? { now: () => now } : {});
  const all = cacheConformanceCases({
    name: 'broken',
    create: ({ namespace }) => create(store, { keyPrefix: `${namespace}:`, onListenerError: () => {} }),
    advanceTime:
      clock === 'fake'
        ? (ms) => {
            now += ms;
          }
        : undefined,
    waitTimeoutMs: 300,
    restart: run.restart,
  });
  const cases = all.filter(
    (testCase) =>
      (run.group === undefined || testCase.group === run.group) &&
      (run.name === undefined || testCase.name === run.name),
  );
  const failed = new Map<string, string>();
  // One at a time: the open-handles test compares process-wide counts.
  for (const testCase of cases) {
    await testCase.run().catch((error: unknown) => {
      failed.set(`${testCase.group} > ${testCase.name}`, messageOf(error));
    });
  }
  return failed;
}

/** An error's message; the suite's assertion errors come from another realm than the test's `Error`. */
function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : String(error);
}

/** Runs the whole suite (or a group) against the adapter `create` makes; resolves the titles of the failed tests. */
async function failedTests(
  create: Factory,
  clock: 'fake' | 'real' = 'fake',
  group?: string,
): Promise<string[]> {
  return [...(await failures(create, { clock, group })).keys()];
}

const LARGE_MESSAGES =
  'pub/sub > messages of 64 KiB and 1 MiB arrive whole, in call order among small ones, as text and as bytes';
const RESTART =
  'after the server restarts, a subscription made before receives again once the adapters are ready';

describe('the conformance suite', () => {
  it('passes a correct adapter: the baseline the broken ones are compared with', async () => {
    expect(await failedTests((store, options) => new MemoryCacheManager({ ...options, store }))).toEqual([]);
  });

  it('catches an adapter that drops TTLs', async () => {
    const failed = await failedTests((store, options) => new DropsTtls({ ...options, store }));
    expect(failed).toEqual(
      expect.arrayContaining([
        'TTL > a value set with ttlMs is readable until it expires, then gone',
        'TTL > setIfAbsent with ttlMs holds the key until it expires, then it can be taken again',
        'TTL > a value set in a batch with ttlMs expires',
        'values > invalid keys, values and TTLs reject with INVALID_ARGUMENT',
      ]),
    );
  });

  it('catches an adapter that drops TTLs on real time too, by polling', async () => {
    const failed = await failedTests((store, options) => new DropsTtls({ ...options, store }), 'real', 'TTL');
    expect(failed).toEqual([
      'TTL > a value set with ttlMs is readable until it expires, then gone',
      'TTL > set without ttlMs replaces the value and its TTL',
      'TTL > setIfAbsent with ttlMs holds the key until it expires, then it can be taken again',
      'TTL > set with ttlMs renews a lease taken with setIfAbsent',
      'TTL > a value set in a batch with ttlMs expires',
      'TTL > an expired key can hold a set',
    ]);
  });

  it('catches an adapter that expires keys a thousand times too soon', async () => {
    const failed = await failedTests((store, options) => new ExpiresTooSoon({ ...options, store }));
    expect(failed).toEqual([
      'TTL > a value set with ttlMs is readable until it expires, then gone',
      'TTL > setIfAbsent with ttlMs holds the key until it expires, then it can be taken again',
      'TTL > set with ttlMs renews a lease taken with setIfAbsent',
      'TTL > a value set in a batch with ttlMs expires',
    ]);
  });

  it('catches an adapter that expires keys a thousand times too soon on real time too', async () => {
    const failed = await failedTests(
      (store, options) => new ExpiresTooSoon({ ...options, store }),
      'real',
      'TTL',
    );
    // The renewed lease (60 ms here) still outlives the marker it is compared with.
    expect(failed).toEqual([
      'TTL > a value set with ttlMs is readable until it expires, then gone',
      'TTL > setIfAbsent with ttlMs holds the key until it expires, then it can be taken again',
      'TTL > a value set in a batch with ttlMs expires',
    ]);
  });

  it('catches an adapter whose batch a concurrent reader sees half-applied', async () => {
    const failed = await failedTests((store, options) => new AppliesBatchOneByOne({ ...options, store }));
    // The batch is validated whole and ends whole, as most tests check; but its scratch copy holds no log,
    // so a set operation on a log key is found wrong only after the first operations were applied.
    expect(failed).toEqual([
      'logs > a log is a key of its own kind: WRONG_TYPE across kinds, set and remove replace it',
      'concurrency > a reader on another adapter never sees a batch half-applied',
    ]);
  });

  it('catches an adapter that re-parses JSON-looking strings', async () => {
    const failed = await failedTests((store, options) => new ReparsesJsonStrings({ ...options, store }));
    expect(failed).toContain(
      'values > strings stay strings, even when they look like JSON, numbers or framing',
    );
  });

  it('catches an adapter that aliases stored values', async () => {
    const failed = await failedTests((store, options) => new AliasesValues({ ...options, store }));
    expect(failed).toContain(
      'values > a stored value is a copy: mutating what was set or what was read changes nothing',
    );
  });

  it('catches an adapter that delivers text messages as bytes', async () => {
    const failed = await failedTests((store, options) => new TurnsTextIntoBytes({ ...options, store }));
    expect(failed).toEqual(
      expect.arrayContaining([
        'pub/sub > payloads arrive exactly as published: strings as strings, bytes as Uint8Array',
        'pub/sub > a message published on one adapter reaches a listener on another, with its channel name',
      ]),
    );
  });

  it('catches an adapter whose clear() reaches beyond its namespace', async () => {
    const failed = await failedTests((store, options) => new ClearsEverything(store, options));
    expect(failed).toEqual(['namespaces > clear removes every key of its namespace and only those']);
  });

  it('catches an adapter whose log ignores maxLength', async () => {
    const failed = await failedTests((store, options) => new KeepsEverything({ ...options, store }));
    // (It also fails the argument checks: it rewrites the options before the adapter sees them.)
    expect(failed).toEqual(
      expect.arrayContaining([
        'logs > a log keeps its newest maxLength entries, and offsets go on counting',
        'logs > after an offset already trimmed away, the kept entries are read (the gap shows)',
      ]),
    );
  });

  it('catches an adapter that starts a lost log again in the same epoch', async () => {
    const failed = await failedTests((store, options) => new KeepsOneEpoch({ ...options, store }));
    expect(failed).toContain(
      'logs > a lost log (removed, expired, cleared) starts again at offset 1 in a new epoch',
    );
  });

  it('catches an adapter that publishes apart from the append', async () => {
    const failed = await failedTests((store, options) => new PublishesApartFromAppend({ ...options, store }));
    expect(failed).toContain(
      'logs > appends from several adapters at once reach every subscriber in log order, with their positions',
    );
  });

  it('catches an adapter that cuts messages at 8000 characters, and says which message', async () => {
    const failed = await failures((store, options) => new TruncatesLongMessages({ ...options, store }));
    expect([...failed.keys()]).toEqual([LARGE_MESSAGES]);
    expect(failed.get(LARGE_MESSAGES)).toMatch(
      /^message of 65536 characters \(published #2\): .*8000 characters instead of 65536/,
    );
  });

  it('catches an adapter whose large messages are overtaken by small ones published after them', async () => {
    const failed = await failures((store, options) => new SendsLargeMessagesLate({ ...options, store }));
    expect([...failed.keys()]).toEqual([LARGE_MESSAGES]);
    expect(failed.get(LARGE_MESSAGES)).toMatch(
      /^the messages arrived in another order than they were published/,
    );
  });

  it('catches an adapter that drops NUL from keys, and names the key', async () => {
    const failed = await failures((store, options) => new DropsNulInKeys({ ...options, store }));
    const title = 'values > keys with NUL, control, glob and unicode characters each hold their own value';
    expect([...failed.keys()]).toEqual([title]);
    expect(failed.get(title)).toContain(
      'key "a\\u0000b" after set("ab"): expected "value of a\\u0000b", got "value of ab"',
    );
  });

  it('catches an adapter that cuts members at NUL, and names the members', async () => {
    const failed = await failures((store, options) => new CutsMembersAtNul({ ...options, store }));
    const title = 'sets > members with NUL, control, glob and unicode characters are members of their own';
    expect([...failed.keys()]).toEqual([
      'sets > members round-trip exactly, unicode and JSON-looking ones included',
      title,
    ]);
    expect(failed.get(title)).toMatch(/^setMembers: "a\\u0000b" is missing, /);
  });

  it('catches an adapter that hands listeners views of a published Buffer, as MemoryCacheManager did', async () => {
    const failed = await failures((store, options) => new SlicesPublishedBytes({ ...options, store }));
    const title =
      'pub/sub > a published Buffer is copied: neither the publisher nor another listener changes what a listener got';
    expect([...failed.keys()]).toEqual([title]);
    expect(failed.get(title)).toContain('received bytes <eeeeeeeeeeeeeeee>');
  });

  it('passes an adapter that delivers a published Buffer as a plain Uint8Array', async () => {
    const failed = await failedTests((store, options) => new DeliversPlainUint8Arrays({ ...options, store }));
    expect(failed).toEqual([]);
  });

  it('reports text delivered as bytes as the wrong kind, not as different bytes', async () => {
    const failed = await failures((store, options) => new TurnsTextIntoBytes({ ...options, store }), {
      group: 'pub/sub',
    });
    expect(failed.get(`pub/sub > ${LARGE_MESSAGES.slice('pub/sub > '.length)}`)).toMatch(
      /^message "small before" \(published #1\): expected the string "small before", got Buffer of 12 bytes <.*> \(text came back as bytes\)$/,
    );
  });

  describe('with the restart option', () => {
    const title = `pub/sub > ${RESTART}`;
    /** The failures of the restart test (of the whole suite with `everything`) against `behaviour`. */
    const afterRestart = (behaviour: ReconnectBehaviour, everything = false) => {
      const server = new SimulatedServer(behaviour);
      return failures((store, options) => server.adapter(store, options), {
        name: everything ? undefined : RESTART,
        restart: () => server.restart(),
      });
    };

    it('passes an adapter that restores its subscriptions and reports ready, the whole suite', async () => {
      expect([...(await afterRestart('restores', true)).keys()]).toEqual([]);
    });

    it('catches an adapter that forgets its subscriptions', async () => {
      expect((await afterRestart('forgets')).get(title)).toMatch(
        /^Timed out after 300 ms waiting for a message published after the restart/,
      );
    });

    it('catches an adapter that brings back subscriptions ended before the restart', async () => {
      expect((await afterRestart('resurrects')).get(title)).toBe(
        'a subscription ended before the restart came back\n\n1 !== 0\n',
      );
    });

    it('catches an adapter that never reports the lost connection', async () => {
      expect((await afterRestart('silently')).get(title)).toBe(
        'Timed out after 1500 ms waiting for both adapters to report the lost connection, then ready; ' +
          'after restart() the subscriber reported nothing, the publisher nothing',
      );
    });
  });

  it('catches an adapter that leaves a timer running after dispose', async () => {
    const failed = await failedTests((store, options) => new LeaksATimer({ ...options, store }));
    expect(failed).toEqual(['lifecycle > dispose releases every timer and socket it opened']);
  });
});
