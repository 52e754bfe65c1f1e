import assert from 'node:assert/strict';
import type { CacheManager } from '../../cache-manager';
import { rejectsWithCode } from '../assertions';
import type { CaseGroup } from './case-spec';

/** Two key names the adapter puts on different shards (it has `shardOf`). */
function namesOnTwoShards(shardOf: (name: string) => number): [string, string] {
  const first = 'apart-0';
  for (let i = 1; i < 1000; i += 1) {
    const other = `apart-${i}`;
    if (shardOf(other) !== shardOf(first)) return [first, other];
  }
  assert.fail('shardOf put 1000 different names on one shard');
}

/** On an adapter without `shardOf`, keys of any names change together. */
async function assertAnyKeysTogether(cache: CacheManager): Promise<void> {
  await cache.batch([
    { type: 'set', key: 'apart-0', value: 1 },
    { type: 'setAdd', key: 'apart-1', members: ['m'] },
  ]);
  assert.equal(await cache.get('apart-0'), 1);
  assert.deepEqual(await cache.setMembers('apart-1'), ['m']);
}

export const shardingCases: CaseGroup = {
  group: 'sharding',
  cases: [
    {
      name: 'names sharing a hash tag change together; on a sharded adapter, names on two shards are refused whole with CROSS_SLOT',
      async run(h) {
        const cache = await h.open();
        const { shardOf } = cache;
        if (shardOf === undefined) {
          await assertAnyKeysTogether(cache);
          return;
        }
        assert.equal(shardOf('{t}a'), shardOf('{t}b'), 'names with one hash tag are on different shards');
        assert.equal(shardOf('{t}a'), shardOf('x{t}'), 'the hash tag may stand anywhere in the name');
        await cache.batch([
          { type: 'set', key: '{t}a', value: 1 },
          { type: 'setAdd', key: '{t}b', members: ['m'] },
        ]);
        assert.equal(await cache.get('{t}a'), 1);
        const [one, other] = namesOnTwoShards(shardOf);
        await rejectsWithCode('a batch over two shards', 'CROSS_SLOT', () =>
          cache.batch([
            { type: 'set', key: one, value: 1 },
            { type: 'set', key: other, value: 2 },
          ]),
        );
        assert.equal(await cache.contains(one), false, 'the refused batch applied its first write');
        await rejectsWithCode('an append publishing on another shard', 'CROSS_SLOT', () =>
          cache.appendToLog(one, 'm', { maxLength: 10, ttlMs: 60_000, channel: other }),
        );
        assert.equal(await cache.contains(one), false, 'the refused append wrote the log');
      },
    },
  ],
};
