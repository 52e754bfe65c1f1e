import assert from 'node:assert/strict';
import type { CaseGroup } from './case-spec';

export const namespaceCases: CaseGroup = {
  group: 'namespaces',
  cases: [
    {
      name: 'adapters in different namespaces do not see each other’s keys and sets',
      async run(h) {
        const mine = await h.open();
        const theirs = await h.open(h.otherNamespace());
        await mine.set('k', 'mine');
        await mine.setAdd('s', 'mine');
        assert.equal(await theirs.get('k'), undefined);
        assert.equal(await theirs.contains('s'), false);
        assert.equal(await theirs.setIfAbsent('k', 'theirs'), true);
        assert.equal(await mine.get('k'), 'mine');
      },
    },
    {
      name: 'clear removes every key of its namespace and only those',
      async run(h) {
        const mine = await h.open();
        const sibling = await h.open();
        const theirs = await h.open(h.otherNamespace());
        for (const cache of [mine, theirs]) {
          await cache.set('value', 'v');
          await cache.set('ttl', 'v', { ttlMs: 60_000 });
          await cache.setAdd('set', 'a', 'b');
        }
        await mine.clear();
        for (const key of ['value', 'ttl', 'set']) {
          assert.equal(await sibling.contains(key), false, `${key} survived clear() in its namespace`);
          assert.equal(await theirs.contains(key), true, `clear() removed ${key} of another namespace`);
        }
        await mine.set('after', 'clear');
        assert.equal(await mine.get('after'), 'clear', 'the adapter still works after clear()');
      },
    },
    {
      name: 'channels of another namespace are not heard',
      async run(h) {
        const mine = await h.open();
        const theirs = await h.open(h.otherNamespace());
        const channel = h.channel('shared-name');
        const mineGot: unknown[] = [];
        const theirsGot: unknown[] = [];
        await mine.subscribe(channel, (message) => mineGot.push(message));
        await theirs.subscribe(channel, (message) => theirsGot.push(message));
        assert.equal(await mine.publish(channel, 'mine'), 1, 'publish reached another namespace');
        assert.equal(await theirs.publish(channel, 'theirs'), 1, 'publish reached another namespace');
        await h.waitFor('both messages', () => mineGot.length === 1 && theirsGot.length === 1);
        assert.deepEqual(mineGot, ['mine']);
        assert.deepEqual(theirsGot, ['theirs']);
      },
    },
  ],
};
