import assert from 'node:assert/strict';
import type { BatchOperation } from '../../cache-manager';
import { assertBytes, rejectsWithCode, sorted } from '../assertions';
import type { CaseGroup } from './case-spec';

export const batchCases: CaseGroup = {
  group: 'batch',
  cases: [
    {
      name: 'batch applies every operation, in order',
      async run(h) {
        const cache = await h.open();
        await cache.set('removed', 'v');
        await cache.setAdd('members', 'old');
        await cache.batch([
          { type: 'set', key: 'a', value: { n: 1 } },
          { type: 'set', key: 'bytes', value: Uint8Array.from([0, 255]) },
          { type: 'set', key: 'text', value: '{"not":"parsed"}' },
          { type: 'remove', key: 'removed' },
          { type: 'setAdd', key: 'members', members: ['x', 'y'] },
          { type: 'setRemove', key: 'members', members: ['old'] },
          { type: 'set', key: 'overwritten', value: 1 },
          { type: 'set', key: 'overwritten', value: 2 },
          { type: 'setAdd', key: 'transient', members: ['t'] },
          { type: 'remove', key: 'transient' },
        ]);
        assert.deepStrictEqual(await cache.get('a'), { n: 1 });
        assertBytes(await cache.get('bytes'), Uint8Array.from([0, 255]), 'bytes written by a batch');
        assert.equal(await cache.get('text'), '{"not":"parsed"}');
        assert.equal(await cache.contains('removed'), false);
        assert.deepEqual(sorted(await cache.setMembers('members')), ['x', 'y']);
        assert.equal(await cache.get('overwritten'), 2, 'later operations win');
        assert.equal(await cache.contains('transient'), false);
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
          { type: 'set', key: 'object', value },
          { type: 'set', key: 'bytes', value: bytes },
        ]);
        value.list.push(2);
        bytes[0] = 2;
        assert.deepStrictEqual(await cache.get('object'), { list: [1] });
        assertBytes(await cache.get('bytes'), Uint8Array.from([1]), 'bytes set by a batch');
      },
    },
  ],
};
