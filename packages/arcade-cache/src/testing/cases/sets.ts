import assert from 'node:assert/strict';
import { assertSameMembers, quote, sorted } from '../assertions';
import type { CaseGroup } from './case-spec';
import { TRICKY_NAMES } from './payloads';
import { TRICKY_STRINGS } from './values';

export const setCases: CaseGroup = {
  group: 'sets',
  cases: [
    {
      name: 'setAdd resolves how many members were new',
      async run(h) {
        const cache = await h.open();
        assert.equal(await cache.setAdd('s', 'a', 'b'), 2);
        assert.equal(await cache.setAdd('s', 'b', 'c', 'c'), 1);
        assert.equal(await cache.setAdd('s'), 0, 'setAdd() with no members');
        assert.deepEqual(sorted(await cache.setMembers('s')), ['a', 'b', 'c']);
        assert.equal(await cache.setSize('s'), 3);
      },
    },
    {
      name: 'setRemove resolves how many were members and deletes an emptied set',
      async run(h) {
        const cache = await h.open();
        await cache.setAdd('s', 'a', 'b');
        assert.equal(await cache.setRemove('s', 'a', 'x'), 1);
        assert.equal(await cache.setRemove('s'), 0, 'setRemove() with no members');
        assert.deepEqual(await cache.setMembers('s'), ['b']);
        assert.equal(await cache.setRemove('s', 'b'), 1);
        assert.equal(await cache.contains('s'), false, 'an emptied set is deleted');
        assert.equal(await cache.setRemove('missing', 'a'), 0);
      },
    },
    {
      name: 'a missing set reads as empty',
      async run(h) {
        const cache = await h.open();
        assert.deepEqual(await cache.setMembers('missing'), []);
        assert.equal(await cache.setSize('missing'), 0);
        assert.equal(await cache.contains('missing'), false);
      },
    },
    {
      name: 'adding no members to a missing set creates nothing, in a batch too',
      async run(h) {
        const cache = await h.open();
        assert.equal(await cache.setAdd('direct'), 0);
        await cache.batch([{ type: 'setAdd', key: 'batched', members: [] }]);
        for (const key of ['direct', 'batched']) {
          assert.equal(await cache.contains(key), false, `${key}: adding no members created a key`);
          assert.equal(await cache.setIfAbsent(key, 'v'), true, `${key}: the key is taken`);
        }
      },
    },
    {
      name: 'members round-trip exactly, unicode and JSON-looking ones included',
      async run(h) {
        const cache = await h.open();
        const members = TRICKY_STRINGS.filter((member) => member !== '');
        const added = await cache.setAdd('s', ...members);
        assertSameMembers(await cache.setMembers('s'), members, 'setMembers');
        assert.equal(added, members.length, 'setAdd did not count every member as new');
        assert.equal(await cache.setSize('s'), members.length);
      },
    },
    {
      name: 'members with NUL, control, glob and unicode characters are members of their own',
      async run(h) {
        const cache = await h.open();
        const members = TRICKY_NAMES;
        const added = await cache.setAdd('s', ...members);
        assertSameMembers(await cache.setMembers('s'), members, 'setMembers');
        assert.equal(added, members.length, 'setAdd did not count every member as new');
        const [removed = '', ...kept] = members;
        assert.equal(await cache.setRemove('s', removed), 1, `setRemove(${quote(removed)}) removed nothing`);
        assertSameMembers(await cache.setMembers('s'), kept, `setMembers after setRemove(${quote(removed)})`);
        await cache.batch([{ type: 'setAdd', key: 'batched', members }]);
        assertSameMembers(await cache.setMembers('batched'), members, 'setMembers of a set added by a batch');
      },
    },
    {
      name: 'setMembers returns a new array each time',
      async run(h) {
        const cache = await h.open();
        await cache.setAdd('s', 'a');
        const first = await cache.setMembers('s');
        first.push('not a member');
        assert.deepEqual(await cache.setMembers('s'), ['a']);
      },
    },
  ],
};
