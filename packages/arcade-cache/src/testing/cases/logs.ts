// One case group per file (suite.ts registers them as one describe each): every case of the log
// primitive, with the few helpers only they use.
import assert from 'node:assert/strict';
import type {
  CacheManager,
  LogAppendOptions,
  LogEntry,
  LogPosition,
  LogRead,
  PubSubMessage,
} from '../../cache-manager';
import {
  assertBytes,
  assertMessage,
  assertSameString,
  patternBytes,
  rejectsWithCode,
  sizeName,
} from '../assertions';
import type { CaseGroup } from './case-spec';
import { envelopeBytes, envelopeText, KIB, MIB } from './payloads';
import { assertLivesForItsTtl, LONG_TTL_MS, SHORT_TTL_MS, waitForExpiry } from './ttl';
import { TRICKY_STRINGS } from './values';

// A log and the channel it publishes on share a hash tag (`{room}`), as a batch's keys do: a sharded
// adapter appends and publishes in one step only within one shard (CacheManager.shardOf).

/** Options of an append that keeps plenty and lives through any test. */
const KEEP: LogAppendOptions = { maxLength: 1000, ttlMs: LONG_TTL_MS };

/** Appends each message in turn; resolves their positions. */
async function appendAll(
  cache: CacheManager,
  key: string,
  messages: readonly PubSubMessage[],
  options: LogAppendOptions = KEEP,
): Promise<LogPosition[]> {
  const positions: LogPosition[] = [];
  for (const message of messages) positions.push(await cache.appendToLog(key, message, options));
  return positions;
}

function offsetsOf(read: LogRead): number[] {
  return read.entries.map((entry) => entry.offset);
}

function numbered(count: number, from = 1): string[] {
  return Array.from({ length: count }, (_, i) => `m${from + i}`);
}

/** What a listener received, with the position the adapter handed it. */
interface Heard {
  readonly message: PubSubMessage;
  readonly position: LogPosition | undefined;
}

/** `listener` records into `heard`; `onMessage` runs in the listener, before it returns. */
function hearing(onMessage?: (position: LogPosition | undefined) => void) {
  const heard: Heard[] = [];
  return {
    heard,
    listener: (message: PubSubMessage, _channel: string, position?: LogPosition) => {
      heard.push({ message, position });
      onMessage?.(position);
    },
  };
}

function assertEntryMessage(entry: LogEntry | undefined, expected: PubSubMessage, what: string): void {
  assert.ok(entry, `${what}: no entry`);
  assertMessage(entry.message, expected, what);
}

export const logCases: CaseGroup = {
  group: 'logs',
  cases: [
    {
      name: 'appends take offsets 1, 2, 3… in one epoch and read back oldest first, with a time each',
      async run(h) {
        const cache = await h.open();
        const positions = await appendAll(cache, 'log', numbered(5));
        const epoch = positions[0]?.epoch;
        assert.ok(typeof epoch === 'string' && epoch !== '', 'the epoch is a non-empty string');
        assert.deepEqual(
          positions,
          [1, 2, 3, 4, 5].map((offset) => ({ epoch, offset })),
        );
        const read = await cache.readLog('log', { limit: 10 });
        assert.deepEqual(read.position, { epoch, offset: 5 });
        assert.deepEqual(offsetsOf(read), [1, 2, 3, 4, 5]);
        assert.deepEqual(
          read.entries.map((entry) => entry.message),
          numbered(5),
        );
        const times = read.entries.map((entry) => entry.time);
        for (const [index, time] of times.entries()) {
          assert.ok(Number.isFinite(time), `entry ${index + 1} has no time`);
          assert.ok(index === 0 || time >= (times[index - 1] as number), 'times go backwards');
        }
      },
    },
    {
      name: 'a log that does not exist reads as position null with no entries',
      async run(h) {
        const cache = await h.open();
        assert.deepEqual(await cache.readLog('never', { limit: 10 }), { position: null, entries: [] });
        assert.deepEqual(await cache.readLog('never', { limit: 10, after: { epoch: 'e', offset: 3 } }), {
          position: null,
          entries: [],
        });
        assert.equal(await cache.contains('never'), false, 'reading a log created it');
      },
    },
    {
      name: 'a log keeps its newest maxLength entries, and offsets go on counting',
      async run(h) {
        const cache = await h.open();
        const positions = await appendAll(cache, 'log', numbered(7), { maxLength: 3, ttlMs: LONG_TTL_MS });
        assert.deepEqual(
          positions.map((position) => position.offset),
          [1, 2, 3, 4, 5, 6, 7],
        );
        const read = await cache.readLog('log', { limit: 100 });
        assert.deepEqual(offsetsOf(read), [5, 6, 7]);
        assert.deepEqual(
          read.entries.map((entry) => entry.message),
          ['m5', 'm6', 'm7'],
        );
        assert.deepEqual(read.position, positions[6]);
      },
    },
    {
      name: 'limit reads the newest entries; 0 reads only the position',
      async run(h) {
        const cache = await h.open();
        const positions = await appendAll(cache, 'log', numbered(5));
        assert.deepEqual(offsetsOf(await cache.readLog('log', { limit: 2 })), [4, 5]);
        assert.deepEqual(await cache.readLog('log', { limit: 0 }), { position: positions[4], entries: [] });
      },
    },
    {
      name: 'after reads the later entries when its epoch is current and its offset not past the newest',
      async run(h) {
        const cache = await h.open();
        const [first] = await appendAll(cache, 'log', numbered(5));
        const epoch = (first as LogPosition).epoch;
        const read = (offset: number, limit = 10, at = epoch) =>
          cache.readLog('log', { limit, after: { epoch: at, offset } }).then(offsetsOf);
        assert.deepEqual(await read(3), [4, 5]);
        assert.deepEqual(await read(0), [1, 2, 3, 4, 5]);
        assert.deepEqual(await read(5), [], 'nothing after the newest');
        assert.deepEqual(await read(1, 2), [4, 5], 'limit keeps the newest of the selected entries');
        assert.deepEqual(await read(2, 10, `${epoch}-other`), [1, 2, 3, 4, 5], 'another epoch is ignored');
        assert.deepEqual(await read(9, 2), [4, 5], 'an offset past the newest is ignored');
      },
    },
    {
      name: 'after an offset already trimmed away, the kept entries are read (the gap shows)',
      async run(h) {
        const cache = await h.open();
        const [first] = await appendAll(cache, 'log', numbered(7), { maxLength: 3, ttlMs: LONG_TTL_MS });
        const read = await cache.readLog('log', {
          limit: 10,
          after: { epoch: (first as LogPosition).epoch, offset: 2 },
        });
        assert.deepEqual(offsetsOf(read), [5, 6, 7]);
      },
    },
    {
      name: 'entries come back exactly as appended: JSON-looking and empty text, unicode, bytes',
      async run(h) {
        const cache = await h.open();
        const messages: PubSubMessage[] = [
          ...TRICKY_STRINGS,
          'héllo wörld ✓ 🎉',
          patternBytes(300),
          new Uint8Array(0),
          Buffer.from([0, 255, 10, 13]),
        ];
        await appendAll(cache, 'log', messages);
        const { entries } = await cache.readLog('log', { limit: 1000 });
        assert.equal(entries.length, messages.length);
        for (const [index, message] of messages.entries()) {
          assertEntryMessage(entries[index], message, `entry #${index + 1}`);
        }
      },
    },
    {
      name: 'entries of 64 KiB and 1 MiB framed with NUL bytes are read back and heard whole, in call order',
      async run(h) {
        const subscriber = await h.open();
        const publisher = await h.open();
        // Log and channel share a hash tag, as @arcade/ws names them, for a sharded adapter (Redis Cluster).
        const key = '{large}log';
        const channel = h.channel('{large}');
        const got = hearing();
        await subscriber.subscribe(channel, got.listener);
        // As @arcade/ws appends room history: envelopes, not awaiting one append before the next.
        const messages: PubSubMessage[] = [envelopeText(64 * KIB), envelopeBytes(MIB), 'small'];
        const positions = await Promise.all(
          messages.map((message) => publisher.appendToLog(key, message, { ...KEEP, channel })),
        );
        assert.deepEqual(
          positions.map((position) => position.offset),
          [1, 2, 3],
          'appends of one adapter took their offsets in another order than they were called',
        );
        const { entries } = await subscriber.readLog(key, { limit: 10 });
        assert.equal(entries.length, messages.length, `${entries.length} entries read back`);
        await h.waitFor(`${messages.length} messages`, () => got.heard.length >= messages.length);
        for (const [index, message] of messages.entries()) {
          assertEntryMessage(entries[index], message, `the entry read back, ${sizeName(message)}`);
          assertMessage(got.heard[index]?.message, message, `the message heard, ${sizeName(message)}`);
        }
      },
    },
    {
      name: 'appended and read bytes are copies: changing either changes nothing stored',
      async run(h) {
        const cache = await h.open();
        const source = Uint8Array.from([1, 2, 3]);
        const buffer = Buffer.from([4, 5, 6]);
        await appendAll(cache, 'log', [source, buffer]);
        source[0] = 9;
        buffer[0] = 9;
        const first = await cache.readLog('log', { limit: 10 });
        (first.entries[0]?.message as Uint8Array)[1] = 9;
        const again = await cache.readLog('log', { limit: 10 });
        assertEntryMessage(again.entries[0], Uint8Array.from([1, 2, 3]), 'first entry');
        assertEntryMessage(again.entries[1], Uint8Array.from([4, 5, 6]), 'second entry');
      },
    },
    {
      name: 'a log lives ttlMs after its last append, then reads as gone',
      async run(h) {
        const cache = await h.open();
        await assertLivesForItsTtl(h, cache, 'log', () =>
          cache.appendToLog('log', 'm', { maxLength: 10, ttlMs: SHORT_TTL_MS }),
        );
        assert.deepEqual(await cache.readLog('log', { limit: 10 }), { position: null, entries: [] });
      },
    },
    {
      name: 'each append renews the log’s TTL',
      async run(h) {
        const cache = await h.open();
        await cache.appendToLog('log', 'first', { maxLength: 10, ttlMs: SHORT_TTL_MS });
        await cache.appendToLog('log', 'second', { maxLength: 10, ttlMs: LONG_TTL_MS });
        await cache.set('marker', 'x', { ttlMs: SHORT_TTL_MS });
        await waitForExpiry(h, cache, 'marker');
        const read = await cache.readLog('log', { limit: 10 });
        assert.deepEqual(offsetsOf(read), [1, 2], 'the log expired with its first TTL');
      },
    },
    {
      name: 'a lost log (removed, expired, cleared) starts again at offset 1 in a new epoch',
      async run(h) {
        const cache = await h.open();
        const epochs = new Set<string>();
        const lose: Array<[string, () => Promise<unknown>]> = [
          ['removed', () => cache.remove('log')],
          ['cleared', () => cache.clear()],
          ['expired', () => waitForExpiry(h, cache, 'log')],
        ];
        for (const [how, loseIt] of lose) {
          const options = { maxLength: 10, ttlMs: how === 'expired' ? SHORT_TTL_MS : LONG_TTL_MS };
          const [, old] = await appendAll(cache, 'log', ['a', 'b'], options);
          assert.equal(old?.offset, 2);
          epochs.add((old as LogPosition).epoch);
          await loseIt();
          const fresh = await cache.appendToLog('log', 'c', KEEP);
          assert.equal(fresh.offset, 1, `${how}: the new life does not start at 1`);
          assert.notEqual(fresh.epoch, old?.epoch, `${how}: the epoch did not change`);
          const read = await cache.readLog('log', { limit: 10, after: old });
          assert.deepEqual(read.position, fresh);
          assert.deepEqual(offsetsOf(read), [1], `${how}: a position of the old life selected entries`);
          epochs.add(fresh.epoch);
          await cache.remove('log');
        }
        assert.equal(epochs.size, 6, 'an epoch was used twice');
      },
    },
    {
      name: 'with a channel, subscribers receive the message with its position, once a read can find it',
      async run(h) {
        const subscriber = await h.open();
        const publisher = await h.open();
        const channel = h.channel('{room}');
        const reads: Array<Promise<[number | undefined, LogRead]>> = [];
        // A read started the moment a message arrives must already find it.
        const got = hearing((position) =>
          reads.push(subscriber.readLog('{room}log', { limit: 10 }).then((read) => [position?.offset, read])),
        );
        await subscriber.subscribe(channel, got.listener);
        const text = await publisher.appendToLog('{room}log', '{"a":1}', { ...KEEP, channel });
        const bytes = await publisher.appendToLog('{room}log', Uint8Array.from([7, 8]), { ...KEEP, channel });
        await h.waitFor('2 messages', () => got.heard.length >= 2);
        assert.deepEqual(
          got.heard.map((heard) => heard.position),
          [text, bytes],
        );
        assertSameString(got.heard[0]?.message, '{"a":1}', 'text message');
        assertBytes(got.heard[1]?.message, Uint8Array.from([7, 8]), 'binary message');
        for (const [offset, read] of await Promise.all(reads)) {
          assert.ok(
            offset !== undefined && offsetsOf(read).includes(offset),
            `a subscriber heard offset ${offset} before a read could find it`,
          );
        }
      },
    },
    {
      name: 'a plain publish on a log’s channel carries no position; an append without channel publishes nothing',
      async run(h) {
        const subscriber = await h.open();
        const publisher = await h.open();
        const channel = h.channel('room');
        const got = hearing();
        await subscriber.subscribe(channel, got.listener);
        await publisher.appendToLog('log', 'silent', KEEP);
        await publisher.publish(channel, 'plain');
        await h.waitFor('1 message', () => got.heard.length >= 1);
        assert.deepEqual(got.heard, [{ message: 'plain', position: undefined }]);
      },
    },
    {
      name: 'appends from several adapters at once reach every subscriber in log order, with their positions',
      async run(h) {
        const writers = [await h.open(), await h.open()];
        const subscribers = [await h.open(), await h.open()];
        const channel = h.channel('{room}');
        const ears = subscribers.map(() => hearing());
        await Promise.all(
          subscribers.map((s, i) => s.subscribe(channel, (ears[i] as ReturnType<typeof hearing>).listener)),
        );
        const perWriter = 40;
        const appended = await Promise.all(
          writers.flatMap((writer, w) =>
            numbered(perWriter).map((message) =>
              writer
                .appendToLog('{room}log', `${w}:${message}`, { ...KEEP, channel })
                .then((position) => ({ message: `${w}:${message}`, position })),
            ),
          ),
        );
        const total = writers.length * perWriter;
        const { entries } = (await writers[0]?.readLog('{room}log', { limit: total })) ?? { entries: [] };
        assert.deepEqual(
          entries.map((entry) => entry.offset),
          Array.from({ length: total }, (_, i) => i + 1),
        );
        for (const { message, position } of appended) {
          assert.equal(
            entries[position.offset - 1]?.message,
            message,
            `${message} is not where its position says`,
          );
        }
        for (const [index, ear] of ears.entries()) {
          await h.waitFor(`${total} messages on subscriber ${index + 1}`, () => ear.heard.length >= total);
          assert.deepEqual(
            ear.heard.map((heard) => [heard.position?.offset, heard.message]),
            entries.map((entry) => [entry.offset, entry.message]),
            `subscriber ${index + 1} heard another order than the log's`,
          );
        }
      },
    },
    {
      name: 'a log is a key of its own kind: WRONG_TYPE across kinds, set and remove replace it',
      async run(h) {
        const cache = await h.open();
        await cache.set('value', 1);
        await cache.setAdd('set', 'a');
        for (const key of ['value', 'set']) {
          await rejectsWithCode(`appendToLog on ${key}`, 'WRONG_TYPE', () =>
            cache.appendToLog(key, 'm', KEEP),
          );
          await rejectsWithCode(`readLog on ${key}`, 'WRONG_TYPE', () => cache.readLog(key, { limit: 1 }));
        }
        await cache.appendToLog('{k}log', 'm', KEEP);
        assert.equal(await cache.contains('{k}log'), true);
        await rejectsWithCode('get on a log', 'WRONG_TYPE', () => cache.get('{k}log'));
        await rejectsWithCode('setAdd on a log', 'WRONG_TYPE', () => cache.setAdd('{k}log', 'a'));
        await rejectsWithCode('setMembers on a log', 'WRONG_TYPE', () => cache.setMembers('{k}log'));
        await rejectsWithCode('a batch adding to a log', 'WRONG_TYPE', () =>
          cache.batch([
            { type: 'set', key: '{k}written', value: 1 },
            { type: 'setAdd', key: '{k}log', members: ['a'] },
          ]),
        );
        assert.equal(await cache.contains('{k}written'), false, 'the rejected batch applied its first write');
        await cache.set('{k}log', 'now a value');
        assert.equal(await cache.get('{k}log'), 'now a value');
        await cache.appendToLog('log2', 'm', KEEP);
        assert.equal(await cache.remove('log2'), true);
        assert.equal(await cache.contains('log2'), false);
      },
    },
    {
      name: 'invalid keys, messages and options reject with INVALID_ARGUMENT and append nothing',
      async run(h) {
        const cache = await h.open();
        const append = (key: unknown, message: unknown, options: unknown) => () =>
          cache.appendToLog(key as string, message as PubSubMessage, options as LogAppendOptions);
        const badAppends: Array<[string, () => Promise<unknown>]> = [
          ['an empty key', append('', 'm', KEEP)],
          ['a number as message', append('log', 42, KEEP)],
          ['an object as message', append('log', { a: 1 }, KEEP)],
          ['no options', append('log', 'm', undefined)],
          ['maxLength 0', append('log', 'm', { ...KEEP, maxLength: 0 })],
          ['maxLength 1.5', append('log', 'm', { ...KEEP, maxLength: 1.5 })],
          ['maxLength "10"', append('log', 'm', { ...KEEP, maxLength: '10' })],
          ['ttlMs 0', append('log', 'm', { ...KEEP, ttlMs: 0 })],
          ['ttlMs NaN', append('log', 'm', { ...KEEP, ttlMs: Number.NaN })],
          ['an empty channel', append('log', 'm', { ...KEEP, channel: '' })],
        ];
        for (const [what, call] of badAppends)
          await rejectsWithCode(`appendToLog with ${what}`, 'INVALID_ARGUMENT', call);
        assert.equal(await cache.contains('log'), false, 'a rejected append wrote the log');
        const read = (options: unknown) => () => cache.readLog('log', options as { limit: number });
        const badReads: Array<[string, () => Promise<unknown>]> = [
          ['no options', read(undefined)],
          ['limit -1', read({ limit: -1 })],
          ['limit 1.5', read({ limit: 1.5 })],
          ['no limit', read({})],
          ['after with an empty epoch', read({ limit: 1, after: { epoch: '', offset: 1 } })],
          ['after with a negative offset', read({ limit: 1, after: { epoch: 'e', offset: -1 } })],
          ['after as a number', read({ limit: 1, after: 3 })],
        ];
        for (const [what, call] of badReads)
          await rejectsWithCode(`readLog with ${what}`, 'INVALID_ARGUMENT', call);
        await rejectsWithCode('readLog with an empty key', 'INVALID_ARGUMENT', () =>
          cache.readLog('', { limit: 1 }),
        );
      },
    },
  ],
};
