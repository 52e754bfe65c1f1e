import assert from 'node:assert/strict';
import type { BatchOperation, CacheManager } from '../../cache-manager';
import { sorted, typeName } from '../assertions';
import type { CaseGroup } from './case-spec';

const COUNT = 200;
const ids = (prefix: string) => Array.from({ length: COUNT }, (_, i) => `${prefix}${i}`);

/** How many batches the writer applies while another adapter reads: the loops are bounded by it. */
const GENERATIONS = 100;

// Keys changed by one batch share a hash tag (`{g}`, `{c}`): a sharded adapter applies a batch only
// within one shard (CacheManager.shardOf); to any other adapter the braces are just characters.
const FIRST = '{g}first';
const MEMBERS = '{g}members';
const LAST = '{g}last';

/**
 * Batch `g` moves three keys to generation `g`: two values around a set whose only member names
 * it. Half-applied, the set is empty or has two members, or the values disagree with each other.
 */
function generationBatch(g: number): BatchOperation[] {
  return [
    { type: 'set', key: FIRST, value: g },
    { type: 'setRemove', key: MEMBERS, members: [`g${g - 1}`] },
    { type: 'setAdd', key: MEMBERS, members: [`g${g}`] },
    { type: 'set', key: LAST, value: g },
  ];
}

/** Reads the generation one key of {@link generationBatch} is at; fails on a half-applied set. */
const generationReads: ReadonlyArray<{ key: string; read: (cache: CacheManager) => Promise<number> }> = [
  { key: FIRST, read: async (cache) => generationValue(FIRST, await cache.get(FIRST)) },
  {
    key: MEMBERS,
    async read(cache) {
      const members = await cache.setMembers(MEMBERS);
      assert.equal(members.length, 1, `members held [${members.join(', ')}]: a batch was half-applied`);
      return Number(members[0]?.slice(1));
    },
  },
  { key: LAST, read: async (cache) => generationValue(LAST, await cache.get(LAST)) },
];

function generationValue(key: string, value: unknown): number {
  assert.equal(typeof value, 'number', `${key} held ${typeName(value)}, not a generation`);
  return Number(value);
}

/**
 * Reads the keys of {@link generationBatch} round after round until `writing()` is false, forwards
 * and backwards in turn, so that a batch applied in either order is caught between two of its
 * operations. Batches are applied one after the other with rising generations, so once any key is
 * read at generation g, batch g has landed whole and no key may be read below g again.
 * Resolves the generations it saw.
 */
async function readGenerationsWhile(cache: CacheManager, writing: () => boolean): Promise<Set<number>> {
  const seen = new Set<number>();
  let highest = 0;
  let highestKey = '';
  const backwards = [...generationReads].reverse();
  for (let round = 0; writing(); round += 1) {
    for (const { key, read } of round % 2 === 0 ? generationReads : backwards) {
      const generation = await read(cache);
      assert.ok(
        generation >= highest,
        `${key} was read at generation ${generation} after ${highestKey} at ${highest}: ` +
          `batch ${highest} was half-applied`,
      );
      highest = generation;
      highestKey = key;
      seen.add(generation);
    }
  }
  return seen;
}

export const concurrencyCases: CaseGroup = {
  group: 'concurrency',
  cases: [
    {
      name: 'many concurrent sets from two adapters lose nothing',
      async run(h) {
        const first = await h.open();
        const second = await h.open();
        const keys = ids('key-');
        await Promise.all(keys.map((key, i) => (i % 2 === 0 ? first : second).set(key, { key, i })));
        const values = await Promise.all(keys.map((key) => first.get(key)));
        values.forEach((value, i) => {
          assert.deepStrictEqual(value, { key: keys[i], i }, `key-${i}`);
        });
      },
    },
    {
      name: 'concurrent setAdd and setRemove from two adapters lose no member',
      async run(h) {
        const first = await h.open();
        const second = await h.open();
        const members = ids('m');
        const added = await Promise.all(members.map((m, i) => (i % 2 === 0 ? first : second).setAdd('s', m)));
        assert.equal(
          added.reduce((sum, n) => sum + n, 0),
          COUNT,
        );
        assert.equal(await first.setSize('s'), COUNT);
        const leaving = members.filter((_, i) => i % 3 === 0);
        const staying = members.filter((_, i) => i % 3 !== 0);
        const extra = ids('late-');
        await Promise.all([
          ...leaving.map((m, i) => (i % 2 === 0 ? second : first).setRemove('s', m)),
          ...extra.map((m, i) => (i % 2 === 0 ? first : second).setAdd('s', m)),
        ]);
        assert.deepEqual(sorted(await second.setMembers('s')), sorted([...staying, ...extra]));
      },
    },
    {
      name: 'concurrent batches from two adapters lose no member',
      async run(h) {
        const first = await h.open();
        const second = await h.open();
        const members = ids('c');
        await Promise.all(
          members.map((m, i) =>
            (i % 2 === 0 ? first : second).batch([
              { type: 'setAdd', key: '{c}room', members: [m] },
              { type: 'setAdd', key: `{c}rooms-of:${m}`, members: ['room'] },
              { type: 'set', key: `{c}connection:${m}`, value: { id: m } },
            ]),
          ),
        );
        assert.equal(await first.setSize('{c}room'), COUNT);
        for (const m of members) assert.deepEqual(await second.setMembers(`{c}rooms-of:${m}`), ['room']);
      },
    },
    {
      name: 'a reader on another adapter never sees a batch half-applied',
      async run(h) {
        const writer = await h.open();
        const reader = await h.open();
        await writer.batch(generationBatch(0));
        let writing = true;
        const writes = (async () => {
          try {
            for (let g = 1; g <= GENERATIONS && writing; g += 1) await writer.batch(generationBatch(g));
          } finally {
            writing = false;
          }
        })();
        // A failing reader stops the writer too, so that neither outlives the test.
        const reads = readGenerationsWhile(reader, () => writing).finally(() => {
          writing = false;
        });
        const [written, seen] = await Promise.allSettled([writes, reads]);
        if (written.status === 'rejected') throw written.reason;
        if (seen.status === 'rejected') throw seen.reason;
        // Without this, a reader that never overlapped a write would pass having checked nothing.
        assert.ok(seen.value.size > 1, 'the reader saw no batch land: it never ran alongside the writer');
      },
    },
    {
      name: 'concurrent setIfAbsent on one key has exactly one winner',
      async run(h) {
        const first = await h.open();
        const second = await h.open();
        const attempts = Array.from({ length: 20 }, (_, i) =>
          (i % 2 === 0 ? first : second).setIfAbsent('lease', `owner-${i}`, { ttlMs: 60_000 }),
        );
        const results = await Promise.all(attempts);
        const winners = results.flatMap((won, i) => (won ? [i] : []));
        assert.equal(winners.length, 1, `winners: ${winners.join(', ')}`);
        assert.equal(await first.get('lease'), `owner-${winners[0]}`);
      },
    },
  ],
};
