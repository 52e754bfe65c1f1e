import assert from 'node:assert/strict';
import type { BatchOperation } from '../../cache-manager';
import { assertBytes, rejectsWithCode, sorted } from '../assertions';
import type { CaseGroup } from './case-spec';

// Keys changed by one batch share a hash tag (`{b}`): a sharded adapter applies a batch only within
// one shard (CacheManager.shardOf); to any other adapter the braces are just characters.
export const batchCases: CaseGroup = {
  group: 'batch',
  cases: [
    {
      name: 'batch applies every operation, in order',
      async run(h) {
        const cache = await h.open();
        await cache.set('{b}removed', 'v');
        await cache.setAdd('{b}members', 'old');
        await cache.batch([
          { type: 'set', key: '{b}a', value: { n: 1 } },
          { type: 'set', key: '{b}bytes', value: Uint8Array.from([0, 255]) },
          { type: 'set', key: '{b}text', value: '{"not":"parsed"}' },
          { type: 'remove', key: '{b}removed' },
          { type: 'setAdd', key: '{b}members', members: ['x', 'y'] },
          { type: 'setRemove', key: '{b}members', members: ['old'] },
          { type: 'set', key: '{b}overwritten', value: 1 },
          { type: 'set', key: '{b}overwritten', value: 2 },
          { type: 'setAdd', key: '{b}transient', members: ['t'] },
          { type: 'remove', key: '{b}transient' },
        ]);
        assert.deepStrictEqual(await cache.get('{b}a'), { n: 1 });
        assertBytes(await cache.get('{b}bytes'), Uint8Array.from([0, 255]), 'bytes written by a batch');
        assert.equal(await cache.get('{b}text'), '{"not":"parsed"}');
        assert.equal(await cache.contains('{b}removed'), false);
        assert.deepEqual(sorted(await cache.setMembers('{b}members')), ['x', 'y']);
        assert.equal(await cache.get('{b}overwritten'), 2, 'later operations win');
        assert.equal(await cache.contains('{b}transient'), false);
      },
    },
    {
      name: 'an empty batch resolves and changes nothing',
      async run(h) {
        const cache = await h.open();
        await cache.set('k', 'v');
        await cache.batch([]);
        assert.equal(await cache.get('k'), 'v');
      },
    },
    {
      name: 'a batch with an invalid operation rejects with INVALID_ARGUMENT and applies nothing',
      async run(h) {
        const cache = await h.open();
        await cache.set('kept', 'original');
        const invalidLast: BatchOperation[] = [
          { type: 'set', key: 'kept', value: 'changed' },
          { type: 'setAdd', key: 'members', members: ['a'] },
          { type: 'set', key: 'bad-ttl', value: 'v', ttlMs: -5 },
        ];
        await rejectsWithCode('batch() with a negative TTL', 'INVALID_ARGUMENT', () =>
          cache.batch(invalidLast),
        );
        const emptyKey: BatchOperation[] = [
          { type: 'remove', key: 'kept' },
          { type: 'set', key: '', value: 1 },
        ];
        await rejectsWithCode('batch() with an empty key', 'INVALID_ARGUMENT', () => cache.batch(emptyKey));
        // What a caller in JavaScript can pass: each one after a valid operation that must not land.
        const malformed: Array<[string, unknown]> = [
          ['an operation of unknown type', { type: 'rename', key: 'kept' }],
          ['a null operation', null],
          ['a set member that is not a string', { type: 'setAdd', key: 'members', members: ['a', 1] }],
        ];
        for (const [what, operation] of malformed) {
          await rejectsWithCode(`batch() with ${what}`, 'INVALID_ARGUMENT', () =>
            cache.batch([{ type: 'remove', key: 'kept' }, operation as BatchOperation]),
          );
        }
        await rejectsWithCode('batch() of an object instead of an array', 'INVALID_ARGUMENT', () =>
          cache.batch({ type: 'remove', key: 'kept' } as unknown as BatchOperation[]),
        );
        assert.equal(await cache.get('kept'), 'original');
        assert.equal(await cache.contains('members'), false);
      },
    },
    {
      name: 'batch stores copies: mutating what was passed changes nothing',
      async run(h) {
        const cache = await h.open();
        const value = { list: [1] };
        const bytes = Uint8Array.from([1]);
        await cache.batch([
          { type: 'set', key: '{b}object', value },
          { type: 'set', key: '{b}bytes', value: bytes },
        ]);
        value.list.push(2);
        bytes[0] = 2;
        assert.deepStrictEqual(await cache.get('{b}object'), { list: [1] });
        assertBytes(await cache.get('{b}bytes'), Uint8Array.from([1]), 'bytes set by a batch');
      },
    },
  ],
};
